// Verified prediction serving (paper 5.3) from the command line: verdict serving mp | mc |
// verifier (the agents, R rounds of K predictions each) and verdict serving demo, which
// runs them with an escrow service on loopback, then checks the balances against the
// rules and audits every round with the offline judge.
#include <signal.h>
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
#include "escrow/clock.hpp"
#include "parties/agents/serving_agent.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "parties/cli/process.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/judge/judge.hpp"
#include "parties/wire/keys.hpp"
#include "protocols/serving/messages.hpp"
#include "protocols/serving/rules.hpp"
#include "sim/real_proofs.hpp"
#include "snark/nn/fashion_mnist.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model.hpp"

namespace verdict::cli {

namespace {

namespace po = boost::program_options;
using serving::Bytes;
using serving::Role;

constexpr std::uint32_t kMaxRounds = 1000;

// ---- terms ---------------------------------------------------------------------------------

struct TermFlags {
  std::uint32_t k = 8, k1 = 2;
  std::int64_t z = 10, beta = 2, fee = 1;
  std::int64_t funding_s = 120, response_s = 30, proving_s = 0, verdict_s = 60;
};

void add_term_options(po::options_description& d, TermFlags& t) {
  d.add_options()("k", po::value(&t.k)->default_value(t.k), "K: predictions per round")                  //
      ("k1", po::value(&t.k1)->default_value(t.k1), "K1: contested predictions per round (1..K)")          //
      ("snark-cost", po::value(&t.z)->default_value(t.z), "Z: the price of one SNARK")                     //
      ("beta", po::value(&t.beta)->default_value(t.beta), "MP's bond in units of K*Z (>= 2)")              //
      ("fee", po::value(&t.fee)->default_value(t.fee), "eps: the escrow's fee per party and round")        //
      ("funding-timeout-s", po::value(&t.funding_s)->default_value(t.funding_s), "deposits due within")    //
      ("response-timeout-s", po::value(&t.response_s)->default_value(t.response_s), "each answer due within")  //
      ("proving-timeout-s", po::value(&t.proving_s)->default_value(0), "MP proves K1 items within (0: 60 + 10 K1)")  //
      ("verdict-timeout-s", po::value(&t.verdict_s)->default_value(t.verdict_s), "the verifier rules within");
}

Result<serving::Terms> make_terms(const TermFlags& f) {
  serving::Terms t;
  auto& p = t.params;
  p.k = f.k;
  p.k1 = f.k1;
  p.z = f.z;
  p.beta = f.beta;
  p.eps = f.fee;
  for (const auto& [v, name] : {std::pair{f.funding_s, "--funding-timeout-s"}, {f.response_s, "--response-timeout-s"},
                                {f.proving_s, "--proving-timeout-s"}, {f.verdict_s, "--verdict-timeout-s"}}) {
    if (v < 0 || v > 86'400'000) return Error{std::string(name) + " must be in 0..86400000"};
  }
  p.funding_timeout_ms = f.funding_s * 1000;
  p.response_timeout_ms = f.response_s * 1000;
  p.proving_timeout_ms = (f.proving_s > 0 ? f.proving_s : 60 + 10 * std::int64_t{f.k1}) * 1000;
  p.verdict_timeout_ms = f.verdict_s * 1000;
  if (Status s = serving::check_terms(t); !s.ok()) return s.error().context("--k, --k1, --snark-cost, --beta, --fee");
  return t;
}

std::vector<std::string> term_args(const TermFlags& f) {
  return {"--k", std::to_string(f.k), "--k1", std::to_string(f.k1), "--snark-cost", std::to_string(f.z), "--beta",
          std::to_string(f.beta), "--fee", std::to_string(f.fee), "--funding-timeout-s", std::to_string(f.funding_s),
          "--response-timeout-s", std::to_string(f.response_s), "--proving-timeout-s", std::to_string(f.proving_s),
          "--verdict-timeout-s", std::to_string(f.verdict_s)};
}

// ---- one agent -----------------------------------------------------------------------------

struct AgentFlags {
  TermFlags terms;
  std::uint32_t rounds = 1;
  std::string key, escrow, escrow_key, transcript, result, pub[3], exit_at;
  std::vector<std::string> endpoint[3], withhold, corrupt;
  std::int64_t max_run_s = 3600;
  std::string model, pk, srs, vk, dataset;
  bool lazy = false, never_contest = false, corrupt_proofs = false;
  std::uint32_t malicious = 0, input_size = 784;
  std::int64_t random_inputs = -1;
  std::size_t first_image = 0;
};

const char* kRoleFlag[3] = {"mp", "mc", "verifier"};

int agent_main(Role role, const std::vector<std::string>& args) {
  const std::string name = serving::role_name(role);
  const std::string cmd = "verdict serving " + name;
  AgentFlags f;
  po::options_description desc(cmd + ": verified prediction serving's " + name + " as a process, for --rounds rounds of K\n"
                               "predictions (one escrow instance and one transcript, PATH.rN, per round)");
  desc.add_options()("help,h", "show this help")                                                   //
      ("key", po::value(&f.key)->required(), "this agent's secret key file (verdict keygen)")      //
      ("escrow", po::value(&f.escrow)->required(), "the escrow service's endpoint")                //
      ("escrow-key", po::value(&f.escrow_key)->required(), "the escrow's public key (file or hex)")  //
      ("transcript", po::value(&f.transcript)->required(), "transcript prefix: round N is written to PATH.rN")  //
      ("result", po::value(&f.result), "write the outcome of every round here")                    //
      ("rounds", po::value(&f.rounds)->default_value(f.rounds), "R: rounds, one after the other")  //
      ("max-run-s", po::value(&f.max_run_s)->default_value(f.max_run_s), "give up a round after this long")  //
      ("withhold", po::value(&f.withhold)->composing(), "deviation: never submit this transition")  //
      ("corrupt", po::value(&f.corrupt)->composing(), "deviation: submit this transition with corrupted evidence")  //
      ("exit-at", po::value(&f.exit_at), "deviation: exit at once when the escrow reaches this stage");
  for (int r = 0; r < 3; ++r) {
    desc.add_options()((std::string(kRoleFlag[r]) + "-key").c_str(), po::value(&f.pub[r])->required(),
                       "that party's public key (file or hex)")  //
        ((std::string(kRoleFlag[r]) + "-endpoint").c_str(), po::value(&f.endpoint[r])->composing()->required(),
         "where that party listens: once per round (round N uses the N-th), or once for a single round");
  }
  add_term_options(desc, f.terms);
  if (role == Role::kMp) {
    desc.add_options()("model", po::value(&f.model)->required(), "the quantized model MP serves")  //
        ("pk", po::value(&f.pk)->required(), "its proving key")                                     //
        ("srs", po::value(&f.srs)->required(), "the SRS of the keys (.ptau; a dev SRS is accepted)")  //
        ("lazy", po::bool_switch(&f.lazy), "deviation: random output bytes instead of running the model")  //
        ("malicious", po::value(&f.malicious)->default_value(0), "deviation: wrong outputs (argmax moved) on this many of the K inputs")  //
        ("corrupt-proofs", po::bool_switch(&f.corrupt_proofs), "deviation: flip a byte of every proof (invalid SNARKs)");
  } else {
    desc.add_options()("vk", po::value(&f.vk)->required(), "the model's verifying key");
  }
  if (role == Role::kMc) {
    desc.add_options()("first-test-image", po::value(&f.first_image)->default_value(0),
                       "the inputs: Fashion-MNIST test images from here on (K per round)")  //
        ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or Debian's)")  //
        ("random-inputs", po::value(&f.random_inputs), "tests: random inputs from this seed instead")            //
        ("input-size", po::value(&f.input_size)->default_value(f.input_size), "bytes per random input")          //
        ("never-contest", po::bool_switch(&f.never_contest), "close every round without a contest");
  }
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " [options]"); rc >= 0) return rc;
  auto terms = make_terms(f.terms);
  if (!terms.ok()) return fail(cmd, terms.error().message);
  if (f.rounds == 0 || f.rounds > kMaxRounds) return fail(cmd, "--rounds must be in 1.." + std::to_string(kMaxRounds));
  for (int r = 0; r < 3; ++r) {
    if (f.endpoint[r].size() != f.rounds)
      return fail(cmd, "--" + std::string(kRoleFlag[r]) + "-endpoint: " + std::to_string(f.endpoint[r].size()) +
                           " given, one per round expected (--rounds " + std::to_string(f.rounds) + ")");
  }
  if (f.malicious > terms->params.k) return fail(cmd, "--malicious must be at most K");
  if (f.lazy && f.malicious) return fail(cmd, "--lazy and --malicious exclude each other");
  if (f.random_inputs < -1) return fail(cmd, "--random-inputs must be a seed >= 0");
  if (f.input_size == 0 || f.input_size > serving::kMaxTensorBytes) return fail(cmd, "--input-size must be in 1..16 MiB");
  auto key = wire::read_secret_key(f.key);
  if (!key.ok()) return fail(cmd, key.error().message);
  auto escrow_key = wire::read_public_key(f.escrow_key);
  if (!escrow_key.ok()) return fail(cmd, escrow_key.error().message);

