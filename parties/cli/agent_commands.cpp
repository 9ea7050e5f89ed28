// verdict mp | mc | verifier: the accuracy protocol's agents as processes
// (parties/agents, docs/protocols.md "Agents over ZeroMQ"), and verdict demo, which
// starts the escrow service and the three agents on loopback and runs the protocol on
// Fashion-MNIST with real proofs; verdict transcript, which checks and lists an agent's
// transcript (docs/formats.md, "Protocol transcripts").
//
// Exit codes: 0 the protocol ended (whatever the outcome), 1 it did not (an error, or no
// end in time), 2 bad usage or input; a deviating agent told to exit at a stage exits 3.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <zmq.hpp>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "escrow/accuracy_rules.hpp"
#include "escrow/clock.hpp"
#include "escrow/ids.hpp"
#include "parties/agents/agent.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "parties/cli/process.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/judge/judge.hpp"
#include "parties/wire/envelope.hpp"
#include "parties/wire/keys.hpp"
#include "protocols/sizing/hoeffding.hpp"
#include "snark/commit/srs.hpp"
#include "snark/nn/fashion_mnist.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::cli {

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using accuracy::Role;

// ---- the terms every party must agree on ------------------------------------------------

struct TermFlags {
  std::int64_t n1 = 4, n2 = 24;
  std::int64_t unit = 100, price = 1, snark_cost = 10, fee = 1;
  double target = 0.75;
  std::int64_t funding_s = 120, response_s = 30, proving_s = 0, verdict_s = 60;
};

void add_term_options(po::options_description& desc, TermFlags& t) {
  desc.add_options()("n1", po::value(&t.n1)->default_value(t.n1), "N1: examples MP inspects (the subset)")  //
      ("n2", po::value(&t.n2)->default_value(t.n2), "N2: examples proved with a SNARK")                     //
      ("unit", po::value(&t.unit)->default_value(t.unit), "E: escrow unit per example")                     //
      ("price", po::value(&t.price)->default_value(t.price), "P: price of inspecting one example")          //
      ("snark-cost", po::value(&t.snark_cost)->default_value(t.snark_cost), "Z: price of one SNARK")        //
      ("fee", po::value(&t.fee)->default_value(t.fee), "eps: the escrow's fee per party")                   //
      ("target", po::value(&t.target)->default_value(t.target), "accuracy target a in [0, 1] on the N2 proved examples")  //
      ("funding-timeout-s", po::value(&t.funding_s)->default_value(t.funding_s), "funding deadline")       //
      ("response-timeout-s", po::value(&t.response_s)->default_value(t.response_s), "every answer's deadline")  //
      ("proving-timeout-s", po::value(&t.proving_s)->default_value(t.proving_s),
       "MP's proving deadline (0: 60 + 15 s per proof)")  //
      ("verdict-timeout-s", po::value(&t.verdict_s)->default_value(t.verdict_s), "the verifier's ruling deadline");
}

Result<accuracy::Terms> make_terms(const TermFlags& f) {
  accuracy::Terms t;
  auto& a = t.params;
  a.n1 = f.n1;
  a.n2 = f.n2;
  a.e = f.unit;
  a.p = f.price;
  a.z = f.snark_cost;
  a.eps = f.fee;
  a.funding_timeout_ms = f.funding_s * 1000;
  a.response_timeout_ms = f.response_s * 1000;
  a.proving_timeout_ms = (f.proving_s > 0 ? f.proving_s : 60 + 15 * f.n2) * 1000;
  a.verdict_timeout_ms = f.verdict_s * 1000;
  if (!(f.target >= 0 && f.target <= 1)) return Error{"--target must be in [0, 1]"};
  t.target_den = 10000;
  t.target_num = static_cast<std::uint32_t>(std::llround(f.target * 10000));
  if (Status s = accuracy::check_terms(t); !s.ok()) return s.error();
  return t;
}

std::vector<std::string> term_args(const TermFlags& f) {
  std::ostringstream target;
  target.precision(10);
  target << f.target;
  return {"--n1", std::to_string(f.n1), "--n2", std::to_string(f.n2), "--unit", std::to_string(f.unit), "--price",
          std::to_string(f.price), "--snark-cost", std::to_string(f.snark_cost), "--fee", std::to_string(f.fee),
          "--target", target.str(), "--funding-timeout-s", std::to_string(f.funding_s), "--response-timeout-s",
          std::to_string(f.response_s), "--proving-timeout-s", std::to_string(f.proving_s), "--verdict-timeout-s",
          std::to_string(f.verdict_s)};
}

