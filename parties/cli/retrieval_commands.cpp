// The retrieval protocol (paper 5.4) from the command line: verdict corpus make,
// verdict requester, verdict responder, verdict judge serve (the live judge), and
// verdict retrieval-demo, which runs all of them with an escrow service on loopback
// (docs/protocols.md, "Trustless retrieval").
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <zmq.hpp>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "escrow/clock.hpp"
#include "parties/agents/retrieval_agent.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "parties/cli/process.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/judge/judge.hpp"
#include "parties/wire/keys.hpp"
#include "protocols/retrieval/corpus.hpp"
#include "protocols/retrieval/rules.hpp"
#include "protocols/sizing/clopper_pearson.hpp"
#include "snark/nn/fashion_mnist.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model.hpp"

namespace verdict::cli {

namespace {

namespace po = boost::program_options;
using retrieval::Role;

// ---- terms ---------------------------------------------------------------------------------

struct TermFlags {
  std::uint32_t m = 0, n = 0, positive = 0, input_size = 784;
  std::int64_t price = 10, bond = 1000, fee = 1;
  std::int64_t funding_s = 120, response_s = 30, proving_s = 0, judge_s = 60;
  std::string source_key;
};

void add_term_options(po::options_description& d, TermFlags& t) {
  d.add_options()("corpus-size", po::value(&t.m)->required(), "M: documents in the responder's corpus")  //
      ("sample", po::value(&t.n)->required(), "N: documents the requester audits (1..M)")              //
      ("price", po::value(&t.price)->default_value(t.price), "Z: the requester pays M*Z for the proofs")  //
      ("bond", po::value(&t.bond)->default_value(t.bond), "the responder's bond, the requester's if caught")  //
      ("fee", po::value(&t.fee)->default_value(t.fee), "eps: the escrow's fee per party")                //
      ("positive-class", po::value(&t.positive)->default_value(0), "a document is positive iff the model's argmax is this")  //
      ("input-size", po::value(&t.input_size)->default_value(t.input_size), "bytes per document (the model's input)")  //
      ("source-key", po::value(&t.source_key)->required(), "the corpus source's public key (file or hex)")  //
      ("funding-timeout-s", po::value(&t.funding_s)->default_value(t.funding_s), "deposits due within")  //
      ("response-timeout-s", po::value(&t.response_s)->default_value(t.response_s), "each answer due within")  //
      ("proving-timeout-s", po::value(&t.proving_s)->default_value(0), "the responder proves M documents within (0: 60 + 10 M)")  //
      ("judge-timeout-s", po::value(&t.judge_s)->default_value(t.judge_s), "the judge rules within");
}

Result<retrieval::Terms> make_terms(const TermFlags& f) {
  retrieval::Terms t;
  auto& p = t.params;
  p.m = f.m;
  p.n = f.n;
  p.z = f.price;
  p.bond = f.bond;
  p.eps = f.fee;
  p.funding_timeout_ms = f.funding_s * 1000;
  p.response_timeout_ms = f.response_s * 1000;
  p.proving_timeout_ms = (f.proving_s > 0 ? f.proving_s : 60 + 10 * std::int64_t{f.m}) * 1000;
  p.judge_timeout_ms = f.judge_s * 1000;
  t.positive_class = f.positive;
  t.input_size = f.input_size;
  auto k = wire::read_public_key(f.source_key);
  if (!k.ok()) return k.error().context("--source-key");
  t.source_key = *k;
  if (Status s = retrieval::check_terms(t); !s.ok()) return s.error();
  return t;
}

std::vector<std::string> term_args(const TermFlags& f) {
  return {"--corpus-size", std::to_string(f.m), "--sample", std::to_string(f.n), "--price", std::to_string(f.price),
          "--bond", std::to_string(f.bond), "--fee", std::to_string(f.fee), "--positive-class",
          std::to_string(f.positive), "--input-size", std::to_string(f.input_size), "--source-key", f.source_key,
          "--funding-timeout-s", std::to_string(f.funding_s), "--response-timeout-s", std::to_string(f.response_s),
          "--proving-timeout-s", std::to_string(f.proving_s), "--judge-timeout-s", std::to_string(f.judge_s)};
}

// ---- one agent -----------------------------------------------------------------------------

struct AgentFlags {
  TermFlags terms;
  std::string key, escrow, escrow_key, transcript, result, pub[3], endpoint[3], exit_at;
  std::vector<std::string> withhold, corrupt;
  std::int64_t max_run_s = 3600;
  std::string model, vk, pk, srs, corpus;
  bool withhold_positive = false, mismatch_opening = false;
  std::uint32_t junk = 0;
};

const char* kRoleFlag[3] = {"requester", "responder", "judge"};

int agent_main(Role role, const std::vector<std::string>& args) {
  const std::string name = retrieval::role_name(role);
  const std::string cmd = role == Role::kJudge ? "verdict judge serve" : "verdict " + name;
  AgentFlags f;
  po::options_description desc(cmd + ": the retrieval protocol's " + name + " as a process");
  desc.add_options()("help,h", "show this help")                                                   //
      ("key", po::value(&f.key)->required(), "this agent's secret key file (verdict keygen)")      //
      ("escrow", po::value(&f.escrow)->required(), "the escrow service's endpoint")                //
      ("escrow-key", po::value(&f.escrow_key)->required(), "the escrow's public key (file or hex)")  //
      ("transcript", po::value(&f.transcript)->required(), "the transcript file to write")         //
      ("result", po::value(&f.result), "write the outcome here")                                   //
      ("max-run-s", po::value(&f.max_run_s)->default_value(f.max_run_s), "give up after this long")  //
      ("withhold", po::value(&f.withhold)->composing(), "deviation: never submit this transition")  //
      ("corrupt", po::value(&f.corrupt)->composing(), "deviation: submit this transition with corrupted evidence")  //
      ("exit-at", po::value(&f.exit_at), "deviation: exit at once when the escrow reaches this stage");
  for (int r = 0; r < 3; ++r) {
    desc.add_options()((std::string(kRoleFlag[r]) + "-key").c_str(), po::value(&f.pub[r])->required(),
                       "that party's public key (file or hex)")  //
        ((std::string(kRoleFlag[r]) + "-endpoint").c_str(), po::value(&f.endpoint[r])->required(),
         "where that party listens");
  }
  add_term_options(desc, f.terms);
  if (role == Role::kRequester) {
    desc.add_options()("model", po::value(&f.model)->required(), "the quantized model (the predicate)")  //
        ("vk", po::value(&f.vk)->required(), "its verifying key");
  } else if (role == Role::kResponder) {
    desc.add_options()("corpus", po::value(&f.corpus)->required(), "the corpus file (verdict corpus make)")  //
        ("model", po::value(&f.model)->required(), "the requester's quantized model")                      //
        ("pk", po::value(&f.pk)->required(), "its proving key, handed over with the model")                //
        ("srs", po::value(&f.srs)->required(), "the SRS of the keys (.ptau; a dev SRS is accepted)")        //
        ("withhold-positive", po::bool_switch(&f.withhold_positive), "deviation: leave one positive document out")  //
        ("mismatch-opening", po::bool_switch(&f.mismatch_opening),
         "deviation: return a document that differs from the committed one")  //
        ("junk", po::value(&f.junk)->default_value(0), "deviation: commit to this many junk documents (no attestation)");
  } else {
    desc.add_options()("vk", po::value(&f.vk)->required(), "the model's verifying key");
  }
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " [options]"); rc >= 0) return rc;
  auto terms = make_terms(f.terms);
  if (!terms.ok()) return fail(cmd, terms.error().message);
  auto key = wire::read_secret_key(f.key);
  if (!key.ok()) return fail(cmd, key.error().message);
  auto escrow_key = wire::read_public_key(f.escrow_key);
  if (!escrow_key.ok()) return fail(cmd, escrow_key.error().message);

