#include "sim/serving_sim.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "escrow/codec/sha256.hpp"
#include "protocols/serving/mc_machine.hpp"
#include "protocols/serving/mp_machine.hpp"
#include "protocols/serving/verifier_machine.hpp"
#include "sim/binomial.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::sim {
namespace {

namespace sv = serving;
using sv::Bytes;

const std::vector<std::string> kRoleNames = {"mp", "mc", "verifier"};
constexpr std::size_t kMp = 0, kMc = 1, kVerifier = 2;
// Each party's float in the virtual escrow, and the largest deposit: a worker can lose
// a whole deposit in each of 2^20 runs (run() checks the balance before every run).
constexpr Amount kFloat = Amount{1} << 60;
constexpr Amount kMaxDeposit = Amount{1} << 40;
constexpr std::size_t kInputBytes = 16;

enum class MpKind { kHonest, kLazy, kMalicious };
enum class McKind { kHonest, kGriefContest, kGriefWithhold, kGriefBadInputs };

// A case, checked: the terms and every party's behaviour.
struct ServingCase {
  sv::Terms terms;
  std::uint32_t classes = 10;
  MpKind mp = MpKind::kHonest;
  std::uint32_t wrong = 0;  // malicious: wrong outputs per round
  bool invalid_proofs = false;
  McKind mc = McKind::kHonest;
  double contest_rate = 1;  // honest MC
  // Off the ledger, to MC: what a correct prediction it uses is worth, and what a wrong
  // one costs it. MC uses a round's predictions unless the round slashes MP.
  double value_per_prediction = 0;
  double loss_per_wrong = 0;
  std::array<Deviation, 3> deviations;
  std::shared_ptr<const RealProofs> real;  // real SNARKs and model (null: modelled)