// ---- one agent -----------------------------------------------------------------------------

struct AgentFlags {
  TermFlags terms;
  std::string key, escrow, escrow_key, transcript, result;
  std::string endpoint[3], pub[3];
  std::vector<std::string> withhold, corrupt;
  std::string exit_at;
  bool abort_after_inspection = false, corrupt_proofs = false, abort_while_proving = false;
  std::int64_t max_run_s = 3600;
  // MP
  std::string model, pk, srs;
  // MC, verifier
  std::string vk;
  std::size_t first_image = 0;
  std::int64_t random_examples = -1;
};

void add_agent_options(po::options_description& desc, AgentFlags& f) {
  desc.add_options()("help,h", "show this help")                                                             //
      ("key", po::value(&f.key)->required(), "this agent's secret key file (verdict keygen)")                //
      ("escrow", po::value(&f.escrow)->required(), "the escrow service's endpoint")                          //
      ("escrow-key", po::value(&f.escrow_key)->required(), "the escrow service's public key (file or hex)")  //
      ("mp-key", po::value(&f.pub[0])->required(), "MP's public key (file or hex)")                          //
      ("mc-key", po::value(&f.pub[1])->required(), "MC's public key (file or hex)")                          //
      ("verifier-key", po::value(&f.pub[2])->required(), "the verifier's public key (file or hex)")          //
      ("mp-endpoint", po::value(&f.endpoint[0])->required(), "where MP listens (e.g. tcp://127.0.0.1:7501)")  //
      ("mc-endpoint", po::value(&f.endpoint[1])->required(), "where MC listens")                              //
      ("verifier-endpoint", po::value(&f.endpoint[2])->required(), "where the verifier listens")              //
      ("transcript", po::value(&f.transcript)->required(), "append every envelope to this transcript file")  //
      ("result", po::value(&f.result), "write the outcome here (stage, nets, transcript head)")             //
      ("max-run-s", po::value(&f.max_run_s)->default_value(f.max_run_s), "give up after this long")          //
      ("withhold", po::value(&f.withhold)->composing(), "deviation: never submit this transition (repeatable)")  //
      ("corrupt", po::value(&f.corrupt)->composing(), "deviation: submit this transition with corrupted evidence (repeatable)")  //
      ("exit-at", po::value(&f.exit_at), "deviation: exit at once (as if killed) when the escrow reaches this stage");
  add_term_options(desc, f.terms);
}