  const auto t0 = std::chrono::steady_clock::now();
  agents::RetrievalAgentConfig c;
  c.role = role;
  c.terms = *terms;
  c.driver.key = &*key;
  for (int r = 0; r < 3; ++r) {
    auto p = wire::read_public_key(f.pub[r]);
    if (!p.ok()) return fail(cmd, p.error().message);
    c.driver.parties[r] = {*p, f.endpoint[r]};
  }
  if (c.driver.parties[static_cast<int>(role)].key != key->public_key())
    return fail(cmd, "--key is not the " + name + " key the other flags name");
  c.driver.escrow_endpoint = f.escrow;
  c.driver.escrow_key = *escrow_key;
  c.driver.transcript_path = f.transcript;
  c.driver.max_run_ms = f.max_run_s * 1000;
  c.driver.withhold = {f.withhold.begin(), f.withhold.end()};
  c.driver.corrupt = {f.corrupt.begin(), f.corrupt.end()};
  c.driver.exit_at_stage = f.exit_at;
  const std::string tag = "[" + name + "] ";
  c.driver.log = [tag, t0](const std::string& line) {
    std::cout << tag << "[" << fixed1(seconds_since(t0)) << " s] " << line << "\n" << std::flush;
  };
  const auto& log = c.driver.log;

