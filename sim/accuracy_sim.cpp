#include "sim/accuracy_sim.hpp"

#include <array>
#include <cmath>
#include <optional>

#include "escrow/accuracy_rules.hpp"
#include "protocols/accuracy/mc_machine.hpp"
#include "protocols/accuracy/mp_machine.hpp"
#include "protocols/accuracy/verifier_machine.hpp"
#include "sim/binomial.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::sim {
namespace {

namespace acc = accuracy;
const std::vector<std::string> kRoleNames = {"mp", "mc", "verifier"};
constexpr std::uint32_t kClasses = 10;

enum class Decision { kInspect, kShamAbort, kBlind };

// A case, checked: the terms and every party's behaviour.
struct AccuracyCase {
  acc::Terms terms;
  Amount mp_stake = 0;
  double stake_rate_per_year = 0;  // MP's cost of capital on its locked stake
  std::size_t input_bytes = 16;
  // MP
  Decision decision = Decision::kInspect;
  double mp_accuracy = 0.95;
  double proceed_threshold = 0.9;
  bool invalid_proofs = false;
  bool prove_fails = false;
  double mp_value_of_pass = 0;  // off the ledger: what a pass is worth to MP (a listing)
  // MC
  double value_of_pass = 0;
  std::uint32_t bad_examples = 0;
  std::array<Deviation, 3> deviations;
  std::shared_ptr<const RealProofs> real;  // real SNARKs and model (null: modelled)
};

Result<Amount> amount_param(const nlohmann::json& p, const std::string& key, Amount fallback) {
  auto v = integer_field(p, "params", key, fallback, 0, std::int64_t{1} << 50);
  if (!v.ok()) return v.error();
  return static_cast<Amount>(*v);
}

Result<AccuracyCase> parse_case(const CaseSpec& spec, const CostModel& cost) {
  const nlohmann::json& p = spec.params;
  if (Status s = only_fields(p, "params",
                             {"n1", "n2", "e", "p", "z", "eps", "target_num", "target_den", "mp_stake", "stake_rate_per_year", "input_bytes",
                              "funding_timeout_ms", "response_timeout_ms", "proving_timeout_ms", "verdict_timeout_ms"});
      !s.ok())
    return s.error();
  AccuracyCase c;
  escrow::AccuracyParams& a = c.terms.params;
  auto n1 = integer_field(p, "params", "n1", 10, 0, 1 << 20);
  auto n2 = integer_field(p, "params", "n2", 40, 1, 1 << 20);
  auto e = amount_param(p, "e", 100'000);
  auto price = amount_param(p, "p", 1'000);
  if (!n1.ok()) return n1.error();
  if (!n2.ok()) return n2.error();
  if (!e.ok()) return e.error();
  if (!price.ok()) return price.error();
  a.n1 = *n1;
  a.n2 = *n2;
  a.e = *e;
  a.p = *price;
  if (p.contains("z") && p["z"].is_string()) {
    if (p["z"] != "cost") return Error{"params.z: a number or \"cost\", got " + p["z"].dump()};
    a.z = static_cast<Amount>(std::llround(cost.prove_cost()));
  } else {
    auto z = amount_param(p, "z", static_cast<Amount>(std::llround(cost.prove_cost())));
    if (!z.ok()) return z.error();
    a.z = *z;
  }
  if (p.contains("eps") && p["eps"].is_string()) {
    if (p["eps"] == "n1p") {
      a.eps = a.n1 * a.p;
    } else if (p["eps"] == "n1p/99") {
      a.eps = a.n1 * a.p / 99;
    } else {
      return Error{"params.eps: a number, \"n1p\" or \"n1p/99\", got " + p["eps"].dump()};
    }
  } else {
    auto eps = amount_param(p, "eps", 100);
    if (!eps.ok()) return eps.error();
    a.eps = *eps;
  }
  auto tn = integer_field(p, "params", "target_num", 9, 0, 1 << 30);
  auto td = integer_field(p, "params", "target_den", 10, 1, 1 << 30);
  if (!tn.ok()) return tn.error();
  if (!td.ok()) return td.error();
  c.terms.target_num = static_cast<std::uint32_t>(*tn);
  c.terms.target_den = static_cast<std::uint32_t>(*td);
  struct Timeout {
    const char* key;
    std::int64_t* value;
  };
  for (const Timeout& t : {Timeout{"funding_timeout_ms", &a.funding_timeout_ms},
                           Timeout{"response_timeout_ms", &a.response_timeout_ms},
                           Timeout{"proving_timeout_ms", &a.proving_timeout_ms},
                           Timeout{"verdict_timeout_ms", &a.verdict_timeout_ms}}) {
    auto v = integer_field(p, "params", t.key, *t.value, 1, escrow::kMaxTimeoutMs);
    if (!v.ok()) return v.error();
    *t.value = *v;
  }
  auto stake = amount_param(p, "mp_stake", 1000 * a.n1 * a.e);
  if (!stake.ok()) return stake.error();
  c.mp_stake = *stake;
  a.mp_min_stake = c.mp_stake;
  auto rate = number_field(p, "params", "stake_rate_per_year", 0, 0, 10);
  if (!rate.ok()) return rate.error();
  c.stake_rate_per_year = *rate;
  auto bytes = integer_field(p, "params", "input_bytes", 16, 1, 4096);
  if (!bytes.ok()) return bytes.error();
  c.input_bytes = static_cast<std::size_t>(*bytes);
  if (Status s = acc::check_terms(c.terms); !s.ok()) return s.error().context("params");
  c.proceed_threshold = static_cast<double>(c.terms.target_num) / c.terms.target_den;

  if (spec.parties.size() != 3) return Error{"accuracy: three parties (mp, mc, verifier) expected"};
  // MP
  const PartySpec& mp = spec.parties[0];
  const std::string mpw = "mp";
  if (Status s = only_fields(mp.options, mpw,
                             {"accuracy", "proceed_threshold", "invalid_proofs", "prove_fails", "value_of_pass"});
      !s.ok())
    return s.error();
  double default_accuracy = 0.95;
  if (mp.strategy == "lazy") {
    default_accuracy = 1.0 / kClasses;
  } else if (mp.strategy == "malicious") {
    default_accuracy = 0;
  } else if (mp.strategy == "sham_abort") {
    c.decision = Decision::kShamAbort;
  } else if (mp.strategy == "blind") {
    c.decision = Decision::kBlind;
  } else if (mp.strategy != "honest" && mp.strategy != "timeout" && mp.strategy != "abort" &&
             mp.strategy != "invalid_proofs" && mp.strategy != "prove_fails") {
    return Error{"mp.strategy: '" + mp.strategy +
                 "' (honest, lazy, malicious, sham_abort, blind, invalid_proofs, prove_fails, timeout, abort)"};
  }
  auto q = number_field(mp.options, mpw, "accuracy", default_accuracy, 0, 1);
  auto thr = number_field(mp.options, mpw, "proceed_threshold", c.proceed_threshold, 0, 1);
  auto inv = bool_field(mp.options, mpw, "invalid_proofs", mp.strategy == "invalid_proofs");
  auto fails = bool_field(mp.options, mpw, "prove_fails", mp.strategy == "prove_fails");
  auto mp_value = number_field(mp.options, mpw, "value_of_pass", 0, 0, 1e15);
  if (!mp_value.ok()) return mp_value.error();
  c.mp_value_of_pass = *mp_value;
  if (!q.ok()) return q.error();
  if (!thr.ok()) return thr.error();
  if (!inv.ok()) return inv.error();
  if (!fails.ok()) return fails.error();
  if (mp.strategy == "honest" && (*inv || *fails))
    return Error{"mp: an honest MP's prover works (name the strategy invalid_proofs or prove_fails)"};
  c.mp_accuracy = *q;
  c.proceed_threshold = *thr;
  c.invalid_proofs = *inv;
  c.prove_fails = *fails;
  // MC
  const PartySpec& mc = spec.parties[1];
  if (Status s = only_fields(mc.options, "mc", {"value_of_pass", "bad_examples"}); !s.ok()) return s.error();
  if (mc.strategy != "honest" && mc.strategy != "grief" && mc.strategy != "timeout" && mc.strategy != "abort")
    return Error{"mc.strategy: '" + mc.strategy + "' (honest, grief, timeout, abort)"};
  auto value = number_field(mc.options, "mc", "value_of_pass", 0, 0, 1e15);
  auto bad = integer_field(mc.options, "mc", "bad_examples", 0, 0, a.n1 + a.n2);
  if (!value.ok()) return value.error();
  if (!bad.ok()) return bad.error();
  if (mc.strategy == "grief" && *bad == 0) return Error{"mc: strategy 'grief' needs bad_examples > 0"};
  c.value_of_pass = *value;
  c.bad_examples = static_cast<std::uint32_t>(*bad);
  // Verifier
  const PartySpec& v = spec.parties[2];
  if (Status s = only_fields(v.options, "verifier", {}); !s.ok()) return s.error();
  if (v.strategy != "honest" && v.strategy != "timeout" && v.strategy != "abort")
    return Error{"verifier.strategy: '" + v.strategy + "' (honest, timeout, abort)"};
  for (std::size_t r = 0; r < 3; ++r) c.deviations[r] = spec.parties[r].deviation;
  if (spec.real) {
    // The model is real: its answers are its own, and a proof can only be of its output.
    if (mp.strategy == "lazy" || mp.strategy == "malicious" || mp.options.contains("accuracy"))
      return Error{"mp: with real proofs the model's accuracy is the model's (no 'accuracy', 'lazy' or 'malicious')"};
    if (spec.real->inputs.size() < acc::total_examples(c.terms) || spec.real->inputs.size() != spec.real->labels.size())
      return Error{"real proofs: the dataset has " + std::to_string(spec.real->inputs.size()) + " examples, N = " +
                   std::to_string(acc::total_examples(c.terms))};
    if (!spec.real->model || !spec.real->key) return Error{"real proofs: no model or proving key"};
    c.real = spec.real;
  }
  return c;
}

Result<escrow::RuleSet> rules_of(const AccuracyCase& c) { return escrow::accuracy_rule_set(c.terms.params); }

// One run's machines and the drivers around them (the Bus adapter).
struct Run {
  using Role = acc::Role;
  using Input = acc::Input;
  using Effect = acc::Effect;
  using Effects = acc::Effects;
  using Send = acc::Send;
  using Received = acc::Received;
  using Finished = acc::Finished;
  static constexpr std::size_t kRoles = 3;

  const AccuracyCase& c;
  const CostModel& cost;
  const escrow::RuleSet& rule_set;
  const std::vector<acc::Example>& examples;
  const std::vector<field::Fr>& commitments;
  const std::vector<std::uint32_t>& true_labels;
  acc::MpMachine mp;
  acc::McMachine mc;
  acc::VerifierMachine verifier;
  escrow::Digest model{};
  std::vector<bool> correct;  // the model on each example, this run
  std::array<double, 3> spent{};
  std::array<std::optional<acc::Outcome>, 3> outcomes;
  std::optional<Error> failure;  // real proving failed: a run error, not an outcome

  Result<Effects> handle(Role r, const Input& in) {
    switch (r) {
      case Role::kMp: return mp.handle(in);
      case Role::kMc: return mc.handle(in);
      case Role::kVerifier: return verifier.handle(in);
    }
    return Error{"no such role"};
  }
  const escrow::RuleSet& rules() const { return rule_set; }
  bool on_send(Bus<Run>&, Role, Send&) { return true; }
  void on_finished(Role r, const acc::Outcome& o) { outcomes[static_cast<std::size_t>(r)] = o; }

  static std::int64_t ms(double seconds) { return static_cast<std::int64_t>(std::llround(seconds * 1000.0)); }

  void on_work(Bus<Run>& bus, Role r, Effect&& e) {
    const std::size_t ri = static_cast<std::size_t>(r);
    if (auto* inspect = std::get_if<acc::InspectSubset>(&e)) {
      if (c.decision == Decision::kShamAbort) {
        bus.post(r, acc::InspectionDone{false});
      } else if (c.decision == Decision::kBlind) {
        bus.post(r, acc::InspectionDone{true});
      } else {
        const std::size_t n1 = inspect->indices.size();
        std::size_t right = 0;
        for (std::uint32_t i : inspect->indices) right += correct[i] ? 1 : 0;
        spent[ri] += static_cast<double>(n1) * cost.inference_cost();
        const bool proceed = n1 == 0 || static_cast<double>(right) >= c.proceed_threshold * static_cast<double>(n1) - 1e-9;
        bus.post_after(ms(static_cast<double>(n1) * cost.inference_seconds), r, acc::InspectionDone{proceed});
      }
    } else if (auto* prove = std::get_if<acc::ProveRest>(&e)) {
      if (c.prove_fails) {
        bus.post(r, acc::ProofsDone{std::nullopt});
        return;
      }
      std::vector<nn::ModelProof> proofs;
      proofs.reserve(prove->indices.size());
      if (c.real) {
        if (!prove_real(prove->indices, proofs)) return;
      }
      for (std::uint32_t i : c.real ? std::vector<std::uint32_t>{} : prove->indices) {
        nn::ModelProof proof;
        proof.values.model_commitment = model;
        proof.values.input_commitment = commitments[i];
        proof.values.output.assign(kClasses, 0);
        // Right: the stated label. Wrong: never the stated label.
        const std::uint32_t stated = examples[i].label;
        const std::uint32_t predicted = correct[i] ? stated : (stated + 1 + (true_labels[i] != stated)) % kClasses;
        proof.values.output[predicted] = 200;
        proof.proof = {0x5e, 0x1d};  // placeholder: the SNARK is modelled (header comment)
        proofs.push_back(std::move(proof));
      }
      const double n = static_cast<double>(proofs.size());
      spent[ri] += n * cost.prove_cost();
      bus.post_after(ms(n * cost.prove_seconds), r, acc::ProofsDone{std::move(proofs)});
    } else if (auto* verify = std::get_if<acc::VerifyProofs>(&e)) {
      const double n = static_cast<double>(verify->proofs.size());
      spent[ri] += n * cost.verify_cost();
      std::vector<bool> valid(verify->proofs.size(), !c.invalid_proofs);
      if (c.real) valid = verify_real(verify->proofs);
      bus.post_after(ms(n * cost.verify_seconds), r, acc::VerificationDone{std::move(valid)});
    }
  }

  // nn::prove on each example (hidden input, the example's salt, blinding from the OS
  // CSPRNG); an invalid_proofs MP's proofs get one byte flipped. False (and `failure`
  // set) if the prover fails.
  bool prove_real(const std::vector<std::uint32_t>& indices, std::vector<nn::ModelProof>& proofs) {
    OsRng blinding;
    for (std::uint32_t i : indices) {
      auto proof = real_prove(*c.real, examples[i].input, examples[i].salt, blinding);
      if (!proof.ok()) {
        failure = proof.error().context("proving example " + std::to_string(i));
        return false;
      }
      if (c.invalid_proofs && !proof->proof.empty()) proof->proof[proof->proof.size() / 2] ^= 0x01;
      proofs.push_back(std::move(*proof));
    }
    return true;
  }

  std::vector<bool> verify_real(const std::vector<nn::ModelProof>& proofs) {
    std::vector<bool> valid;
    for (const nn::ModelProof& p : proofs) valid.push_back(real_verify(*c.real, p));
    return valid;
  }
};

class AccuracySim final : public ProtocolSim {
 public:
  static Result<std::unique_ptr<ProtocolSim>> create(const CaseSpec& spec, const CostModel& cost) {
    auto c = parse_case(spec, cost);
    if (!c.ok()) return c.error().context("case '" + spec.name + "'");
    auto rules = rules_of(*c);
    if (!rules.ok()) return rules.error().context("case '" + spec.name + "'");
    if (Status s = check_deviations(*rules, spec, kRoleNames); !s.ok()) return s.error();
    std::unique_ptr<AccuracySim> sim(new AccuracySim(std::move(*c), cost, std::move(*rules)));
    if (Status s = sim->init(spec.name, spec.escrow); !s.ok()) return s.error();
    return std::unique_ptr<ProtocolSim>(std::move(sim));
  }

  Result<RunOutcome> run(std::uint64_t run_index, Rng& rng) override {
    const std::int64_t start = static_cast<std::int64_t>(run_index) * kRunSpacingMs;
    escrow_->begin_run();
    escrow_->set_time(start);
    std::array<std::uint8_t, 32> key{};
    rng.fill(key);
    mp_rng_ = ChaChaRng(key);
    rng.fill(key);
    mc_rng_ = ChaChaRng(key);
    escrow::Digest model{};
    rng.fill(model);  // a fresh model commitment: a fresh session and instance per run
    if (c_.real) model = c_.real->key->mvk.model_commitment();

    Run run{c_, cost_, rules_, examples_, commitments_, true_labels_,
            acc::MpMachine(c_.terms, model, mp_rng_), *mc_template_, acc::VerifierMachine(c_.terms), model, {}, {}, {}, {}};
    const std::size_t n = examples_.size();
    run.correct.resize(n);
    const std::uint64_t scale = 1'000'000'000;
    const auto threshold = static_cast<std::uint64_t>(std::llround(c_.mp_accuracy * static_cast<double>(scale)));
    for (std::size_t i = 0; i < n; ++i) run.correct[i] = i >= c_.bad_examples && rng.uniform(scale) < threshold;
    if (c_.real) run.correct = real_correct_;

    Bus<Run> bus(run, *escrow_, c_.deviations);
    if (Status s = bus.run(); !s.ok()) return s.error().context("run " + std::to_string(run_index));
    if (run.failure) return run.failure->context("run " + std::to_string(run_index));
    // Every machine that finished reports what the ledger did.
    for (std::size_t r = 0; r < 2; ++r) {
      const auto& o = run.outcomes[r];
      if (!o || o->stage == "abandoned") continue;
      if (o->mp_net != escrow_->net(0) || o->mc_net != escrow_->net(1))
        return Error{"run " + std::to_string(run_index) + ": " + kRoleNames[r] + "'s outcome (" + o->stage + ": mp " +
                     std::to_string(o->mp_net) + ", mc " + std::to_string(o->mc_net) + ") is not the ledger's (mp " +
                     std::to_string(escrow_->net(0)) + ", mc " + std::to_string(escrow_->net(1)) + ")"};
    }
    std::vector<double> costs(run.spent.begin(), run.spent.end());
    auto out = finish_run(*escrow_, std::move(costs), start);
    if (!out.ok()) return out.error().context("run " + std::to_string(run_index));
    if (out->terminal == "settled_pass") {
      out->cost[0] -= c_.mp_value_of_pass;
      out->cost[1] -= c_.value_of_pass;
    }
    // The stake is locked while the run lasts: its cost of capital.
    constexpr double kYearMs = 365.25 * 24 * 3600 * 1000;
    out->cost[0] += static_cast<double>(c_.mp_stake) * c_.stake_rate_per_year * static_cast<double>(out->duration_ms) / kYearMs;
    return out;
  }

 private:
  AccuracySim(AccuracyCase c, const CostModel& cost, escrow::RuleSet rules)
      : c_(std::move(c)), cost_(cost), rules_(std::move(rules)) {}

  Status init(const std::string& name, VirtualEscrow::Backend backend) {
    auto escrow = VirtualEscrow::create(3, Amount{1} << 60, {c_.mp_stake, 0, 0}, backend);
    if (!escrow.ok()) return escrow.error();
    escrow_ = std::move(*escrow);
    // MC's test set: fixed per worker (its salts, commitments and Merkle tree are computed
    // once); the model's behaviour on it is drawn per run. The first bad_examples carry a
    // wrong label (the griefing MC).
    ChaChaRng data(run_key(0x7e57, name, 0));
    const std::uint32_t n = acc::total_examples(c_.terms);
    for (std::uint32_t i = 0; i < n; ++i) {
      acc::Example x;
      std::uint32_t label = 0;
      if (c_.real) {
        // Real mode: the dataset's first N examples with their true labels; the model's
        // own answer decides whether it is right.
        x.input = c_.real->inputs[i];
        label = c_.real->labels[i];
        auto values = nn::run_reference(*c_.real->model, x.input);
        if (!values.ok()) return values.error().context("real proofs: inference on example " + std::to_string(i));
        const auto& output = values->at(c_.real->model->output);
        const std::uint32_t stated = i < c_.bad_examples ? (label + 1) % kClasses : label;
        real_correct_.push_back(acc::predicted_class(output) == stated);
      } else {
        x.input.resize(c_.input_bytes);
        data.fill(x.input);
        label = static_cast<std::uint32_t>(data.uniform(kClasses));
      }
      true_labels_.push_back(label);
      x.label = i < c_.bad_examples ? (label + 1) % kClasses : label;
      x.salt = field::Fr::random(data);
      commitments_.push_back(nn::input_commitment(x.input, x.salt));
      examples_.push_back(std::move(x));
    }
    auto mc = acc::McMachine::create(c_.terms, examples_, mc_rng_);
    if (!mc.ok()) return mc.error();
    mc_template_.emplace(std::move(*mc));
    return {};
  }

  AccuracyCase c_;
  CostModel cost_;
  escrow::RuleSet rules_;
  std::unique_ptr<VirtualEscrow> escrow_;
  std::vector<acc::Example> examples_;
  std::vector<field::Fr> commitments_;
  std::vector<std::uint32_t> true_labels_;
  std::vector<bool> real_correct_;  // real mode: the model's answer is the stated label
  ChaChaRng mp_rng_{0}, mc_rng_{0};  // reseeded per run; the machines hold pointers to them
  std::optional<acc::McMachine> mc_template_;
};

// ---- closed forms ---------------------------------------------------------------------

std::vector<ClosedForm> closed_forms(const CaseSpec& spec, const CostModel& cost) {
  std::vector<ClosedForm> out;
  auto parsed = parse_case(spec, cost);
  if (!parsed.ok()) return out;
  const AccuracyCase& c = *parsed;
  const escrow::AccuracyParams& a = c.terms.params;
  const double n1 = static_cast<double>(a.n1), n2 = static_cast<double>(a.n2), n = n1 + n2;
  const double e = static_cast<double>(a.e), p = static_cast<double>(a.p), z = static_cast<double>(a.z);
  const double eps = static_cast<double>(a.eps);
  const double x = n1 * p, y = 2 * (n1 * p + n2 * z), two_ne = 2 * n * e;
  const double inspect = n1 * cost.inference_cost(), prove = n2 * cost.prove_cost(), verify = n2 * cost.verify_cost();
  const bool deviating = !c.deviations[0].silent_at.empty() || !c.deviations[0].abort_stage.empty() ||
                         !c.deviations[1].silent_at.empty() || !c.deviations[1].abort_stage.empty() ||
                         !c.deviations[2].silent_at.empty() || !c.deviations[2].abort_stage.empty();
  // The exact forms leave out the stake's cost of capital (it depends on the run's duration).
  const bool valid_proofs = !c.invalid_proofs && !c.prove_fails && c.stake_rate_per_year == 0 && !c.real;

  // The exact distribution of one run when nobody times out: MP proceeds iff the subset
  // shows at least ceil(thr * N1) right; the rest passes iff at least ceil(a * N2) right.
  const auto need_subset = static_cast<std::uint64_t>(std::ceil(c.proceed_threshold * n1 - 1e-9));
  const auto need_rest = static_cast<std::uint64_t>(
      (static_cast<std::uint64_t>(a.n2) * c.terms.target_num + c.terms.target_den - 1) / c.terms.target_den);
  // P(abort), P(pass | proceed) and their joint law. Bad examples (B) are always wrong;
  // the subset of N1 holds K ~ Hypergeometric(N, B, N1) of them; the others are right
  // with probability q, independently.
  const std::uint64_t nn = static_cast<std::uint64_t>(n), bb = c.bad_examples;
  double p_abort = 0, p_pass = 0, p_fail = 0;
  if (c.decision == Decision::kShamAbort) {
    p_abort = a.n1 > 0 ? 1 : 0;
  }
  for (std::uint64_t k = 0; k <= std::min<std::uint64_t>(bb, static_cast<std::uint64_t>(a.n1)); ++k) {
    const double pk = hypergeometric_pmf(nn, bb, static_cast<std::uint64_t>(a.n1), k);
    if (pk == 0) continue;
    double proceed = 1;
    if (c.decision == Decision::kInspect && a.n1 > 0) {
      proceed = need_subset <= static_cast<std::uint64_t>(a.n1) - k
                    ? binomial_tail_at_least(static_cast<std::uint64_t>(a.n1) - k, c.mp_accuracy, need_subset)
                    : 0;
    }
    if (c.decision == Decision::kShamAbort && a.n1 > 0) proceed = 0;
    const std::uint64_t clean_rest = static_cast<std::uint64_t>(a.n2) - (bb - k);
    const double pass = need_rest <= clean_rest ? binomial_tail_at_least(clean_rest, c.mp_accuracy, need_rest) : 0;
    p_abort += c.decision == Decision::kShamAbort ? 0 : pk * (1 - proceed);
    p_pass += pk * proceed * pass;
    p_fail += pk * proceed * (1 - pass);
  }
  const std::string formula_joint =
      "K ~ Hypergeometric(N, B, N1) bad examples in the subset; MP proceeds iff Bin(N1-K, q) >= ceil(thr N1); "
      "pass iff Bin(N2-(B-K), q) >= ceil(a N2)";
  ClosedForm abort{"P(MP aborts at step 4)", "sum over K of P(K) P(Bin(N1-K, q) < ceil(thr N1)); " + formula_joint,
                   p_abort, "rate:settled_mp_aborted", !deviating && valid_proofs, ""};
  if (c.decision == Decision::kShamAbort) abort.formula = "1 (a sham abort: MP aborts without inspecting)";
  out.push_back(abort);
  out.push_back({"P(target met)", "sum over K of P(K) P(proceed | K) P(pass | K)", p_pass, "rate:settled_pass",
                 !deviating && valid_proofs, ""});
  // Expected payoffs (ledger net minus the work each party did), from each party's
  // payoff on an abort, a pass and a fail.
  const double mp_inspect = c.decision == Decision::kInspect ? inspect : 0;
  const std::array<double, 3> mp_if{x - eps - mp_inspect, y - eps - prove - mp_inspect + c.mp_value_of_pass,
                                    -two_ne - eps - prove - mp_inspect};
  const std::array<double, 3> mc_if{-x - eps, -y - eps - verify + c.value_of_pass, two_ne - eps - verify};
  const double mp_ev = p_abort * mp_if[0] + p_pass * mp_if[1] + p_fail * mp_if[2];
  const double mc_ev = p_abort * mc_if[0] + p_pass * mc_if[1] + p_fail * mc_if[2];
  out.push_back({"E[MP payoff]",
                 "a(N1P - eps - I) + p_pass(2(N1P + N2Z) - eps - I - N2 Zc + value) + p_fail(-2NE - eps - I - N2 Zc); "
                 "I = N1 x inference cost, Zc = proving cost",
                 mp_ev, "payoff:mp", !deviating && valid_proofs, ""});
  out.push_back({"E[MC payoff]",
                 "a(-N1P - eps) + p_pass(-2(N1P + N2Z) - eps - N2 Vc + value) + p_fail(2NE - eps - N2 Vc); Vc = "
                 "verification cost",
                 mc_ev, "payoff:mc", !deviating && valid_proofs, ""});
  // A Sybil retrying until a pass: instances are independent, so with p = p_pass and A
  // the identities played, E[A] = (1 - (1 - p)^k) / p, P(a pass) = 1 - (1 - p)^k, and a
  // party's payoff over the run is (E[A] - P(a pass)) E[payoff | no pass] + P(a pass)
  // E[payoff | pass] (the stop depends only on pass / no pass).
  if (spec.sybil.active() && spec.sybil.until == "settled_pass") {
    const double kk = spec.sybil.identities;
    const double reached = -std::expm1(kk * std::log1p(-std::min(p_pass, 1.0)));
    const double played = p_pass > 0 ? reached / p_pass : kk;
    const double no_pass = 1 - p_pass;
    for (std::size_t role : {std::size_t{0}, std::size_t{1}}) {
      const auto& v = role == 0 ? mp_if : mc_if;
      const double if_no_pass = no_pass > 0 ? (p_abort * v[0] + p_fail * v[2]) / no_pass : 0;
      ClosedForm f{std::string(role == 0 ? "E[MP payoff]" : "E[MC payoff]") + " over up to " +
                       std::to_string(spec.sybil.identities) + " identities until a pass",
                   "(E[A] - P_k) E[payoff | no pass] + P_k E[payoff | pass]; P_k = 1 - (1 - p_pass)^k, E[A] = P_k / "
                   "p_pass",
                   (played - reached) * if_no_pass + reached * v[1], role == 0 ? "payoff:mp" : "payoff:mc",
                   !deviating && valid_proofs, role == 1 ? "every MC the identities met, summed" : ""};
      f.whole_run = true;
      out.push_back(f);
    }
  }
  // The paper's honest-MP gain (Appendix B) and the consistent one (PROTOCOLS.md 2).
  const bool honest_pair = c.decision == Decision::kInspect && c.bad_examples == 0 && !deviating && valid_proofs;
  out.push_back({"paper: honest MP's expected gain", "(1 - a)(N1P + 2 N2 Z - eps) + a N1P",
                 (1 - p_abort) * (x + 2 * n2 * z - eps) + p_abort * x, "payoff:mp", false,
                 "the paper counts 2N2Z without the proving cost N2Z, and N1P on an abort without the inspection cost "
                 "and eps: it exceeds the ledger's figure by (1 - a) N2 Z + a (N1P + eps) when costs equal P and Z"});
  out.back().compare = honest_pair;
  out.push_back({"honest MP's gain net of work (PROTOCOLS.md)", "(1 - a)(N1P + N2Z) - eps, with Z = proving cost, P = "
                 "inference cost, and every proceed passing",
                 (1 - p_abort) * (x + n2 * z) - eps, "payoff:mp", false,
                 "holds when Z and P equal the work's cost and a proceeding MP always passes; E[MP payoff] above is "
                 "exact for the case"});
  out.back().compare = honest_pair;
  // Griefing (Appendix B): a sham abort at step 4.
  if (eps > 0 && x > 0) {
    out.push_back({"step-4 grief: transfer to MP / escrow fee", "N1P / eps", x / eps, "ratio:transfer:mp/fee_per_party",
                   c.decision == Decision::kShamAbort && !deviating,
                   "99 when eps = N1P/99 (the paper's viability choice)"});
    out.push_back({"step-4 grief: MC's loss / escrow fee", "(N1P + eps) / eps", (x + eps) / eps,
                   "ratio:loss:mc/fee_per_party", c.decision == Decision::kShamAbort && !deviating,
                   "100 when eps = N1P/99"});
    out.push_back({"step-4 grief: sham-aborting MP's net", "N1P - eps", x - eps, "ledger_net:mp",
                   c.decision == Decision::kShamAbort && !deviating,
                   "0 when eps = N1P (the paper's griefing choice): griefing MC is free but earns nothing"});
  }
  if (a.n1 > 0 && n1 * p != n2 * z) {
    out.push_back({"paper: alpha making MC's grief 100x MP's", "(NE/50 - 2 N2 Z) / (N1P - N2Z)",
                   (n * e / 50 - 2 * n2 * z) / (n1 * p - n2 * z), "none", false,
                   "a probability only when it falls in [0, 1]; compare P(MP aborts at step 4) for a griefing MC"});
  }
  out.push_back({"paper: alpha bound for eps = N1P/99", "49 N1P / (49 N1P + 99 NE)", 49 * x / (49 * x + 99 * n * e),
                 "none", false, ""});
  out.push_back({"paper: MP stake", "1000 N1 E", 1000 * n1 * e, "none", false,
                 "the Sybil deterrent: locked per model; the simulator charges no cost of capital"});
  return out;
}

}  // namespace

ProtocolInfo accuracy_protocol() {
  ProtocolInfo info;
  info.name = "accuracy";
  info.roles = kRoleNames;
  info.rules = [](const CaseSpec& spec) -> Result<escrow::RuleSet> {
    CostModel any = *cost_preset("fashion_mnist");
    auto c = parse_case(spec, any);
    if (!c.ok()) return c.error();
    return rules_of(*c);
  };
  info.make = &AccuracySim::create;
  info.check = [](const CaseSpec& spec, const CostModel& cost) -> Status {
    auto c = parse_case(spec, cost);
    if (!c.ok()) return c.error().context("case '" + spec.name + "'");
    auto rules = rules_of(*c);
    if (!rules.ok()) return rules.error().context("case '" + spec.name + "'");
    return check_deviations(*rules, spec, kRoleNames);
  };
  info.closed_forms = &closed_forms;
  info.real_examples = [](const CaseSpec& spec) -> std::size_t {
    return static_cast<std::size_t>(integer_or(spec.params, "n1", 10, 0, 1 << 20) +
                                    integer_or(spec.params, "n2", 40, 0, 1 << 20));
  };
  return info;
}

}  // namespace verdict::sim