  const auto t0 = std::chrono::steady_clock::now();
  agents::ServingAgentConfig c;
  c.role = role;
  c.terms = *terms;
  c.rounds = f.rounds;
  c.driver.key = &*key;
  for (int r = 0; r < 3; ++r) {
    auto p = wire::read_public_key(f.pub[r]);
    if (!p.ok()) return fail(cmd, p.error().message);
    c.driver.parties[r] = {*p, f.endpoint[r][0]};
  }
  c.endpoints.resize(f.rounds);
  for (std::uint32_t i = 0; i < f.rounds; ++i) {
    for (int r = 0; r < 3; ++r) c.endpoints[i][r] = f.endpoint[r][i];
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
  std::optional<nn::ImageSet> images;
  if (role == Role::kMp) {
    auto m = read_model(f.model);
    if (!m.ok()) return fail(cmd, m.error().message);
    model = std::move(*m);
    auto p = read_pk(*model, f.pk, f.srs, rng);
    if (!p.ok()) return fail(cmd, p.error().message);
    pk = std::move(*p);
    c.model_commitment = pk->mvk.model_commitment();
    const std::size_t input_size = model->tensors[model->input].shape.size();
    c.predict = [&, input_size](std::uint32_t round, const std::vector<Bytes>& inputs) -> std::optional<std::vector<Bytes>> {
      std::vector<Bytes> out;
      for (const Bytes& x : inputs) {
        if (x.size() != input_size) {
          log("round " + std::to_string(round + 1) + ": an input of " + std::to_string(x.size()) + " bytes, the model takes " +
              std::to_string(input_size));
          return std::nullopt;
        }
        auto t = nn::run_reference(*model, x);
        if (!t.ok()) return std::nullopt;
        out.push_back(std::move((*t)[model->output]));
      }
      if (f.lazy) {
        for (Bytes& y : out) rng.fill(y);
        log("deviation (lazy): random outputs instead of the model's");
      }
      if (f.malicious) {
        std::vector<std::uint32_t> idx(out.size());
        for (std::uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
        for (std::uint32_t i = 0; i < f.malicious; ++i) std::swap(idx[i], idx[i + rng.uniform(idx.size() - i)]);
        idx.resize(f.malicious);
        std::sort(idx.begin(), idx.end());
        std::string wrong;
        for (auto i : idx) {
          out[i] = sim::moved_argmax(out[i]);  // the argmax moved: wrong, yet looks like a prediction
          wrong += (wrong.empty() ? "" : ",") + std::to_string(i);
        }
        log("deviation (malicious): wrong outputs on items " + wrong);
      }
      return out;
    };
    c.prove = [&](const serving::ProveContested& job) -> std::optional<std::vector<nn::ModelProof>> {
      const auto p0 = std::chrono::steady_clock::now();
      std::vector<nn::ModelProof> out;
      for (std::size_t i = 0; i < job.inputs.size() && i < job.salts.size(); ++i) {
        auto proof = nn::prove(*pk, *model, job.inputs[i], job.salts[i], rng);
        if (!proof.ok()) {
          log("proving item " + std::to_string(job.indices[i]) + " failed: " + proof.error().message);
          return std::nullopt;
        }
        if (f.corrupt_proofs && !proof->proof.empty()) proof->proof[proof->proof.size() / 2] ^= 1;
        out.push_back(std::move(*proof));
      }
      if (f.corrupt_proofs) log("deviation: every proof corrupted");
      log("proved " + std::to_string(out.size()) + " contested items in " + fixed1(seconds_since(p0)) + " s");
      return out;
    };
  } else {
    auto v = read_vk(f.vk);
    if (!v.ok()) return fail(cmd, v.error().message);
    vk = std::move(*v);
    c.expected_model = vk->model_commitment();
    c.verify = [&](const std::vector<nn::ModelProof>& proofs) { return verify_logged(*vk, proofs, log); };
  }
  if (role == Role::kMc) {
    const std::uint32_t k = terms->params.k;
    if (f.random_inputs < 0) {
      auto set = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTest, f.first_image + std::size_t{f.rounds} * k);
      if (!set.ok()) return fail(cmd, set.error().message);
      if (set->size() < f.first_image + std::size_t{f.rounds} * k)
        return fail(cmd, "--first-test-image: not enough test images for " + std::to_string(f.rounds) + " rounds of " +
                             std::to_string(k));
      images = std::move(*set);
    }
    c.inputs = [&, k](std::uint32_t round) {
      std::vector<Bytes> out(k);
      if (images) {
        for (std::uint32_t i = 0; i < k; ++i) out[i] = images->image_vector(f.first_image + std::size_t{round} * k + i);
      } else {
        ChaChaRng in_rng(static_cast<std::uint64_t>(f.random_inputs) + round);
        for (Bytes& x : out) {
          x.resize(f.input_size);
          in_rng.fill(x);
        }
      }
      return out;
    };
    c.policy = f.never_contest ? serving::ContestPolicy::kNever : serving::ContestPolicy::kAlways;
  }
  std::ofstream result_file;
  if (!f.result.empty()) {
    result_file.open(f.result, std::ios::trunc);
    if (!result_file) return fail(cmd, "--result: cannot write " + f.result);
  }
  c.on_round = [&](std::uint32_t r, const agents::ServingRoundResult& rr) {
    const auto& o = rr.outcome;
    std::string idx;
    for (auto i : rr.contested) idx += (idx.empty() ? "" : ",") + std::to_string(i);
    log("round " + std::to_string(r + 1) + " finished: " + o.stage + ", MP net " + std::to_string(o.mp_net) + ", MC net " +
        std::to_string(o.mc_net) + (idx.empty() ? "" : "; contested " + idx) +
        (rr.rejection ? "; rejected: " + *rr.rejection : "") + "; transcript " + rr.transcript + " (" +
        std::to_string(rr.transcript_records) + " records)");
    if (result_file) {
      const std::string n = std::to_string(r + 1);
      result_file << "stage." << n << " " << o.stage << "\nmp_net." << n << " " << o.mp_net << "\nmc_net." << n << " "
                  << o.mc_net << "\ncontested." << n << " " << (idx.empty() ? "-" : idx) << "\n"
                  << std::flush;
    }
  };

  auto result = agents::run_serving_agent(c);
  if (!result.ok()) return fail(cmd, result.error().message, kExitRejected);
  if (result_file) result_file << "rounds " << result->rounds.size() << "\n";
  log("finished " + std::to_string(result->rounds.size()) + " rounds");
  return kExitOk;
}

// ---- demo -------------------------------------------------------------------------------------

double binomial(std::uint32_t n, std::uint32_t k) {
  if (k > n) return 0;
  double r = 1;
  for (std::uint32_t i = 0; i < k; ++i) r = r * (n - i) / (i + 1);
  return r;
}

int demo_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict serving demo";
  TermFlags tf;
  std::uint32_t rounds = 3;
  std::string model_path, onnx = "models/fashion_mnist/model.onnx", workdir;
  std::string extra[3];
  std::size_t first_image = 0;
  std::int64_t random_inputs = -1, max_run_s = 3600;
  tf.response_s = 20;
  po::options_description desc(
      "verdict serving demo: the escrow service, MP, MC and the verifier as separate processes on loopback, for R\n"
      "rounds of K predictions (one escrow instance per round): MC sends K inputs (Fashion-MNIST test images), MP\n"
      "answers with the model's outputs, MC contests K1 of them at random and MP proves those with the input hidden;\n"
      "MC concedes or the verifier rules. Prints each round's outcome, how often a cheating MP was caught against the\n"
      "rate the sizing predicts, the balances against the rules and the offline judge's verdict on every round (keys\n"
      "from a development SRS: INSECURE, for demonstration). Exit 0 iff the balances agree with the rules and money\n"
      "is conserved");
  desc.add_options()("help,h", "show this help")                                               //
      ("rounds", po::value(&rounds)->default_value(rounds), "R: rounds")                         //
      ("model", po::value(&model_path), "a quantized model (default: import models/fashion_mnist/model.onnx)")  //
      ("onnx", po::value(&onnx)->default_value(onnx), "the ONNX model to import")                //
      ("first-test-image", po::value(&first_image)->default_value(0), "MC's inputs: test images from here")  //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory")                           //
      ("random-inputs", po::value(&random_inputs), "tests: random inputs from this seed")        //
      ("mp-flags", po::value(&extra[0]), "extra flags for verdict serving mp (--lazy, --malicious B, --corrupt-proofs)")  //
      ("mc-flags", po::value(&extra[1]), "extra flags for verdict serving mc (--never-contest)")  //
      ("verifier-flags", po::value(&extra[2]), "extra flags for verdict serving verifier")      //
      ("max-run-s", po::value(&max_run_s)->default_value(max_run_s), "give up a round after this long")  //
      ("workdir", po::value(&workdir), "keep keys, ledger, transcripts and logs here");
  add_term_options(desc, tf);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd + " [options]"); rc >= 0) return rc;
  if (rounds == 0 || rounds > kMaxRounds) return fail(cmd, "--rounds must be in 1.." + std::to_string(kMaxRounds));
  if (random_inputs < -1) return fail(cmd, "--random-inputs must be a seed >= 0");
  auto terms = make_terms(tf);
  if (!terms.ok()) return fail(cmd, terms.error().message);
  // The deviation the demo predicts a catch rate for.
  std::uint32_t wrong = 0;
  bool lazy = false;
  {
    std::istringstream in(extra[0]);
    for (std::string a; in >> a;) {
      if (a == "--lazy") lazy = true;
      if (a == "--malicious" && !(in >> wrong)) return fail(cmd, "--mp-flags: --malicious needs a count");
      if (a.rfind("--malicious=", 0) == 0) {
        try {
          wrong = static_cast<std::uint32_t>(std::stoul(a.substr(12)));
        } catch (...) {
          return fail(cmd, "--mp-flags: --malicious needs a count");
        }
      }
    }
    if (wrong > tf.k) return fail(cmd, "--mp-flags: --malicious must be at most K");
  }

  const auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& l) { std::cout << "[demo] [" << fixed1(seconds_since(t0)) << " s] " << l << "\n" << std::flush; };
  const bool keep = vm.count("workdir") > 0;
  if (!keep) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "verdict-serving-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return fail(cmd, "cannot make a temporary directory");
    workdir = tmpl;
  }
  std::error_code mk;
  std::filesystem::create_directories(workdir, mk);
  if (mk) return fail(cmd, "--workdir: " + mk.message());
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

  // 1. The model and its keys; identities.
  if (Status st = make_dev_keys(model_path, onnx, w, say); !st.ok()) return bail(st.error().message);
  auto model = read_model(model_path);
  if (!model.ok()) return bail(model.error().message);
  const std::size_t input_size = model->tensors[model->input].shape.size();
  OsRng rng;
  std::map<std::string, wire::PublicKey> pub;
  for (const char* n : {"operator", "escrow", "mp", "mc", "verifier"}) {
    wire::KeyPair kp = wire::KeyPair::generate(rng);
    if (Status s = wire::write_secret_key(w + n + ".key", kp); !s.ok()) return bail(s.error().message);
    if (Status s = wire::write_public_key(w + n + ".pub", kp.public_key()); !s.ok()) return bail(s.error().message);
    pub[n] = kp.public_key();
  }

  // 2. The escrow service and the money for R rounds.
  const std::vector<int> ports = free_ports(1 + 3 * static_cast<int>(rounds));
  if (ports.size() != 1 + 3 * std::size_t{rounds}) return bail("not enough free loopback ports");
  auto ep = [&](std::size_t i) { return "tcp://127.0.0.1:" + std::to_string(ports[i]); };
  children.push_back(spawn_self({"escrow", "serve", "--db", w + "escrow.db", "--bind", ep(0), "--key", w + "escrow.key",
                                 "--operator", to_hex(pub["operator"])},
                                w + "escrow.log"));
  auto op_key = wire::read_secret_key(w + "operator.key");
  if (!op_key.ok()) return bail(op_key.error().message);
  zmq::context_t ctx;
  escrow::SystemClock clock;
  escrowd::EscrowClient op(ctx, *op_key, pub["escrow"], clock, {ep(0), 500, 60, 20, {}});
  if (auto h = op.audit_head(); !h.ok()) return bail("the escrow service did not answer: " + h.error().message);
  const auto amounts = *serving::serving_amounts(terms->params);
  const auto& p = terms->params;
  const std::map<std::string, escrow::Amount> mint = {{"mp", std::int64_t{rounds} * (amounts.mp_bond + p.eps)},
                                                      {"mc", std::int64_t{rounds} * (amounts.mc_escrow + p.eps)}};
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
  const escrow::Amount before_mp = total("mp"), before_mc = total("mc");
  auto fees0 = op.balance(escrow::kFeeAccount);
  const escrow::Amount before_fees = fees0.ok() ? *fees0 : 0;
  say("escrow on " + ep(0) + "; funded for " + std::to_string(rounds) + " rounds: MP " + std::to_string(before_mp) +
      " (R (beta K Z + eps)), MC " + std::to_string(before_mc) + " (R (2 K Z + eps))");

  // 3. The agents.
  std::vector<std::string> common = {"--escrow", ep(0), "--escrow-key", w + "escrow.pub", "--max-run-s",
                                     std::to_string(max_run_s), "--rounds", std::to_string(rounds)};
  for (int r = 0; r < 3; ++r) {
    common.insert(common.end(), {std::string("--") + kRoleFlag[r] + "-key", w + kRoleFlag[r] + ".pub"});
    for (std::uint32_t i = 0; i < rounds; ++i)
      common.insert(common.end(), {std::string("--") + kRoleFlag[r] + "-endpoint", ep(1 + 3 * std::size_t{i} + r)});
  }
  const auto targs = term_args(tf);
  common.insert(common.end(), targs.begin(), targs.end());
  auto agent_args = [&](int r) {
    std::vector<std::string> v = {"serving", kRoleFlag[r], "--key", w + kRoleFlag[r] + ".key", "--transcript",
                                  w + kRoleFlag[r] + ".transcript", "--result", w + kRoleFlag[r] + ".result"};
    v.insert(v.end(), common.begin(), common.end());
    if (r == 0) v.insert(v.end(), {"--model", model_path, "--pk", w + "model.pk", "--srs", w + "dev.ptau"});
    if (r != 0) v.insert(v.end(), {"--vk", w + "model.vk"});
    if (r == 1) {
      if (random_inputs >= 0) {
        v.insert(v.end(), {"--random-inputs", std::to_string(random_inputs), "--input-size", std::to_string(input_size)});
      } else {
        v.insert(v.end(), {"--first-test-image", std::to_string(first_image)});
        if (vm.count("dataset")) v.insert(v.end(), {"--dataset", vm["dataset"].as<std::string>()});
      }
    }
    std::istringstream extra_flags(extra[r]);
    for (std::string a; extra_flags >> a;) v.push_back(a);
    return v;
  };
  say("starting the verifier, MP and MC (" + std::to_string(rounds) + " rounds of K = " + std::to_string(p.k) +
      ", K1 = " + std::to_string(p.k1) + " contested, Z = " + std::to_string(p.z) + ")");
  const pid_t verifier = spawn_self(agent_args(2), w + "verifier.log");
  const pid_t mp = spawn_self(agent_args(0), w + "mp.log");
  const pid_t mc = spawn_self(agent_args(1), w + "mc.log");
  const int rc_mc = wait_exit(mc), rc_mp = wait_exit(mp), rc_v = wait_exit(verifier);
  say("agents exited: MP " + std::to_string(rc_mp) + ", MC " + std::to_string(rc_mc) + ", verifier " + std::to_string(rc_v));

  // 4. Per round: the outcome, what the rules give, the judge.
  auto res_mp = read_result(w + "mp.result"), res_mc = read_result(w + "mc.result"), res_v = read_result(w + "verifier.result");
  escrow::Amount want_mp = 0, want_mc = 0;
  std::uint32_t caught = 0, proven = 0, finished = 0;
  bool stages_agree = true;
  std::size_t judged_clean = 0;
  judge::AuditOptions o;
  o.parties = {pub["mp"], pub["mc"], pub["verifier"]};
  o.escrow = pub["escrow"];
  auto vk = read_vk(w + "model.vk");
  if (vk.ok()) o.vk = &*vk;
  const auto tj = std::chrono::steady_clock::now();
  std::cout << "\n";
  for (std::uint32_t i = 0; i < rounds; ++i) {
    const std::string n = std::to_string(i + 1);
    const std::string stage = res_mc.count("stage." + n) ? res_mc["stage." + n] : "";
    for (auto* other : {&res_mp, &res_v}) {
      const std::string s = other->count("stage." + n) ? (*other)["stage." + n] : "";
      if (s != stage && s != "abandoned" && stage != "abandoned") stages_agree = false;
    }
    std::cout << "== round " << n << ": ";
    if (stage.empty()) {
      std::cout << "did not finish\n";
      continue;
    }
    ++finished;
    const auto want = serving::outcome_of(*terms, stage);
    want_mp += want.mp_net;
    want_mc += want.mc_net;
    caught += stage == "settled_mp_slashed" ? 1 : 0;
    proven += stage == "settled_proven" ? 1 : 0;
    std::cout << stage << " (contested " << (res_mc.count("contested." + n) ? res_mc["contested." + n] : "?")
              << "; the rules give MP " << want.mp_net << ", MC " << want.mc_net << ")\n";
    std::vector<std::string> files;
    for (const char* r : kRoleFlag) files.push_back(agents::serving_transcript_path(w + r + ".transcript", i));
    const judge::Verdict v = judge::audit(files, o);
    judged_clean += v.clean() ? 1 : 0;
    std::cout << "   judge (offline): " << (v.clean() ? "CLEAN" : std::to_string(v.findings.size()) + " violation(s)") << " ("
              << v.checked.size() << " checks)";
    for (const auto& fd : v.findings) std::cout << "\n     " << fd.where << ": " << fd.party << " broke '" << fd.rule << "': " << fd.detail;
    std::cout << "\n";
  }
  const escrow::Amount mp_net = total("mp") - before_mp, mc_net = total("mc") - before_mc;
  auto fees = op.balance(escrow::kFeeAccount);
  const escrow::Amount fee_net = (fees.ok() ? *fees : 0) - before_fees;
  const bool rules_ok = finished == rounds && stages_agree && want_mp == mp_net && want_mc == mc_net;
  const bool conserved = mp_net + mc_net + fee_net == 0;
  std::cout << "\n== " << rounds << " rounds: " << proven << " proven, " << caught << " MP slashed";
  if (wrong > 0 || lazy) {
    // A round catches a cheating MP iff a wrong item is contested: 1 - C(K-B, K1)/C(K, K1).
    const std::uint32_t b = lazy ? p.k : wrong;
    const double rate = 1 - binomial(p.k - b, p.k1) / binomial(p.k, p.k1);
    std::cout << "\n   MP " << (lazy ? "lazy (every output random)" : "wrong on B = " + std::to_string(wrong) + " of K")
              << ": caught in " << caught << " of " << rounds << " rounds; the sizing predicts " << fixed1(100 * rate)
              << "% per round (1 - C(K-B,K1)/C(K,K1)), " << fixed1(rate * rounds) << " expected";
  }
  std::cout << "\n   MP: " << before_mp << " -> " << before_mp + mp_net << " (net " << mp_net << "); MC: " << before_mc
            << " -> " << before_mc + mc_net << " (net " << mc_net << "); escrow fees net " << fee_net << "\n"
            << "   the rules (serving::outcome_of, summed over the rounds) give MP " << want_mp << ", MC " << want_mc
            << ": " << (rules_ok ? "balances agree" : "MISMATCH") << "\n"
            << "   money conserved (MP + MC + fees = 0): " << (conserved ? "yes" : "NO") << "\n"
            << "   judge: " << judged_clean << " of " << finished << " rounds CLEAN (" << fixed1(seconds_since(tj)) << " s)\n";
  if (keep)
    std::cout << "   audit round N by hand: verdict judge audit " << w << "{mp,mc,verifier}.transcript.rN --party-key " << w
              << "mp.pub --party-key " << w << "mc.pub --party-key " << w << "verifier.pub --escrow-key " << w
              << "escrow.pub --vk " << w << "model.vk\n";
  std::cout << "   (" << fixed1(seconds_since(t0)) << " s in all" << (keep ? "; files in " + workdir : std::string()) << ")\n"
            << std::flush;
  const bool agents_ok = rc_mp == 0 && rc_mc == 0 && rc_v == 0;
  if (!agents_ok) std::cout << "   an agent failed (run with --workdir to keep the logs)\n";
  cleanup();
  return rules_ok && conserved && agents_ok ? kExitOk : kExitRejected;
}

}  // namespace

Command serving_command() {
  return {"serving",
          "Verified prediction serving: MP, MC and verifier as processes, rounds of K predictions, random SNARK contests",
          nullptr,
          {{"mp", "The model provider: answers with the model's outputs, proves contested items",
            [](const std::vector<std::string>& a) { return agent_main(Role::kMp, a); },
            {}},
           {"mc", "The model consumer: sends inputs, contests K1 predictions at random",
            [](const std::vector<std::string>& a) { return agent_main(Role::kMc, a); },
            {}},
           {"verifier", "The verifier: rules on contested proofs",
            [](const std::vector<std::string>& a) { return agent_main(Role::kVerifier, a); },
            {}},
           {"demo", "Escrow, MP, MC and verifier as processes for R rounds; balances against the rules; the judge",
            demo_main,
            {}}}};
}

}  // namespace verdict::cli