  OsRng rng;
  std::optional<nn::Model> model;
  std::optional<nn::ModelProvingKey> pk;
  std::optional<nn::ModelVerifyingKey> vk;
  std::vector<std::uint8_t> model_bytes;
  if (!f.model.empty()) {
    auto b = read_bytes(f.model);
    if (!b.ok()) return fail(cmd, b.error().message);
    model_bytes = *b;
    auto m = read_model(f.model);
    if (!m.ok()) return fail(cmd, m.error().message);
    model = std::move(*m);
    if (model->tensors[model->input].shape.size() != terms->input_size)
      return fail(cmd, "--input-size " + std::to_string(terms->input_size) + " is not the model's input size " +
                           std::to_string(model->tensors[model->input].shape.size()));
  }
  if (!f.vk.empty()) {
    auto v = read_vk(f.vk);
    if (!v.ok()) return fail(cmd, v.error().message);
    vk = std::move(*v);
    c.verify = [&](const std::vector<nn::ModelProof>& proofs) { return verify_logged(*vk, proofs, log); };
  }
  if (role == Role::kRequester) {
    auto vkb = read_bytes(f.vk);
    if (!vkb.ok()) return fail(cmd, vkb.error().message);
    c.offer = retrieval::ModelOffer{vk->model_commitment(), *vkb, {}, model_bytes};
    log("model commitment " + to_hex(vk->model_commitment()).substr(0, 16) + "...; positive class " +
        std::to_string(terms->positive_class) + "; audit sample N = " + std::to_string(terms->params.n) + " of M = " +
        std::to_string(terms->params.m));
  }
  if (role == Role::kResponder) {
    auto bytes = read_bytes(f.corpus);
    if (!bytes.ok()) return fail(cmd, bytes.error().message);
    auto docs = retrieval::decode_corpus(*bytes);
    if (!docs.ok()) return fail(cmd, docs.error().context(f.corpus).message);
    if (docs->size() != terms->params.m) return fail(cmd, "the corpus has " + std::to_string(docs->size()) + " documents, --corpus-size says " + std::to_string(terms->params.m));
    if (f.junk > docs->size()) return fail(cmd, "--junk exceeds the corpus size");
    for (std::uint32_t j = 0; j < f.junk; ++j) {  // junk: random bytes with no attestation
      auto& d = (*docs)[docs->size() - 1 - j];
      rng.fill(d.input);
      d.attestation = {};
    }
    if (f.junk) log("deviation: " + std::to_string(f.junk) + " of the committed documents are junk");
    c.corpus = std::move(*docs);
    c.deviations = {f.withhold_positive, f.mismatch_opening};
    auto p = read_pk(*model, f.pk, f.srs, rng);
    if (!p.ok()) return fail(cmd, p.error().message);
    pk = std::move(*p);
    c.check_request = [&](const retrieval::Request& r) {
      const bool ok = r.model_commitment == pk->mvk.model_commitment() && (r.model.empty() || r.model == model_bytes);
      log(ok ? "the request's model is the one of our proving key" : "refused the request: another model");
      return ok;
    };
    c.prove = [&](const retrieval::ProveCorpus& job) -> std::optional<std::vector<nn::ModelProof>> {
      const auto p0 = std::chrono::steady_clock::now();
      std::vector<nn::ModelProof> out;
      for (std::size_t i = 0; i < job.inputs.size(); ++i) {
        auto proof = nn::prove(*pk, *model, job.inputs[i], job.salts[i], rng);
        if (!proof.ok()) {
          log("proving document " + std::to_string(i) + " failed: " + proof.error().message);
          return std::nullopt;
        }
        out.push_back(std::move(*proof));
        if ((i + 1) % 25 == 0 || i + 1 == job.inputs.size())
          log("proved " + std::to_string(i + 1) + "/" + std::to_string(job.inputs.size()) + " documents (" +
              fixed1(seconds_since(p0)) + " s)");
      }
      return out;
    };
  }