int agent_main(Role role, const std::vector<std::string>& args) {
  const std::string cmd = std::string("verdict ") + accuracy::role_name(role);
  AgentFlags f;
  po::options_description desc(cmd + ": the accuracy protocol's " + accuracy::role_name(role) + " as a process");
  add_agent_options(desc, f);
  if (role == Role::kMp) {
    desc.add_options()("model", po::value(&f.model)->required(), "the quantized model (verdict import)")  //
        ("pk", po::value(&f.pk)->required(), "the proving key (verdict setup)")                            //
        ("srs", po::value(&f.srs)->required(), "the SRS the keys were made with (.ptau; a dev SRS is accepted)")  //
        ("abort-after-inspection", po::bool_switch(&f.abort_after_inspection), "deviation: abort at step 4")        //
        ("corrupt-proofs", po::bool_switch(&f.corrupt_proofs), "deviation: flip a byte of every proof (invalid SNARKs)")  //
        ("abort-while-proving", po::bool_switch(&f.abort_while_proving),
         "deviation: abort after step 5 (MP has the rest and posts abort instead of proofs)");
  } else {
    desc.add_options()("vk", po::value(&f.vk)->required(), "the model's verifying key (verdict setup)");
  }
  if (role == Role::kMc) {
    desc.add_options()("first-test-image", po::value(&f.first_image)->default_value(0),
                       "the test set: Fashion-MNIST test images from this index on (N1 + N2 of them)")  //
        ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or Debian's)")  //
        ("random-examples", po::value(&f.random_examples),
         "tests: N random inputs of the model's input size with random labels from this seed instead");
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
  const std::string tag = std::string("[") + accuracy::role_name(role) + "] ";
  agents::AgentConfig c;
  c.role = role;
  c.terms = *terms;
  c.key = &*key;
  for (int r = 0; r < 3; ++r) {
    auto p = wire::read_public_key(f.pub[r]);
    if (!p.ok()) return fail(cmd, p.error().message);
    c.parties[r] = {*p, f.endpoint[r]};
  }
  if (c.parties[static_cast<int>(role)].key != key->public_key())
    return fail(cmd, "--key is not the " + std::string(accuracy::role_name(role)) + " key the other flags name");
  c.escrow_endpoint = f.escrow;
  c.escrow_key = *escrow_key;
  c.transcript_path = f.transcript;
  c.max_run_ms = f.max_run_s * 1000;
  c.withhold = {f.withhold.begin(), f.withhold.end()};
  c.corrupt = {f.corrupt.begin(), f.corrupt.end()};
  c.exit_at_stage = f.exit_at;
  c.log = [tag, t0](const std::string& line) {
    std::cout << tag << "[" << fixed1(seconds_since(t0)) << " s] " << line << "\n" << std::flush;
  };

  // Work the machines ask for.
  OsRng rng;
  std::string measured;  // MC: correct/N2 among the proved predictions
  std::optional<nn::Model> model;
  std::optional<nn::ModelProvingKey> pk;
  std::optional<nn::ModelVerifyingKey> vk;
  if (role == Role::kMp) {
    auto m = read_model(f.model);
    if (!m.ok()) return fail(cmd, m.error().message);
    model = std::move(*m);
    auto p = read_pk(*model, f.pk, f.srs, rng);
    if (!p.ok()) return fail(cmd, p.error().message);
    pk = std::move(*p);
    c.model_commitment = pk->mvk.model_commitment();
    c.log("model commitment " + to_hex(c.model_commitment).substr(0, 16) + "..., keys loaded");
    c.inspect = [&](const accuracy::InspectSubset& s) {
      if (f.abort_after_inspection) {
        c.log("inspected the subset (" + std::to_string(s.examples.size()) + " examples): deviation: aborting");
        return false;
      }
      c.log("inspected the subset (" + std::to_string(s.examples.size()) + " examples): proceeding");
      return true;
    };
    c.prove = [&](const accuracy::ProveRest& r) -> std::optional<std::vector<nn::ModelProof>> {
      std::vector<nn::ModelProof> out;
      if (f.abort_while_proving) {
        c.log("received the rest (" + std::to_string(r.examples.size()) + " examples): deviation: aborting instead of proving");
        return std::nullopt;
      }
      const auto p0 = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < r.examples.size(); ++i) {
        const auto t1 = std::chrono::steady_clock::now();
        auto proof = nn::prove(*pk, *model, r.examples[i].input, r.examples[i].salt, rng);
        if (!proof.ok()) {
          c.log("proving example " + std::to_string(r.indices[i]) + " failed: " + proof.error().message);
          return std::nullopt;
        }
        c.log("proved example " + std::to_string(r.indices[i]) + " (" + std::to_string(i + 1) + "/" +
              std::to_string(r.examples.size()) + ", " + fixed1(seconds_since(t1)) + " s)");
        if (f.corrupt_proofs && !proof->proof.empty()) proof->proof[proof->proof.size() / 2] ^= 1;
        out.push_back(std::move(*proof));
      }
      if (f.corrupt_proofs) c.log("deviation: every proof corrupted");
      c.log("proved " + std::to_string(out.size()) + " examples in " + fixed1(seconds_since(p0)) + " s");
      return out;
    };
  } else {
    auto v = read_vk(f.vk);
    if (!v.ok()) return fail(cmd, v.error().message);
    vk = std::move(*v);
    c.expected_model = vk->model_commitment();
    c.verify = [&](const std::vector<nn::ModelProof>& proofs) {
      std::vector<bool> valid;
      const auto v0 = std::chrono::steady_clock::now();
      std::size_t bad = 0;
      for (const auto& p : proofs) {
        valid.push_back(nn::verify(*vk, p).ok());
        bad += valid.back() ? 0 : 1;
      }
      c.log("verified " + std::to_string(proofs.size()) + " proofs in " + fixed1(seconds_since(v0)) + " s: " +
            (bad ? std::to_string(bad) + " invalid" : std::string("all valid")));
      if (role == Role::kMc && !proofs.empty()) {  // MC knows the labels: report the accuracy
        std::size_t correct = 0;
        for (const auto& p : proofs) {
          for (const auto& e : c.examples) {
            if (nn::input_commitment(e.input, e.salt) != p.values.input_commitment) continue;
            correct += accuracy::predicted_class(p.values.output) == e.label ? 1 : 0;
            break;
          }
        }
        measured = std::to_string(correct) + "/" + std::to_string(proofs.size());
        c.log("the proved predictions: " + std::to_string(correct) + "/" + std::to_string(proofs.size()) +
              " correct (" + fixed1(100.0 * double(correct) / double(proofs.size())) + "%), target " +
              fixed1(100 * f.terms.target) + "%");
      }
      return valid;
    };
  }
  if (role == Role::kMc) {
    const std::uint32_t n = accuracy::total_examples(*terms);
    if (vm.count("random-examples")) {
      ChaChaRng er(static_cast<std::uint64_t>(f.random_examples));
      for (std::uint32_t i = 0; i < n; ++i) {
        accuracy::Example e;
        e.input.resize(vk->input_shape.size());
        er.fill(e.input);
        e.label = static_cast<std::uint32_t>(er.uniform(10));
        e.salt = field::Fr::random(rng);
        c.examples.push_back(std::move(e));
      }
      c.log("test set: " + std::to_string(n) + " random examples (seed " + std::to_string(f.random_examples) + ")");
    } else {
      auto set = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTest, f.first_image + n);
      if (!set.ok()) return fail(cmd, set.error().message);
      if (set->size() < f.first_image + n) return fail(cmd, "not enough test images");
      if (std::size_t(set->rows) * set->cols != vk->input_shape.size())
        return fail(cmd, "the model's input is not a 28x28 image; use --random-examples");
      for (std::uint32_t i = 0; i < n; ++i) {
        accuracy::Example e;
        e.input = set->image_vector(f.first_image + i);
        e.label = set->labels[f.first_image + i];
        e.salt = field::Fr::random(rng);
        c.examples.push_back(std::move(e));
      }
      c.log("test set: Fashion-MNIST test images " + std::to_string(f.first_image) + ".." +
            std::to_string(f.first_image + n - 1) + " (N = " + std::to_string(n) + "), salted and committed");
    }
  }

  auto result = agents::run_agent(c);
  if (!result.ok()) return fail(cmd, result.error().message, kExitRejected);
  const auto& o = result->outcome;
  c.log("finished: " + o.stage + ", MP net " + std::to_string(o.mp_net) + ", MC net " + std::to_string(o.mc_net) +
        "; transcript " + f.transcript + " (" + std::to_string(result->transcript_records) + " records, head " +
        to_hex(result->transcript_head).substr(0, 16) + "...)");
  if (!f.result.empty()) {
    std::ofstream out(f.result);
    out << "stage " << o.stage << "\nmp_net " << o.mp_net << "\nmc_net " << o.mc_net << "\nrecords "
        << result->transcript_records << "\nhead " << to_hex(result->transcript_head) << "\n";
    if (!measured.empty()) out << "correct " << measured << "\n";
  }
  return kExitOk;
}