  bool deviating() const {
    for (const Deviation& d : deviations) {
      if (!d.silent_at.empty() || !d.abort_stage.empty()) return true;
    }
    return false;
  }
  // The probability that MC contests a round in which it committed a transcript.
  double contest_probability() const {
    if (mc == McKind::kHonest) return contest_rate;
    return mc == McKind::kGriefContest ? 1 : 0;
  }
};

// A strategy's options: exactly the known ones (an error names the field).
Status options_of(const PartySpec& party, const std::string& where, const std::vector<std::string>& known) {
  if (known.empty() && party.options.is_object() && !party.options.empty())
    return Error{where + "." + party.options.begin().key() + ": strategy '" + party.strategy + "' takes no options"};
  return only_fields(party.options, where, known);
}

bool generic(const std::string& strategy) {
  return strategy == "honest" || strategy == "timeout" || strategy == "abort";
}

Result<ServingCase> parse_case(const CaseSpec& spec, const CostModel& cost) {
  const nlohmann::json& p = spec.params;
  if (Status s = only_fields(p, "params",
                             {"k", "k1", "z", "beta", "eps", "classes", "funding_timeout_ms", "response_timeout_ms",
                              "proving_timeout_ms", "verdict_timeout_ms"});
      !s.ok())
    return s.error();
  ServingCase c;
  sv::ServingParams& a = c.terms.params;
  auto k = integer_field(p, "params", "k", 16, 1, sv::kMaxRoundSize);
  if (!k.ok()) return k.error();
  a.k = static_cast<std::uint32_t>(*k);
  auto k1 = integer_field(p, "params", "k1", std::min<std::int64_t>(2, a.k), 1, a.k);
  if (!k1.ok()) return k1.error();
  a.k1 = static_cast<std::uint32_t>(*k1);
  const auto cost_z = static_cast<Amount>(std::llround(cost.prove_cost()));
  if (p.contains("z") && p["z"].is_string()) {
    if (p["z"] != "cost") return Error{"params.z: a number or \"cost\", got " + p["z"].dump()};
    if (cost_z < 1)
      return Error{"params.z: \"cost\" rounds the proving cost " + std::to_string(cost.prove_cost()) +
                   " to 0 units; give z as a number"};
    a.z = cost_z;
  } else {
    auto z = integer_field(p, "params", "z", std::max<Amount>(cost_z, 1), 1, kMaxDeposit);
    if (!z.ok()) return z.error();
    a.z = *z;
  }
  auto beta = integer_field(p, "params", "beta", 2, 2, kMaxDeposit);
  auto eps = integer_field(p, "params", "eps", 100, 0, kMaxDeposit);
  auto classes = integer_field(p, "params", "classes", 10, 2, 256);
  if (!beta.ok()) return beta.error();
  if (!eps.ok()) return eps.error();
  if (!classes.ok()) return classes.error();
  a.beta = *beta;
  a.eps = *eps;
  c.classes = static_cast<std::uint32_t>(*classes);
  struct Timeout {
    const char* key;
    std::int64_t* value;
  };
  for (const Timeout& t :
       {Timeout{"funding_timeout_ms", &a.funding_timeout_ms}, Timeout{"response_timeout_ms", &a.response_timeout_ms},
        Timeout{"proving_timeout_ms", &a.proving_timeout_ms}, Timeout{"verdict_timeout_ms", &a.verdict_timeout_ms}}) {
    auto v = integer_field(p, "params", t.key, *t.value, 1, escrow::kMaxTimeoutMs);
    if (!v.ok()) return v.error();
    *t.value = *v;
  }
  auto amounts = sv::serving_amounts(a);
  if (!amounts.ok()) return amounts.error().context("params");
  if (amounts->mp_bond > kMaxDeposit - a.eps || amounts->mc_escrow > kMaxDeposit - a.eps)
    return Error{"params: the deposits (beta*K*Z + eps = " + std::to_string(amounts->mp_bond) + " + " +
                 std::to_string(a.eps) + ", 2*K*Z + eps = " + std::to_string(amounts->mc_escrow) + " + " +
                 std::to_string(a.eps) + ") must be at most 2^40 units"};

  if (spec.parties.size() != 3) return Error{"serving: three parties (mp, mc, verifier) expected"};
  // MP
  const PartySpec& mp = spec.parties[kMp];
  if (generic(mp.strategy)) {
    if (Status s = options_of(mp, "mp", {}); !s.ok()) return s.error();
  } else if (mp.strategy == "lazy" || mp.strategy == "malicious") {
    const bool lazy = mp.strategy == "lazy";
    if (Status s = options_of(
            mp, "mp",
            lazy ? std::vector<std::string>{"invalid_proofs"} : std::vector<std::string>{"wrong", "invalid_proofs"});
        !s.ok())
      return s.error();
    auto wrong = integer_field(mp.options, "mp", "wrong", 1, 0, a.k);
    auto invalid = bool_field(mp.options, "mp", "invalid_proofs", false);
    if (!wrong.ok()) return wrong.error();
    if (!invalid.ok()) return invalid.error();
    c.mp = lazy ? MpKind::kLazy : MpKind::kMalicious;
    c.wrong = lazy ? 0 : static_cast<std::uint32_t>(*wrong);
    c.invalid_proofs = *invalid;
  } else {
    return Error{"mp.strategy: '" + mp.strategy + "' (honest, lazy, malicious, timeout, abort)"};
  }
  // MC
  const PartySpec& mc = spec.parties[kMc];
  if (generic(mc.strategy)) {
    if (Status s = options_of(mc, "mc", {"contest_rate", "value_per_prediction", "loss_per_wrong"}); !s.ok())
      return s.error();
    auto rate = number_field(mc.options, "mc", "contest_rate", 1, 0, 1);
    if (!rate.ok()) return rate.error();
    c.contest_rate = *rate;
  } else if (mc.strategy == "grief") {
    if (Status s = options_of(mc, "mc", {"mode", "value_per_prediction", "loss_per_wrong"}); !s.ok()) return s.error();
    std::string mode = "contest";
    if (mc.options.contains("mode")) {
      if (!mc.options["mode"].is_string()) return Error{"mc.mode: expected a string, got " + mc.options["mode"].dump()};
      mode = mc.options["mode"].get<std::string>();
    }
    if (mode == "contest") {
      c.mc = McKind::kGriefContest;
    } else if (mode == "withhold") {
      c.mc = McKind::kGriefWithhold;
    } else if (mode == "bad_inputs") {
      c.mc = McKind::kGriefBadInputs;
    } else {
      return Error{"mc.mode: \"contest\", \"withhold\" or \"bad_inputs\", got " + mc.options["mode"].dump()};
    }
  } else {
    return Error{"mc.strategy: '" + mc.strategy + "' (honest, grief, timeout, abort)"};
  }
  auto value = number_field(mc.options, "mc", "value_per_prediction", 0, 0, 1e15);
  auto loss = number_field(mc.options, "mc", "loss_per_wrong", 0, 0, 1e15);
  if (!value.ok()) return value.error();
  if (!loss.ok()) return loss.error();
  c.value_per_prediction = *value;
  c.loss_per_wrong = *loss;
  // Verifier
  const PartySpec& v = spec.parties[kVerifier];
  if (!generic(v.strategy)) return Error{"verifier.strategy: '" + v.strategy + "' (honest, timeout, abort)"};
  if (Status s = options_of(v, "verifier", {}); !s.ok()) return s.error();
  for (std::size_t r = 0; r < 3; ++r) c.deviations[r] = spec.parties[r].deviation;
  if (spec.real) {
    // The model is real: an output is its output tensor, not a class byte.
    if (p.contains("classes")) return Error{"params.classes: with real proofs the outputs are the model's (no 'classes')"};
    if (!spec.real->model || !spec.real->key) return Error{"real proofs: no model or proving key"};
    if (spec.real->inputs.size() < a.k)
      return Error{"real proofs: the dataset has " + std::to_string(spec.real->inputs.size()) + " examples, K = " +
                   std::to_string(a.k)};
    c.real = spec.real;
  }
  return c;
}

// A case with its rule set, every field and deviation checked (errors name the case).
struct CheckedCase {
  ServingCase c;
  escrow::RuleSet rules;
};
Result<CheckedCase> check_case(const CaseSpec& spec, const CostModel& cost) {
  auto c = parse_case(spec, cost);
  if (!c.ok()) return c.error().context("case '" + spec.name + "'");
  auto rules = sv::serving_rule_set(c->terms.params);
  if (!rules.ok()) return rules.error().context("case '" + spec.name + "'");
  if (Status s = check_deviations(*rules, spec, kRoleNames); !s.ok()) return s.error();
  return CheckedCase{std::move(*c), std::move(*rules)};
}

std::int64_t ms(double seconds) { return static_cast<std::int64_t>(std::llround(seconds * 1000.0)); }

// The stand-in for a SNARK (header comment): binds the statement's public values.
Bytes stand_in_proof(const nn::PublicValues& v) {
  codec::Sha256 h;
  const std::uint8_t visibility = static_cast<std::uint8_t>(v.input);
  const auto length = static_cast<std::uint32_t>(v.output.size());
  const std::array<std::uint8_t, 5> meta{visibility, static_cast<std::uint8_t>(length >> 24),
                                         static_cast<std::uint8_t>(length >> 16),
                                         static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
  const sv::Digest d = h.update("verdict/sim/serving/snark-stand-in/v1")
                           .update(v.model_commitment)
                           .update(meta)
                           .update(v.input_commitment.to_bytes_be())
                           .update(v.output)
                           .finish();
  return Bytes(d.begin(), d.end());
}

// The stand-in model: one byte, the class of the input.
Bytes model_output(std::span<const std::uint8_t> input, std::uint32_t classes) {
  const sv::Digest d = codec::sha256(input);
  const std::uint32_t x = (std::uint32_t{d[0]} << 8) | d[1];
  return Bytes{static_cast<std::uint8_t>(x % classes)};
}

// The real model's output tensor on `input` (empty if the model cannot run on it).
Bytes real_output_or_empty(const RealProofs& real, std::span<const std::uint8_t> input) {
  auto y = real_output(real, input);
  return y.ok() ? std::move(*y) : Bytes{};
}

// A wrong output that still looks like one: with a real model the output tensor with its
// argmax moved (as `verdict serving mp --malicious` posts), else another class.
Bytes wrong_output(const Bytes& right, std::uint32_t classes, bool real, Rng& rng) {
  if (!real) return Bytes{static_cast<std::uint8_t>((right[0] + 1 + rng.uniform(classes - 1)) % classes)};
  return moved_argmax(right);
}

// What does not change between runs of one worker.
struct Shared {
  ServingCase c;
  CostModel cost;
  escrow::RuleSet rules;
  sv::Digest model{};
  std::vector<Bytes> inputs;   // MC's K inputs
  std::vector<Bytes> outputs;  // the model's output on each

  // The model on `input`, which MP was told is input i.
  Bytes true_output(std::uint32_t i, std::span<const std::uint8_t> input) const {
    if (i < inputs.size() && std::equal(input.begin(), input.end(), inputs[i].begin(), inputs[i].end()))
      return outputs[i];
    return c.real ? real_output_or_empty(*c.real, input) : model_output(input, c.classes);
  }
};

// One run's machines and the drivers around them (the Bus adapter, sim/bus.hpp).
struct Run {
  using Role = sv::Role;
  using Input = sv::Input;
  using Effect = sv::Effect;
  using Effects = sv::Effects;
  using Send = sv::Send;
  using Received = sv::Received;
  using Finished = sv::Finished;
  using EscrowEvent = sv::EscrowEvent;
  static constexpr std::size_t kRoles = 3;

  Run(const Shared& shared, Rng& rng, sv::ServingMpMachine mp, sv::ServingMcMachine mc, sv::ServingVerifierMachine v)
      : s(shared), rng(rng), mp(std::move(mp)), mc(std::move(mc)), verifier(std::move(v)) {}

  const Shared& s;
  Rng& rng;  // the run's: every draw of a strategy
  sv::ServingMpMachine mp;
  sv::ServingMcMachine mc;
  sv::ServingVerifierMachine verifier;
  std::vector<Bytes> posted;       // MP's outputs, as its driver returned them
  std::vector<field::Fr> mp_ics;   // the input commitments MP's machine computed and sent
  std::vector<Bytes> mc_received;  // the predictions MP sent MC
  std::array<double, 3> spent{};
  std::array<std::optional<sv::Outcome>, 3> outcomes;
  std::optional<Error> failure;  // real proving failed: a run error, not an outcome

  Result<Effects> handle(Role r, const Input& in) {
    switch (r) {
      case Role::kMp:
        return mp.handle(in);
      case Role::kMc:
        return mc.handle(in);
      case Role::kVerifier:
        return verifier.handle(in);
    }
    return Error{"no such role"};
  }
  const escrow::RuleSet& rules() const { return s.rules; }
  void on_finished(Role r, const sv::Outcome& o) { outcomes[static_cast<std::size_t>(r)] = o; }

  // MC's griefing drivers: "withhold" never feeds MP's predictions to its machine;
  // "bad_inputs" sends inputs that do not open the digest it posts. MP's driver keeps the
  // input commitments its machine computed (its prover states them: no second Poseidon).
  bool on_send(Bus<Run>&, Role from, Send& m) {
    if (from == Role::kMp) {
      if (const auto* ics = std::get_if<sv::InputCommitments>(&m.message)) mp_ics = ics->commitments;
      if (const auto* y = std::get_if<sv::Predictions>(&m.message); y && m.to == Role::kMc) mc_received = y->outputs;
    }
    if (s.c.mc == McKind::kGriefWithhold && from == Role::kMp && m.to == Role::kMc &&
        std::holds_alternative<sv::Predictions>(m.message))
      return false;
    if (s.c.mc == McKind::kGriefBadInputs && from == Role::kMc && m.to == Role::kMp) {
      if (auto* in = std::get_if<sv::Inputs>(&m.message); in && !in->inputs.empty() && !in->inputs[0].empty())
        in->inputs[0][0] ^= 1;
    }
    return true;
  }

  void on_work(Bus<Run>& bus, Role r, Effect&& e) {
    if (auto* p = std::get_if<sv::Predict>(&e)) {
      predict(bus, r, *p);
    } else if (auto* p = std::get_if<sv::ProveContested>(&e)) {
      prove(bus, r, *p);
    } else if (auto* v = std::get_if<sv::VerifyProofs>(&e)) {
      verify(bus, r, *v);
    }
  }

  void predict(Bus<Run>& bus, Role r, const sv::Predict& p) {
    const auto k = static_cast<std::uint32_t>(p.inputs.size());
    const std::uint32_t classes = s.c.classes;
    std::vector<Bytes> out(k);
    std::uint32_t ran = 0;  // inputs the model ran on
    if (s.c.mp == MpKind::kLazy) {
      // Random outputs: a class byte, or (real model) random bytes of the output's size.
      for (std::uint32_t i = 0; i < k; ++i) {
        if (s.c.real) {
          out[i].resize(s.outputs.empty() ? 1 : s.outputs[0].size());
          rng.fill(out[i]);
        } else {
          out[i] = Bytes{static_cast<std::uint8_t>(rng.uniform(classes))};
        }
      }
    } else {
      // Malicious: `wrong` positions, uniform (a partial Fisher-Yates shuffle).
      std::vector<bool> wrong(k, false);
      if (s.c.mp == MpKind::kMalicious) {
        std::vector<std::uint32_t> order(k);
        for (std::uint32_t i = 0; i < k; ++i) order[i] = i;
        for (std::uint32_t j = 0; j < s.c.wrong && j < k; ++j) {
          std::swap(order[j], order[j + rng.uniform(k - j)]);
          wrong[order[j]] = true;
        }
      }
      for (std::uint32_t i = 0; i < k; ++i) {
        out[i] = s.true_output(i, p.inputs[i]);
        if (wrong[i]) {
          out[i] = wrong_output(out[i], classes, s.c.real != nullptr, rng);
        } else {
          ++ran;
        }
      }
    }
    posted = out;
    spent[static_cast<std::size_t>(r)] += ran * s.cost.inference_cost();
    bus.post_after(ms(ran * s.cost.inference_seconds), r, sv::PredictionsDone{std::move(out)});
  }

  void prove(Bus<Run>& bus, Role r, const sv::ProveContested& p) {
    const std::size_t n = p.indices.size();
    for (std::uint32_t i : p.indices) {
      if (i >= posted.size()) {  // never posted by this driver: nothing to prove
        bus.post(r, sv::ProofsDone{std::nullopt});
        return;
      }
    }
    std::vector<bool> right(n);
    bool all_right = true;
    for (std::size_t j = 0; j < n; ++j) {
      const std::uint32_t i = p.indices[j];
      right[j] = posted[i] == s.true_output(i, p.inputs[j]);
      all_right = all_right && right[j];
    }
    // No SNARK of a wrong output can be made: a cheating MP without a (broken or forging)
    // prover of its own gives up at no cost and lets the proving deadline slash it.
    if (!all_right && !s.c.invalid_proofs) {
      bus.post(r, sv::ProofsDone{std::nullopt});
      return;
    }
    if (s.c.real) {
      prove_real(bus, r, p, right);
      return;
    }
    std::vector<nn::ModelProof> proofs(n);
    for (std::size_t j = 0; j < n; ++j) {
      nn::PublicValues& v = proofs[j].values;
      v.model_commitment = s.model;
      v.input = nn::InputVisibility::kHidden;
      const std::uint32_t i = p.indices[j];
      v.input_commitment = i < mp_ics.size() ? mp_ics[i] : nn::input_commitment(p.inputs[j], p.salts[j]);
      v.output = posted[i];
      proofs[j].proof = right[j] && !s.c.invalid_proofs ? stand_in_proof(v) : Bytes{0};
    }
    spent[static_cast<std::size_t>(r)] += static_cast<double>(n) * s.cost.prove_cost();
    bus.post_after(ms(static_cast<double>(n) * s.cost.prove_seconds), r, sv::ProofsDone{std::move(proofs)});
  }

  // Real mode: nn::prove of every contested item (hidden input, MC's salt, blinding from
  // the OS CSPRNG). A proof states the model's true output; where MP posted another, its
  // bundle claims the posted one (a forgery nn::verify refuses), and an invalid_proofs
  // prover's proofs get a byte flipped. Money and virtual time are the cost model's.
  void prove_real(Bus<Run>& bus, Role r, const sv::ProveContested& p, const std::vector<bool>& right) {
    const std::size_t n = p.indices.size();
    const RealProofs& real = *s.c.real;
    OsRng blinding;
    std::vector<nn::ModelProof> proofs;
    for (std::size_t j = 0; j < n; ++j) {
      auto proof = real_prove(real, p.inputs[j], p.salts[j], blinding);
      if (!proof.ok()) {  // MP's prover failed: it has no bundle, the deadline slashes it
        failure = proof.error().context("proving contested item " + std::to_string(p.indices[j]));
        bus.post(r, sv::ProofsDone{std::nullopt});
        return;
      }
      if (!right[j]) proof->values.output = posted[p.indices[j]];
      if (s.c.invalid_proofs && !proof->proof.empty()) proof->proof[proof->proof.size() / 2] ^= 0x01;
      proofs.push_back(std::move(*proof));
    }
    spent[static_cast<std::size_t>(r)] += static_cast<double>(n) * s.cost.prove_cost();
    bus.post_after(ms(static_cast<double>(n) * s.cost.prove_seconds), r, sv::ProofsDone{std::move(proofs)});
  }

  bool verifies(const nn::ModelProof& proof) const {
    return s.c.real ? real_verify(*s.c.real, proof) : proof.proof == stand_in_proof(proof.values);
  }

  void verify(Bus<Run>& bus, Role r, const sv::VerifyProofs& v) {
    std::vector<bool> valid;
    valid.reserve(v.proofs.size());
    for (const nn::ModelProof& proof : v.proofs) valid.push_back(verifies(proof));
    const auto n = static_cast<double>(v.proofs.size());
    spent[static_cast<std::size_t>(r)] += n * s.cost.verify_cost();
    bus.post_after(ms(n * s.cost.verify_seconds), r, sv::VerificationDone{std::move(valid)});
  }
};

class ServingSim final : public ProtocolSim {
 public:
  static Result<std::unique_ptr<ProtocolSim>> create(const CaseSpec& spec, const CostModel& cost) {
    auto checked = check_case(spec, cost);
    if (!checked.ok()) return checked.error();
    std::unique_ptr<ServingSim> sim(new ServingSim());
    sim->shared_.c = std::move(checked->c);
    sim->shared_.cost = cost;
    sim->shared_.rules = std::move(checked->rules);
    if (Status s = sim->init(spec.name, spec.escrow); !s.ok()) return s.error().context("case '" + spec.name + "'");
    return std::unique_ptr<ProtocolSim>(std::move(sim));
  }

  Result<RunOutcome> run(std::uint64_t run_index, Rng& rng) override {
    const ServingCase& c = shared_.c;
    if (run_index > static_cast<std::uint64_t>(INT64_MAX / kRunSpacingMs) - 1)
      return Error{"run " + std::to_string(run_index) + ": its virtual start time (index * 2^40 ms) overflows"};
    const std::int64_t start = static_cast<std::int64_t>(run_index) * kRunSpacingMs;
    // A deposit the float cannot cover would leave the round unfunded: an error, never a statistic.
    for (std::size_t r : {kMp, kMc}) {
      if (balance_[r] < deposit_[r])
        return Error{"run " + std::to_string(run_index) + ": " + kRoleNames[r] + "'s float (" +
                     std::to_string(balance_[r]) + " units left) cannot cover its deposit of " +
                     std::to_string(deposit_[r]) + ": use a new worker"};
    }
    escrow_->begin_run();
    escrow_->set_time(start);
    std::array<std::uint8_t, 32> key{};
    rng.fill(key);
    mc_rng_ = ChaChaRng(key);  // MC's round id, seed and salts
    bool contest = c.contest_probability() >= 1;
    if (c.contest_probability() > 0 && c.contest_probability() < 1) {
      constexpr std::uint64_t kScale = std::uint64_t{1} << 53;
      contest = static_cast<double>(rng.uniform(kScale)) < c.contest_probability() * static_cast<double>(kScale);
    }
    // Copies of the machines made once: fresh machines without rebuilding the rule set.
    Run run(shared_, rng, *mp_template_, contest ? *mc_contest_ : *mc_close_, *verifier_template_);
    Bus<Run> bus(run, *escrow_, c.deviations);
    if (Status s = bus.run(); !s.ok()) return s.error().context("run " + std::to_string(run_index));
    if (run.failure) return run.failure->context("run " + std::to_string(run_index));
    std::vector<double> costs(run.spent.begin(), run.spent.end());
    auto out = finish_run(*escrow_, std::move(costs), start);
    if (!out.ok()) return out.error().context("run " + std::to_string(run_index));
    if (Status s = agrees_with_ledger(run, *out); !s.ok()) return s.error().context("run " + std::to_string(run_index));
    for (std::size_t r : {kMp, kMc}) balance_[r] += out->ledger_net[r];
    out->cost[kMc] -= value_to_mc(run.mc_received, out->terminal);
    return out;
  }

 private:
  ServingSim() = default;

  Status init(const std::string& name, VirtualEscrow::Backend backend) {
    const ServingCase& c = shared_.c;
    const sv::ServingParams& a = c.terms.params;
    auto escrow = VirtualEscrow::create(3, kFloat, {}, backend);
    if (!escrow.ok()) return escrow.error();
    escrow_ = std::move(*escrow);
    const sv::ServingAmounts amounts = *sv::serving_amounts(a);
    deposit_ = {amounts.mp_bond + a.eps, amounts.mc_escrow + a.eps};
    balance_ = {kFloat, kFloat};
    // MC's inputs and the model's outputs on them: fixed per worker. Every run draws its
    // own round id, seed and salts, so its session and instance are new.
    ChaChaRng data(run_key(0x5e7, name, 0));
    data.fill(shared_.model);
    for (std::uint32_t i = 0; i < a.k; ++i) {
      if (c.real) {  // the dataset's first K images and the model's own outputs
        Bytes x = c.real->inputs[i];
        Bytes y = real_output_or_empty(*c.real, x);
        if (y.empty()) return Error{"real proofs: the model does not run on dataset example " + std::to_string(i)};
        shared_.outputs.push_back(std::move(y));
        shared_.inputs.push_back(std::move(x));
        continue;
      }
      Bytes x(kInputBytes);
      data.fill(x);
      shared_.outputs.push_back(model_output(x, c.classes));
      shared_.inputs.push_back(std::move(x));
    }
    if (c.real) shared_.model = c.real->key->mvk.model_commitment();
    auto mp = sv::ServingMpMachine::create(c.terms, shared_.model);
    auto contest = sv::ServingMcMachine::create(c.terms, shared_.inputs, mc_rng_, sv::ContestPolicy::kAlways);
    auto close = sv::ServingMcMachine::create(c.terms, shared_.inputs, mc_rng_, sv::ContestPolicy::kNever);
    auto verifier = sv::ServingVerifierMachine::create(c.terms);
    if (!mp.ok()) return mp.error();
    if (!contest.ok()) return contest.error();
    if (!close.ok()) return close.error();
    if (!verifier.ok()) return verifier.error();
    mp_template_.emplace(std::move(*mp));
    mc_contest_.emplace(std::move(*contest));
    mc_close_.emplace(std::move(*close));
    verifier_template_.emplace(std::move(*verifier));
    return {};
  }

  // What the predictions MC received are worth to it, off the ledger: nothing when the
  // round slashes MP (MC discards them), else the value of the right ones less the loss
  // from the wrong ones.
  double value_to_mc(const std::vector<Bytes>& received, const std::string& terminal) const {
    const ServingCase& c = shared_.c;
    if (received.empty() || terminal == "settled_mp_slashed") return 0;
    if (c.value_per_prediction == 0 && c.loss_per_wrong == 0) return 0;
    double v = 0;
    for (std::size_t i = 0; i < received.size() && i < shared_.outputs.size(); ++i)
      v += received[i] == shared_.outputs[i] ? c.value_per_prediction : -c.loss_per_wrong;
    return v;
  }

  // Every machine that finished reports what the ledger did: its terminal and both nets
  // ("abandoned": it never saw the instance open, and its own money did not move).
  Status agrees_with_ledger(const Run& run, const RunOutcome& out) const {
    if (out.ledger_net[kVerifier] != 0)
      return Error{"the verifier's account moved by " + std::to_string(out.ledger_net[kVerifier])};
    for (std::size_t r = 0; r < 3; ++r) {
      const auto& o = run.outcomes[r];
      if (!o) continue;
      const bool agrees = o->stage == "abandoned" ? (r == kVerifier || out.ledger_net[r] == 0)
                                                  : o->stage == out.terminal && o->mp_net == out.ledger_net[kMp] &&
                                                        o->mc_net == out.ledger_net[kMc];
      if (!agrees)
        return Error{kRoleNames[r] + "'s outcome (" + o->stage + ": mp " + std::to_string(o->mp_net) + ", mc " +
                     std::to_string(o->mc_net) + ") is not the ledger's (" + out.terminal + ": mp " +
                     std::to_string(out.ledger_net[kMp]) + ", mc " + std::to_string(out.ledger_net[kMc]) + ")"};
    }
    return {};
  }

  Shared shared_;
  std::unique_ptr<VirtualEscrow> escrow_;
  std::array<Amount, 2> deposit_{}, balance_{};  // MP's and MC's, in the worker's escrow
  ChaChaRng mc_rng_{0};                          // reseeded per run; the MC machines hold a pointer to it
  std::optional<sv::ServingMpMachine> mp_template_;
  std::optional<sv::ServingMcMachine> mc_contest_, mc_close_;
  std::optional<sv::ServingVerifierMachine> verifier_template_;
};

// ---- closed forms ---------------------------------------------------------------------

// Why the formulas do not describe a case's runs ("" if they do): a deviation, or work
// that overruns its window (the machines then time out).
std::string timing_or_deviation(const ServingCase& c, const CostModel& cost) {
  const sv::ServingParams& a = c.terms.params;
  if (c.deviating()) return "a party deviates (timeout_at or abort_at)";
  if (ms(a.k * cost.inference_seconds) >= a.response_timeout_ms)
    return "K inferences take as long as the response window";
  if (ms(a.k1 * cost.prove_seconds) >= a.proving_timeout_ms)
    return "proving K1 items takes as long as the proving window: the honest MP is slashed";
  if (ms(a.k1 * cost.verify_seconds) >= a.verdict_timeout_ms)
    return "verifying K1 proofs takes as long as the verdict window";
  return "";
}

std::vector<ClosedForm> closed_forms(const CaseSpec& spec, const CostModel& cost) {
  std::vector<ClosedForm> out;
  auto parsed = parse_case(spec, cost);
  if (!parsed.ok()) return out;
  const ServingCase& c = *parsed;
  const sv::ServingParams& a = c.terms.params;
  const double k = a.k, k1 = a.k1, z = static_cast<double>(a.z), beta = static_cast<double>(a.beta);
  const double eps = static_cast<double>(a.eps), classes = c.classes;
  const double pc = cost.prove_cost(), vc = cost.verify_cost(), ic = cost.inference_cost();
  const double v = c.value_per_prediction, loss = c.loss_per_wrong;
  const double bond = beta * k * z, pay = 2 * k1 * z;
  const std::string off = timing_or_deviation(c, cost);
  const bool fits = off.empty();
  const std::string v_text = v > 0 ? " (v: a prediction's value to MC)" : "";

  out.push_back({"MP's bond B", "beta K Z", bond, "none", true, ""});
  out.push_back({"MC's escrow C", "2 K Z", 2 * k * z, "none", true, ""});
  out.push_back({"payment for a proven contest", "2 K1 Z", pay, "none", true, "MP's proving cost K1 Z plus K1 Z"});

  const bool contesting = c.mc == McKind::kHonest || c.mc == McKind::kGriefContest;
  const double q = c.contest_probability();
  if (contesting && c.mp == MpKind::kHonest) {
    const std::string note = c.mc == McKind::kGriefContest ? "q = 1: the griefing MC contests every round" : "";
    out.push_back({"P(contested and proven)", "q (MC's contest rate)", q, "rate:settled_proven", fits, off});
    out.push_back({"honest MP's ledger net per round", "q 2 K1 Z - eps", q * pay - eps, "ledger_net:mp", fits,
                   off.empty() ? note : off});
    out.push_back({"honest MP's payoff per round", "q K1 (2 Z - Zc) - eps - K Ic  (Zc, Ic: proving and inference cost)",
                   q * k1 * (2 * z - pc) - eps - k * ic, "payoff:mp", fits, off});
    out.push_back({"MC's ledger net per round", "-(q 2 K1 Z + eps)", -(q * pay + eps), "ledger_net:mc", fits, off});
    out.push_back({"MC's payoff per round",
                   "K v - (q K1 (2 Z + Vc) + eps)  (v: a prediction's value to MC, Vc: "
                   "verification cost)",
                   k * v - (q * k1 * (2 * z + vc) + eps), "payoff:mc", fits, off});
    out.push_back({"verifier's cost per round (payoff)", "-q K1 Vc", -q * k1 * vc, "payoff:verifier", fits, off});
    out.push_back({"paper: honest MP's gain per unsuccessful contest", "K1 Z", k1 * z, "none", false,
                   "the payoff above with q = 1, Z = Zc, eps = 0 and free inference"});
  }
  if (contesting && c.mp != MpKind::kHonest) {
    // d: the probability that a contest catches MP.
    double d = 1;
    std::string d_text;
    const double b = c.wrong;
    const bool lazy = c.mp == MpKind::kLazy;
    if (c.invalid_proofs) {
      d_text = "1 (no proof verifies)";
    } else if (lazy && c.real) {
      d_text = "1 (random output tensors never equal the model's)";
    } else if (lazy) {
      d = 1 - std::pow(1.0 / classes, k1);
      d_text = "1 - classes^-K1 (each contested guess right with 1/classes)";
    } else {
      d = 1 - miss_probability(a.k, c.wrong, a.k1);
      d_text = "1 - C(K - B, K1) / C(K, K1) (B = " + std::to_string(c.wrong) + " wrong outputs)";
    }
    const double ran = lazy ? 0 : k - b;                        // inferences MP runs
    const double extra = c.invalid_proofs ? k1 * pc : 0;        // proving cost of the bundle that fails
    const double bundles = c.invalid_proofs ? q : q * (1 - d);  // P(a bundle is submitted and verified)
    out.push_back({"P(MP slashed): detection", "q d, d = " + d_text, q * d, "rate:settled_mp_slashed", fits, off});
    if (c.mp == MpKind::kMalicious && !c.invalid_proofs) {
      out.push_back({"paper: detection bound", "1 - (1 - B/K)^K1 (with replacement; <= d)", 1 - std::pow(1 - b / k, k1),
                     "none", false, "a lower bound on d"});
    }
    out.push_back({"cheating MP's expected ledger net", "q ((1 - d) 2 K1 Z - d beta K Z) - eps",
                   q * ((1 - d) * pay - d * bond) - eps, "ledger_net:mp", fits, off});
    out.push_back({"cheating MP's expected payoff",
                   std::string("q ((1 - d) K1 (2 Z - Zc) - d (beta K Z") + (c.invalid_proofs ? " + K1 Zc" : "") +
                       ")) - eps - R Ic, R = " + (lazy ? "0" : "K - B") + " inferences run",
                   q * ((1 - d) * k1 * (2 * z - pc) - d * (bond + extra)) - eps - ran * ic, "payoff:mp", fits, off});
    out.push_back({"MC's expected ledger net against it", "q (d beta K Z - (1 - d) 2 K1 Z) - eps",
                   q * (d * bond - (1 - d) * pay) - eps, "ledger_net:mc", fits, off});
    // What MC makes of the predictions of the rounds that do not slash MP.
    double use = 0;
    std::string use_text;
    if (!lazy) {
      const double kept = c.invalid_proofs ? 1 - q : 1 - q * d;
      use = kept * ((k - b) * v - b * loss);
      use_text = std::string(c.invalid_proofs ? "(1 - q)" : "(1 - q d)") + " ((K - B) v - B L)";
    } else {
      const double right = c.real ? 0 : 1 / classes;
      use = (1 - q) * k * (right * v - (1 - right) * loss);
      use_text = "(1 - q) K (v/classes - L (1 - 1/classes))";
      if (!c.invalid_proofs) {  // a lucky contest: the K1 contested guesses were right
        use += q * (1 - d) * ((k1 + (k - k1) * right) * v - (k - k1) * (1 - right) * loss);
        use_text += " + q (1 - d) ((K1 + (K - K1)/classes) v - (K - K1)(1 - 1/classes) L)";
      }
    }
    out.push_back({"MC's expected payoff against it",
                   "q (d beta K Z - (1 - d) 2 K1 Z) - eps - " + std::string(c.invalid_proofs ? "q" : "q (1 - d)") +
                       " K1 Vc + " + use_text + "  (v, L: a right and a wrong prediction's value to MC)",
                   q * (d * bond - (1 - d) * pay) - eps - bundles * k1 * vc + use, "payoff:mc", fits, off});
    out.push_back({"honest MP's payoff, for comparison", "q K1 (2 Z - Zc) - eps - K Ic",
                   q * k1 * (2 * z - pc) - eps - k * ic, "none", false, "what the same MP earns by serving honestly"});
  }
  if (c.mc != McKind::kHonest) {
    // Grief ratio: the victim's (MP's) loss over the attacker's (MC's) cost, both payoffs
    // against not playing at all (negative payoffs: the ratio of the two means). With a
    // value v of the predictions to MC, MC's "cost" is no longer a cost: the ratio is
    // given for v = 0.
    const bool applies = fits && c.mp == MpKind::kHonest;
    const std::string why = !fits ? off : c.mp != MpKind::kHonest ? "MP is not honest" : "";
    const bool ratio_applies = applies && v == 0;
    const std::string ratio_why = !why.empty() ? why : v != 0 ? "MC values the predictions (v > 0)" : "";
    if (c.mc == McKind::kGriefContest) {
      out.push_back(
          {"grief ratio (contest every round): MP's loss / MC's cost",
           "(K1 Zc + K Ic + eps - 2 K1 Z) / (K1 (2 Z + Vc) + eps)",
           (k1 * pc + k * ic + eps - pay) / (k1 * (2 * z + vc) + eps), "ratio:payoff:mp/payoff:mc", ratio_applies,
           ratio_why.empty() ? "negative when 2 Z > Zc: a contest pays MP more than its proving costs" : ratio_why});
    } else if (c.mc == McKind::kGriefWithhold) {
      out.push_back({"P(closed without transcript)", "1", 1, "rate:settled_closed", applies, why});
      out.push_back({"withholding MC's payoff", "K v - eps" + v_text, k * v - eps, "payoff:mc", applies, why});
      out.push_back({"MP's payoff against it", "-(eps + K Ic)", -(eps + k * ic), "payoff:mp", applies, why});
      if (eps > 0)
        out.push_back({"grief ratio (withhold the transcript): MP's loss / MC's cost", "(eps + K Ic) / eps",
                       (eps + k * ic) / eps, "ratio:payoff:mp/payoff:mc", ratio_applies,
                       ratio_why.empty() ? "MC gets K predictions for eps; MP's loss is its inference" : ratio_why});
    } else {
      out.push_back({"P(inputs rejected)", "1", 1, "rate:settled_refund", applies, why});
      out.push_back({"MP's payoff against it", "-eps", -eps, "payoff:mp", applies, why});
      out.push_back({"bad-input MC's payoff", "-eps", -eps, "payoff:mc", applies, why});
      if (eps > 0)
        out.push_back({"grief ratio (bad inputs): MP's loss / MC's cost", "eps / eps", 1, "ratio:payoff:mp/payoff:mc",
                       applies, why.empty() ? "MP rejects before running the model: both lose the fee" : why});
    }
  }
  return out;
}

}  // namespace

ProtocolInfo serving_protocol() {
  ProtocolInfo info;
  info.name = "serving";
  info.roles = kRoleNames;
  info.rules = [](const CaseSpec& spec) -> Result<escrow::RuleSet> {
    // The rule set does not depend on the cost model unless z is "cost"; the preset
    // stands in for it there (the rule table's shape is the same for every Z).
    auto c = parse_case(spec, *cost_preset("fashion_mnist"));
    if (!c.ok()) return c.error();
    return sv::serving_rule_set(c->terms.params);
  };
  info.make = &ServingSim::create;
  info.check = [](const CaseSpec& spec, const CostModel& cost) -> Status {
    auto checked = check_case(spec, cost);
    if (!checked.ok()) return checked.error();
    return {};
  };
  info.closed_forms = &closed_forms;
  info.real_examples = [](const CaseSpec& spec) -> std::size_t {
    return static_cast<std::size_t>(integer_or(spec.params, "k", 16, 1, sv::kMaxRoundSize));
  };
  return info;
}

}  // namespace verdict::sim