  auto result = agents::run_retrieval_agent(c);
  if (!result.ok()) return fail(cmd, result.error().message, kExitRejected);
  const auto& o = result->outcome;
  log("finished: " + o.stage + ", requester net " + std::to_string(o.requester_net) + ", responder net " +
      std::to_string(o.responder_net) + "; transcript " + f.transcript + " (" + std::to_string(result->transcript_records) +
      " records)");
  if (role == Role::kRequester) {
    std::string idx;
    for (const auto& op : result->retrieved) idx += (idx.empty() ? "" : ",") + std::to_string(op.index);
    log("retrieved " + std::to_string(result->retrieved.size()) + " documents" + (idx.empty() ? "" : ": " + idx));
    for (const auto& v : result->disputed) log("disputed: " + retrieval::to_string(v));
  }
  if (!f.result.empty()) {
    std::ofstream out(f.result);
    out << "stage " << o.stage << "\nrequester_net " << o.requester_net << "\nresponder_net " << o.responder_net
        << "\nrecords " << result->transcript_records << "\nretrieved " << result->retrieved.size() << "\n";
  }
  return kExitOk;
}

// ---- corpus make -----------------------------------------------------------------------------

int corpus_make_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict corpus make";
  std::string key_path, out;
  std::size_t first = 0, count = 0;
  std::int64_t random_seed = -1;
  std::uint32_t input_size = 784;
  po::options_description desc(
      "verdict corpus make: a corpus file of documents attested by their source (each document signed, Ed25519, by\n"
      "the source key): Fashion-MNIST test images, or random inputs for tests");
  desc.add_options()("help,h", "show this help")                                               //
      ("source-key", po::value(&key_path)->required(), "the source's secret key (verdict keygen)")  //
      ("out", po::value(&out)->required(), "the corpus file to write")                          //
      ("count", po::value(&count)->required(), "documents")                                     //
      ("first-test-image", po::value(&first)->default_value(0), "Fashion-MNIST test images from this index on")  //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or Debian's)")  //
      ("random", po::value(&random_seed), "tests: random documents from this seed instead")      //
      ("input-size", po::value(&input_size)->default_value(input_size), "bytes per random document");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " [options]"); rc >= 0) return rc;
  auto key = wire::read_secret_key(key_path);
  if (!key.ok()) return fail(cmd, key.error().message);
  if (count == 0 || count > retrieval::kMaxCorpus) return fail(cmd, "--count must be in 1..2^20");
  std::vector<retrieval::Document> docs(count);
  if (random_seed >= 0) {
    if (input_size == 0 || input_size > retrieval::kMaxInputSize) return fail(cmd, "--input-size must be in 1..16 MiB");
    ChaChaRng rng(static_cast<std::uint64_t>(random_seed));
    for (auto& d : docs) {
      d.input.resize(input_size);
      rng.fill(d.input);
    }
  } else {
    auto set = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTest, first + count);
    if (!set.ok()) return fail(cmd, set.error().message);
    if (set->size() < first + count) return fail(cmd, "not enough test images");
    for (std::size_t i = 0; i < count; ++i) docs[i].input = set->image_vector(first + i);
  }
  for (auto& d : docs) {
    const auto msg = retrieval::attestation_message(d.input);
    d.attestation = key->sign(msg);
  }
  if (Status s = write_bytes(out, retrieval::encode_corpus(docs)); !s.ok()) return fail(cmd, s.error().message);
  std::cout << "wrote " << count << " attested documents to " << out << "\n";
  return kExitOk;
}