// ---- demo ----------------------------------------------------------------------------------

int demo_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict demo";
  TermFlags tf;
  std::string model_path, onnx = "models/fashion_mnist/model.onnx", workdir, mp_exit_at;
  std::vector<std::string> mc_withhold, mp_withhold;
  std::string extra[3];
  double eps = 0, delta = 0.05;
  std::size_t first_image = 0;
  std::int64_t random_examples = -1, max_run_s = 1800;
  po::options_description desc(
      "verdict demo: the escrow service, MP, MC and the verifier as separate processes on loopback, running the\n"
      "accuracy protocol on Fashion-MNIST test images with real proofs (keys from a development SRS: INSECURE,\n"
      "for demonstrations)");
  desc.add_options()("help,h", "show this help")                                                                //
      ("onnx", po::value(&onnx)->default_value(onnx), "the ONNX model to import (verdict import)")               //
      ("model", po::value(&model_path), "an already-imported model file instead of --onnx")                      //
      ("eps", po::value(&eps), "choose N2 as the paper's Table 4 does (protocols/sizing, one-sided Hoeffding: "
                               "N2 = ceil(ln(1/delta) / (2 eps^2)); eps 0.05 gives 600 proofs: long); default: --n2")  //
      ("delta", po::value(&delta)->default_value(delta), "the confidence parameter for --eps (and for the report)")  //
      ("first-test-image", po::value(&first_image)->default_value(0), "MC's test set starts at this test image")  //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or Debian's)")  //
      ("random-examples", po::value(&random_examples), "tests: MC uses random examples from this seed")          //
      ("workdir", po::value(&workdir), "keep keys, ledger, transcripts and logs here (default: a temporary directory, removed)")  //
      ("max-run-s", po::value(&max_run_s)->default_value(max_run_s), "stop everything after this long")         //
      ("mc-withhold", po::value(&mc_withhold)->composing(), "deviation: MC never submits this transition")       //
      ("mp-withhold", po::value(&mp_withhold)->composing(), "deviation: MP never submits this transition")       //
      ("mp-exit-at", po::value(&mp_exit_at), "deviation: MP's process exits (as if killed) at this stage")     //
      ("mp-flags", po::value(&extra[0]), "more flags for `verdict mp`, e.g. \"--abort-after-inspection\"")       //
      ("mc-flags", po::value(&extra[1]), "more flags for `verdict mc`, e.g. \"--corrupt publish_subset_key\"")   //
      ("verifier-flags", po::value(&extra[2]), "more flags for `verdict verifier`, e.g. \"--withhold pass\"");
  add_term_options(desc, tf);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " [options]"); rc >= 0) return rc;
  if (vm.count("eps")) {
    auto n2 = sizing::accuracy_test_sample_size(eps, delta);
    if (!n2.ok()) return fail(cmd, n2.error().message);
    tf.n2 = static_cast<std::int64_t>(*n2);
  }
  auto terms = make_terms(tf);
  if (!terms.ok()) return fail(cmd, terms.error().message);
  const auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& line) {
    std::cout << "[demo] [" << fixed1(seconds_since(t0)) << " s] " << line << "\n" << std::flush;
  };

  const bool keep = vm.count("workdir") > 0;
  if (!keep) {
    char tmpl[] = "/tmp/verdict-demo-XXXXXX";
    if (!::mkdtemp(tmpl)) return fail(cmd, "cannot create a temporary directory", 3);
    workdir = tmpl;
  }
  fs::create_directories(workdir);
  const std::string w = workdir + "/";
  std::vector<pid_t> children;
  auto cleanup = [&] {
    for (pid_t p : children) ::kill(p, SIGTERM);
    for (pid_t p : children) ::waitpid(p, nullptr, 0);
    children.clear();
    if (!keep) {
      std::error_code ec;
      fs::remove_all(workdir, ec);
    }
  };
  auto bail = [&](const std::string& m, int code = kExitRejected) {
    cleanup();
    return fail(cmd, m, code);
  };

  // 1. The model and its keys, once.
  const auto& a = terms->params;
  say("terms: N1 = " + std::to_string(a.n1) + " inspected, N2 = " + std::to_string(a.n2) +
      " proved, E = " + std::to_string(a.e) + ", P = " + std::to_string(a.p) + ", Z = " + std::to_string(a.z) +
      ", eps = " + std::to_string(a.eps) + ", target accuracy " + fixed1(tf.target * 100) + "%");
  if (auto m = sizing::hoeffding_margin(static_cast<std::uint64_t>(a.n2), delta, sizing::Sides::kOne); m.ok())
    say("with N2 = " + std::to_string(a.n2) + " proofs the true accuracy is at least the measured one minus " +
        fixed1(100 * *m) + " points with confidence " + fixed1(100 * (1 - delta)) +
        "% (one-sided Hoeffding; --eps/--delta size N2)");
  if (Status st = make_dev_keys(model_path, onnx, w, say); !st.ok()) return bail(st.error().message);

  // 2. Identities, ports, the escrow service.
  OsRng rng;
  const char* names[] = {"operator", "escrow", "mp", "mc", "verifier"};
  std::map<std::string, wire::PublicKey> pub;
  for (const char* n : names) {
    wire::KeyPair kp = wire::KeyPair::generate(rng);
    if (Status s = wire::write_secret_key(w + n + ".key", kp); !s.ok()) return bail(s.error().message);
    if (Status s = wire::write_public_key(w + n + ".pub", kp.public_key()); !s.ok()) return bail(s.error().message);
    pub[n] = kp.public_key();
  }
  const std::vector<int> ports = free_ports(4);
  if (ports.size() != 4) return bail("no free loopback ports");
  auto ep = [&](int i) { return "tcp://127.0.0.1:" + std::to_string(ports[std::size_t(i)]); };
  children.push_back(spawn_self({"escrow", "serve", "--db", w + "escrow.db", "--bind", ep(0), "--key", w + "escrow.key",
                                 "--operator", to_hex(pub["operator"])},
                                w + "escrow.log"));
  say("escrow service on " + ep(0) + " (ledger " + w + "escrow.db)");
  auto op_key = wire::read_secret_key(w + "operator.key");
  if (!op_key.ok()) return bail(op_key.error().message);
  zmq::context_t ctx;
  escrow::SystemClock clock;
  escrowd::EscrowClient op(ctx, *op_key, pub["escrow"], clock, {ep(0), 500, 60, 20, {}});
  if (auto h = op.audit_head(); !h.ok()) return bail("the escrow service did not answer: " + h.error().message);
  const escrow::Amount two_ne = 2 * (a.n1 + a.n2) * a.e;
  const escrow::Amount stake = a.mp_min_stake.value_or(1000 * a.n1 * a.e);
  const std::map<std::string, escrow::Amount> mint = {{"mp", stake + two_ne + a.eps}, {"mc", two_ne + a.eps}};
  for (const auto& [who, amount] : mint) {
    escrow::Request req;
    rng.fill(req.op_id);
    req.body = escrow::Mint{pub[who], amount};
    auto r = op.submit(req);
    if (!r.ok() || r->status != escrowd::ReplyStatus::kApplied) return bail("minting for " + who + " failed");
  }
  auto total = [&](const std::string& who) -> escrow::Amount {
    auto s = op.summary(pub[who]);
    return s.ok() ? s->available + s->staked + s->held : -1;
  };
  auto fees = [&]() -> escrow::Amount {
    auto b = op.balance(escrow::kFeeAccount);
    return b.ok() ? *b : 0;
  };
  const escrow::Amount mp0 = total("mp"), mc0 = total("mc"), fee0 = fees();
  say("funded: MP " + std::to_string(mp0) + " (stake " + std::to_string(stake) + " + deposit " +
      std::to_string(two_ne + a.eps) + "), MC " + std::to_string(mc0) + " (deposit 2NE + eps)");

  // 3. The agents.
  std::vector<std::string> common = {"--escrow", ep(0), "--escrow-key", to_hex(pub["escrow"]), "--mp-key", to_hex(pub["mp"]),
                                     "--mc-key", to_hex(pub["mc"]), "--verifier-key", to_hex(pub["verifier"]),
                                     "--mp-endpoint", ep(1), "--mc-endpoint", ep(2), "--verifier-endpoint", ep(3),
                                     "--max-run-s", std::to_string(max_run_s)};
  for (auto& s : term_args(tf)) common.push_back(s);
  auto agent_args = [&](const std::string& role) {
    std::vector<std::string> v = {role, "--key", w + role + ".key", "--transcript", w + role + ".transcript", "--result",
                                  w + role + ".result"};
    v.insert(v.end(), common.begin(), common.end());
    return v;
  };
  auto v_args = agent_args("verifier");
  v_args.insert(v_args.end(), {"--vk", w + "model.vk"});
  auto mp_args = agent_args("mp");
  mp_args.insert(mp_args.end(), {"--model", model_path, "--pk", w + "model.pk", "--srs", w + "dev.ptau"});
  for (auto& t : mp_withhold) mp_args.insert(mp_args.end(), {"--withhold", t});
  if (!mp_exit_at.empty()) mp_args.insert(mp_args.end(), {"--exit-at", mp_exit_at});
  auto mc_args = agent_args("mc");
  mc_args.insert(mc_args.end(), {"--vk", w + "model.vk", "--first-test-image", std::to_string(first_image)});
  if (vm.count("dataset")) mc_args.insert(mc_args.end(), {"--dataset", vm["dataset"].as<std::string>()});
  if (random_examples >= 0) mc_args.insert(mc_args.end(), {"--random-examples", std::to_string(random_examples)});
  for (auto& t : mc_withhold) mc_args.insert(mc_args.end(), {"--withhold", t});
  auto add_extra = [](std::vector<std::string>& v, const std::string& flags) {
    std::istringstream in(flags);
    for (std::string word; in >> word;) v.push_back(word);
  };
  add_extra(mp_args, extra[0]);
  add_extra(mc_args, extra[1]);
  add_extra(v_args, extra[2]);
  say("starting the verifier, MP and MC on " + ep(3) + ", " + ep(1) + ", " + ep(2));
  const pid_t vp = spawn_self(v_args), mpp = spawn_self(mp_args), mcp = spawn_self(mc_args);
  const int rc_v = wait_exit(vp), rc_mp = wait_exit(mpp), rc_mc = wait_exit(mcp);
  say("agents exited: MP " + std::to_string(rc_mp) + ", MC " + std::to_string(rc_mc) + ", verifier " + std::to_string(rc_v));

  // 4. The outcome, the balances, the transcripts.
  std::string stage, measured;
  for (const char* r : {"mc", "verifier", "mp"}) {
    auto res = read_result(w + r + ".result");
    if (stage.empty() && res.count("stage")) stage = res["stage"];
    if (measured.empty() && res.count("correct")) measured = res["correct"];
  }
  const escrow::Amount mp_net = total("mp") - mp0, mc_net = total("mc") - mc0, fee_net = fees() - fee0;
  const accuracy::Outcome want = accuracy::outcome_of(*terms, stage.empty() ? "abandoned" : stage);
  std::cout << "\n== outcome: " << (stage.empty() ? "none (no agent finished)" : stage) << "\n";
  if (!measured.empty())
    std::cout << "   proved predictions correct: " << measured << " (target " << fixed1(100 * tf.target) << "%)\n";
  std::cout
            << "   balances (available + staked + held):\n"
            << "     MP        " << mp0 << " -> " << (mp0 + mp_net) << "   net " << mp_net << "\n"
            << "     MC        " << mc0 << " -> " << (mc0 + mc_net) << "   net " << mc_net << "\n"
            << "     escrow fee          net " << fee_net << "\n";
  const bool rules_ok = !stage.empty() && want.mp_net == mp_net && want.mc_net == mc_net;
  const bool conserved = mp_net + mc_net + fee_net == 0;
  std::cout << "   the escrow rules give MP " << want.mp_net << ", MC " << want.mc_net << ": "
            << (rules_ok ? "balances agree" : "MISMATCH") << "\n"
            << "   money conserved (MP + MC + fees = 0): " << (conserved ? "yes" : "NO") << "\n";
  for (const char* r : {"mp", "mc", "verifier"}) {
    auto recs = agents::read_transcript(w + std::string(r) + ".transcript");
    std::cout << "   transcript " << r << ": "
              << (recs.ok() ? std::to_string(recs->size()) + " records, hash chain verified"
                            : recs.error().message)
              << "\n";
  }
  {  // The judge, from the transcripts alone (what `verdict judge audit` prints in full).
    judge::AuditOptions o;
    o.parties = {pub["mp"], pub["mc"], pub["verifier"]};
    o.escrow = pub["escrow"];
    auto vk = read_vk(w + "model.vk");
    if (vk.ok()) o.vk = &*vk;
    const auto t_judge = std::chrono::steady_clock::now();
    const judge::Verdict v = judge::audit({w + "mp.transcript", w + "mc.transcript", w + "verifier.transcript"}, o);
    std::cout << "   judge: " << (v.clean() ? "CLEAN" : std::to_string(v.findings.size()) + " violation(s)") << " ("
              << v.checked.size() << " checks, " << fixed1(seconds_since(t_judge)) << " s)";
    for (const auto& f : v.findings) std::cout << "\n     " << f.where << ": " << f.party << " broke '" << f.rule << "': " << f.detail;
    std::cout << "\n";
    if (keep)
      std::cout << "   audit by hand: verdict judge audit " << w << "{mp,mc,verifier}.transcript --party-key " << w
                << "mp.pub --party-key " << w << "mc.pub --party-key " << w << "verifier.pub --escrow-key " << w
                << "escrow.pub --vk " << w << "model.vk\n";
  }
  std::cout << "   (" << fixed1(seconds_since(t0)) << " s in all" << (keep ? "; files in " + workdir : std::string())
            << ")\n"
            << std::flush;
  // An agent that failed (not one told to exit at a stage, which exits 3) fails the demo.
  bool agents_ok = true;
  for (int rc : {rc_mp, rc_mc, rc_v}) agents_ok = agents_ok && (rc == 0 || (rc == 3 && !mp_exit_at.empty()));
  if (!agents_ok) std::cout << "   an agent failed (exit codes above; run with --workdir to keep the logs)\n";
  cleanup();
  return rules_ok && conserved && agents_ok ? kExitOk : kExitRejected;
}