// ---- retrieval-demo -------------------------------------------------------------------------

int demo_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict retrieval-demo";
  TermFlags tf;
  std::string model_path, onnx = "models/fashion_mnist/model.onnx", workdir, positive = "8";
  std::string extra[3];
  double tamper = 0.05, delta = 0.05;
  std::size_t first_image = 0;
  std::int64_t random_corpus = -1, max_run_s = 7200;
  po::options_description desc(
      "verdict retrieval-demo: the escrow service, the requester, the responder and the judge as separate processes\n"
      "on loopback: the responder commits to an attested corpus (Fashion-MNIST test images), proves the model on every\n"
      "document with the input hidden and returns the positive ones; the requester audits a sample; disputes go to the\n"
      "judge. Prints the outcome, the balances against the rules, and the offline judge's verdict (keys from a\n"
      "development SRS: INSECURE, for demonstration)");
  desc.add_options()("help,h", "show this help")                                                           //
      ("corpus-size", po::value(&tf.m)->default_value(24), "M: documents in the corpus")                  //
      ("sample", po::value(&tf.n)->default_value(0), "N: the audit sample (0: Clopper-Pearson from --tamper-bound/--delta, at most M)")  //
      ("tamper-bound", po::value(&tamper)->default_value(tamper), "p: bound the junk fraction by p ...")   //
      ("delta", po::value(&delta)->default_value(delta), "... with confidence 1 - delta (two-sided, Table 3)")  //
      ("price", po::value(&tf.price)->default_value(tf.price), "Z per proved document")                      //
      ("bond", po::value(&tf.bond)->default_value(tf.bond), "the responder's bond")                         //
      ("fee", po::value(&tf.fee)->default_value(tf.fee), "eps per party")                                   //
      ("positive-class", po::value(&positive)->default_value(positive),
       "the predicate's class (8: bag), or 'first' (the model's class of document 0)")  //
      ("first-test-image", po::value(&first_image)->default_value(0), "the corpus: test images from here")  //
      ("model", po::value(&model_path), "a quantized model (default: import models/fashion_mnist/model.onnx)")  //
      ("onnx", po::value(&onnx)->default_value(onnx), "the ONNX model to import")                           //
      ("random-corpus", po::value(&random_corpus), "tests: random documents from this seed")               //
      ("response-timeout-s", po::value(&tf.response_s)->default_value(tf.response_s), "each answer due within")  //
      ("proving-timeout-s", po::value(&tf.proving_s)->default_value(0), "0: 60 + 10 M")                   //
      ("judge-timeout-s", po::value(&tf.judge_s)->default_value(tf.judge_s), "the judge rules within")    //
      ("requester-flags", po::value(&extra[0]), "extra flags for verdict requester (deviations)")         //
      ("responder-flags", po::value(&extra[1]), "extra flags for verdict responder (--withhold-positive, --mismatch-opening, --junk K)")  //
      ("judge-flags", po::value(&extra[2]), "extra flags for verdict judge serve")                        //
      ("max-run-s", po::value(&max_run_s)->default_value(max_run_s), "give up after this long")           //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory")                                     //
      ("workdir", po::value(&workdir), "keep keys, ledger, corpus, transcripts and logs here");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " [options]"); rc >= 0) return rc;
  const auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& l) { std::cout << "[demo] [" << fixed1(seconds_since(t0)) << " s] " << l << "\n" << std::flush; };
  const bool keep = vm.count("workdir") > 0;
  if (!keep) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "verdict-retrieval-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return fail(cmd, "cannot make a temporary directory");
    workdir = tmpl;
  }
  std::filesystem::create_directories(workdir);
  const std::string w = workdir + "/";
  std::vector<pid_t> children;
  auto cleanup = [&] {
    for (pid_t p : children) ::kill(p, SIGTERM);
    for (pid_t p : children) wait_exit(p);
    children.clear();
    if (!keep) {
      std::error_code ec;
      std::filesystem::remove_all(workdir, ec);
    }
  };
  auto bail = [&](const std::string& m, int code = kExitRejected) {
    cleanup();
    return fail(cmd, m, code);
  };
  if (tf.m == 0 || tf.m > retrieval::kMaxCorpus) return bail("--corpus-size must be in 1..2^20", kExitUsage);
  if (tf.n == 0) {
    auto n = sizing::zero_failure_sample_size(tamper, delta, sizing::Sides::kTwo);
    if (!n.ok()) return bail(n.error().message, kExitUsage);
    tf.n = static_cast<std::uint32_t>(std::min<std::uint64_t>(*n, tf.m));
    say("audit sample N = " + std::to_string(tf.n) + " (Clopper-Pearson, two-sided: after N clean samples the junk "
        "fraction is below " + fixed1(100 * tamper) + "% with confidence " + fixed1(100 * (1 - delta)) + "%" +
        (tf.n == tf.m ? "; capped at M: every document is audited" : "") + ")");
  }

  // 1. The model and its keys; identities; the corpus.
  if (Status st = make_dev_keys(model_path, onnx, w, say); !st.ok()) return bail(st.error().message);
  auto model = read_model(model_path);
  if (!model.ok()) return bail(model.error().message);
  tf.input_size = static_cast<std::uint32_t>(model->tensors[model->input].shape.size());
  OsRng rng;
  std::map<std::string, wire::PublicKey> pub;
  for (const char* n : {"operator", "escrow", "requester", "responder", "judge", "source"}) {
    wire::KeyPair kp = wire::KeyPair::generate(rng);
    if (Status s = wire::write_secret_key(w + n + ".key", kp); !s.ok()) return bail(s.error().message);
    if (Status s = wire::write_public_key(w + n + ".pub", kp.public_key()); !s.ok()) return bail(s.error().message);
    pub[n] = kp.public_key();
  }
  tf.source_key = w + "source.pub";
  std::vector<std::string> make = {"corpus", "make", "--source-key", w + "source.key", "--out", w + "corpus.vcor",
                                   "--count", std::to_string(tf.m)};
  if (random_corpus >= 0) {
    make.insert(make.end(), {"--random", std::to_string(random_corpus), "--input-size", std::to_string(tf.input_size)});
  } else {
    make.insert(make.end(), {"--first-test-image", std::to_string(first_image)});
    if (vm.count("dataset")) make.insert(make.end(), {"--dataset", vm["dataset"].as<std::string>()});
  }
  if (int rc = wait_exit(spawn_self(make, w + "corpus.log")); rc != 0) return bail("verdict corpus make failed (log: " + w + "corpus.log)");
  auto corpus_bytes = read_bytes(w + "corpus.vcor");
  auto corpus = corpus_bytes.ok() ? retrieval::decode_corpus(*corpus_bytes) : Result<std::vector<retrieval::Document>>(corpus_bytes.error());
  if (!corpus.ok()) return bail(corpus.error().message);
  // What the model says of every document (the demo's own check of completeness).
  std::vector<std::uint32_t> classes;
  for (const auto& d : *corpus) {
    auto out = nn::run_reference(*model, d.input);
    classes.push_back(out.ok() ? retrieval::predicted_class((*out)[model->output]) : 0xffffffff);
  }
  if (positive == "first") {
    tf.positive = classes[0];
  } else {
    try {
      tf.positive = static_cast<std::uint32_t>(std::stoul(positive));
    } catch (...) {
      return bail("--positive-class must be a class index or 'first'", kExitUsage);
    }
  }
  std::size_t positives = 0;
  for (auto c : classes) positives += c == tf.positive ? 1 : 0;
  say("corpus: " + std::to_string(tf.m) + " documents attested by the source; the model calls " +
      std::to_string(positives) + " of them positive (class " + std::to_string(tf.positive) + ")");
  auto terms = make_terms(tf);
  if (!terms.ok()) return bail(terms.error().message, kExitUsage);

  // 2. The escrow service and the deposits.
  const std::vector<int> ports = free_ports(4);
  if (ports.size() != 4) return bail("no free loopback ports");
  auto ep = [&](int i) { return "tcp://127.0.0.1:" + std::to_string(ports[std::size_t(i)]); };
  children.push_back(spawn_self({"escrow", "serve", "--db", w + "escrow.db", "--bind", ep(0), "--key", w + "escrow.key",
                                 "--operator", to_hex(pub["operator"])},
                                w + "escrow.log"));
  auto op_key = wire::read_secret_key(w + "operator.key");
  if (!op_key.ok()) return bail(op_key.error().message);
  zmq::context_t ctx;
  escrow::SystemClock clock;
  escrowd::EscrowClient op(ctx, *op_key, pub["escrow"], clock, {ep(0), 500, 60, 20, {}});
  if (auto h = op.audit_head(); !h.ok()) return bail("the escrow service did not answer: " + h.error().message);
  const auto& p = terms->params;
  const std::map<std::string, escrow::Amount> mint = {{"requester", std::int64_t{p.m} * p.z + p.eps},
                                                      {"responder", p.bond + p.eps}};
  for (const auto& [who, amount] : mint) {
    escrow::Request req;
    rng.fill(req.op_id);
    req.body = escrow::Mint{pub[who], amount};
    auto r = op.submit(req);
    if (!r.ok() || r->status != escrowd::ReplyStatus::kApplied) return bail("minting for " + who + " failed");
  }
  auto total = [&](const std::string& who) -> escrow::Amount {
    auto s = op.summary(pub[who]);
    return s.ok() ? s->available + s->staked + s->held : 0;
  };
  const escrow::Amount before_req = total("requester"), before_resp = total("responder");
  say("escrow on " + ep(0) + "; funded: requester " + std::to_string(before_req) + " (M*Z + eps), responder " +
      std::to_string(before_resp) + " (bond + eps)");

  // 3. The agents.
  std::vector<std::string> common = {"--escrow", ep(0), "--escrow-key", w + "escrow.pub", "--max-run-s", std::to_string(max_run_s)};
  for (int r = 0; r < 3; ++r) {
    common.insert(common.end(), {std::string("--") + kRoleFlag[r] + "-key", w + kRoleFlag[r] + ".pub",
                                 std::string("--") + kRoleFlag[r] + "-endpoint", ep(r + 1)});
  }
  const auto targs = term_args(tf);
  common.insert(common.end(), targs.begin(), targs.end());
  auto agent_args = [&](int r) {
    std::vector<std::string> v = r == 2 ? std::vector<std::string>{"judge", "serve"} : std::vector<std::string>{kRoleFlag[r]};
    v.insert(v.end(), {"--key", w + kRoleFlag[r] + ".key", "--transcript", w + kRoleFlag[r] + ".transcript", "--result",
                       w + kRoleFlag[r] + ".result"});
    v.insert(v.end(), common.begin(), common.end());
    if (r == 0) v.insert(v.end(), {"--model", model_path, "--vk", w + "model.vk"});
    if (r == 1) v.insert(v.end(), {"--corpus", w + "corpus.vcor", "--model", model_path, "--pk", w + "model.pk", "--srs", w + "dev.ptau"});
    if (r == 2) v.insert(v.end(), {"--vk", w + "model.vk"});
    std::istringstream extra_flags(extra[r]);
    for (std::string a; extra_flags >> a;) v.push_back(a);
    return v;
  };
  say("starting the judge, the responder and the requester");
  const pid_t judge = spawn_self(agent_args(2)), responder = spawn_self(agent_args(1)), requester = spawn_self(agent_args(0));
  const int rc_req = wait_exit(requester), rc_resp = wait_exit(responder), rc_judge = wait_exit(judge);
  say("agents exited: requester " + std::to_string(rc_req) + ", responder " + std::to_string(rc_resp) + ", judge " +
      std::to_string(rc_judge));

  // 4. The outcome, the balances, the judge.
  auto res = read_result(w + "requester.result");
  const std::string stage = res.count("stage") ? res["stage"] : "";
  const auto want = retrieval::outcome_of(*terms, stage);
  const escrow::Amount req_net = total("requester") - before_req, resp_net = total("responder") - before_resp;
  auto fees = op.balance(escrow::kFeeAccount);
  const escrow::Amount fee_net = fees.ok() ? *fees : 0;
  const bool rules_ok = !stage.empty() && want.requester_net == req_net && want.responder_net == resp_net;
  const bool conserved = req_net + resp_net + fee_net == 0;
  std::cout << "\n== outcome: " << (stage.empty() ? "?" : stage) << "\n"
            << "   retrieved " << (res.count("retrieved") ? res["retrieved"] : "?") << " documents; the model calls "
            << positives << " of the corpus positive\n"
            << "   requester net " << req_net << ", responder net " << resp_net << ", escrow fee net " << fee_net << "\n"
            << "   the escrow rules give requester " << want.requester_net << ", responder " << want.responder_net << ": "
            << (rules_ok ? "balances agree" : "MISMATCH") << "\n"
            << "   money conserved (requester + responder + fees = 0): " << (conserved ? "yes" : "NO") << "\n";
  judge::AuditOptions o;
  o.parties = {pub["requester"], pub["responder"], pub["judge"]};
  o.escrow = pub["escrow"];
  auto vk = read_vk(w + "model.vk");
  if (vk.ok()) o.vk = &*vk;
  const auto tj = std::chrono::steady_clock::now();
  const judge::Verdict v = judge::audit({w + "requester.transcript", w + "responder.transcript", w + "judge.transcript"}, o);
  std::cout << "   judge (offline, from the transcripts): " << (v.clean() ? "CLEAN" : std::to_string(v.findings.size()) + " violation(s)")
            << " (" << v.checked.size() << " checks, " << fixed1(seconds_since(tj)) << " s)";
  for (const auto& f : v.findings) std::cout << "\n     " << f.where << ": " << f.party << " broke '" << f.rule << "': " << f.detail;
  std::cout << "\n";
  if (keep)
    std::cout << "   audit by hand: verdict judge audit " << w << "{requester,responder,judge}.transcript --party-key " << w
              << "requester.pub --party-key " << w << "responder.pub --party-key " << w << "judge.pub --escrow-key " << w
              << "escrow.pub --vk " << w << "model.vk\n";
  std::cout << "   (" << fixed1(seconds_since(t0)) << " s in all" << (keep ? "; files in " + workdir : std::string()) << ")\n"
            << std::flush;
  const bool agents_ok = rc_req == 0 && rc_resp == 0 && rc_judge == 0;
  if (!agents_ok) std::cout << "   an agent failed (run with --workdir to keep the logs)\n";
  cleanup();
  return rules_ok && conserved && agents_ok ? kExitOk : kExitRejected;
}

}  // namespace

Command requester_command() {
  return {"requester", "The retrieval protocol's requester as a process (the model's positive documents, audited)",
          [](const std::vector<std::string>& a) { return agent_main(Role::kRequester, a); },
          {}};
}
Command responder_command() {
  return {"responder", "The retrieval protocol's responder as a process (commits its corpus, proves every document)",
          [](const std::vector<std::string>& a) { return agent_main(Role::kResponder, a); },
          {}};
}
Command judge_serve_command() {
  return {"serve", "The retrieval protocol's live judge: rules on disputes from the parties' filed transcripts",
          [](const std::vector<std::string>& a) { return agent_main(Role::kJudge, a); },
          {}};
}
Command corpus_command() {
  return {"corpus", "Retrieval corpora", nullptr, {{"make", "Write a corpus of source-attested documents", corpus_make_main, {}}}};
}
Command retrieval_demo_command() {
  return {"retrieval-demo", "Trustless retrieval end to end: escrow, requester, responder and judge as processes", demo_main, {}};
}

}  // namespace verdict::cli