// ---- transcript ----------------------------------------------------------------------------

int transcript_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict transcript";
  std::string path;
  po::options_description desc("verdict transcript FILE: check a protocol transcript's hash chain, every envelope's\n"
                               "signature and frame digests, and list its records");
  desc.add_options()("help,h", "show this help")("file", po::value(&path)->required(), "the transcript");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " FILE", &pos); rc >= 0) return rc;
  auto recs = agents::read_transcript(path);
  if (!recs.ok()) return fail(cmd, recs.error().message, kExitRejected);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < recs->size(); ++i) {
    const agents::TranscriptRecord& r = (*recs)[i];
    if (r.channel == agents::Channel::kHeader) {
      auto h = agents::decode_header(r.envelope);
      std::cout << "#" << i << " " << r.time_ms << " header   " << (h.ok() ? h->protocol : "?") << " role "
                << (h.ok() ? int(h->role) : -1) << " terms " << (h.ok() ? h->terms.size() : 0) << " bytes\n";
      continue;
    }
    if (r.channel == agents::Channel::kCheckpoint) {
      auto c = agents::decode_checkpoint(r.envelope);
      std::cout << "#" << i << " " << r.time_ms << " checkpoint " << (c.ok() ? c->size : 0) << " records, head "
                << (c.ok() ? to_hex(c->head).substr(0, 16) : "?") << "... signed by "
                << (c.ok() ? to_hex(c->signer).substr(0, 16) : "?") << "\n";
      continue;
    }
    std::cout << "#" << i << " " << r.time_ms << " " << (r.direction == agents::Direction::kSent ? "sent    " : "received")
              << " " << (r.channel == agents::Channel::kPeer ? "peer  " : "escrow") << " ";
    auto env = wire::decode_envelope(r.envelope);
    if (!env.ok()) {
      std::cout << "UNDECODABLE: " << env.error().message << "\n";
      ++bad;
      continue;
    }
    std::vector<std::span<const std::uint8_t>> frames(r.frames.begin(), r.frames.end());
    const bool sig = wire::verify_envelope(*env).ok();
    const bool fr = wire::check_frames(*env, frames).ok();
    bad += (sig && fr) ? 0 : 1;
    std::cout << env->type << " seq " << env->seq << " from " << to_hex(env->sender).substr(0, 16) << " to "
              << to_hex(env->recipient).substr(0, 16) << (sig ? " signed" : " BAD SIGNATURE")
              << (fr ? "" : " BAD FRAMES") << "\n";
  }
  std::cout << recs->size() << " records, hash chain and checkpoints verified"
            << (recs->empty() ? "" : ", head " + to_hex(recs->back().chain)) << "; "
            << (bad ? std::to_string(bad) + " bad envelopes" : std::string("every envelope signed")) << "\n";
  return bad ? kExitRejected : kExitOk;
}

}  // namespace

Command mp_command() {
  return {"mp", "The accuracy protocol's model provider as a process (ZeroMQ, escrow, real proofs)",
          [](const std::vector<std::string>& args) { return agent_main(Role::kMp, args); },
          {}};
}
Command mc_command() {
  return {"mc", "The accuracy protocol's model consumer as a process (Fashion-MNIST test set)",
          [](const std::vector<std::string>& args) { return agent_main(Role::kMc, args); },
          {}};
}
Command verifier_command() {
  return {"verifier", "The accuracy protocol's verifier (arbiter of key contests and proofs) as a process",
          [](const std::vector<std::string>& args) { return agent_main(Role::kVerifier, args); },
          {}};
}
Command transcript_command() {
  return {"transcript", "Check and list an agent's hash-chained protocol transcript", transcript_main, {}};
}
Command demo_command() {
  return {"demo", "Escrow, MP, MC and verifier as processes: accuracy verification on Fashion-MNIST with real proofs",
          demo_main,
          {}};
}

}  // namespace verdict::cli
