// The three serving machines against each other through an in-memory loop and a real
// (in-memory SQLite) escrow ledger with an injected clock. Every run ends in the table's
// terminal with the ledger's balances equal to every machine's outcome and money
// conserved. Honest rounds (contested and proven, closed), a lazy MP (random outputs), a
// forging MP, a malicious MP wrong on B of K items (caught exactly when a wrong item is
// contested, at the rate 1 - C(K-B, K1)/C(K, K1)), silences of each party at each stage,
// rejected inputs, missing data at the verifier, and bad inputs refused without state
// change.
//
// No real SNARKs: the test's "prover" marks a proof valid by a keyed digest over its
// public values, which only the honest prover computes, and only for the model's true
// output; the verification driver checks that digest, as nn::verify would check a proof.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "escrow/ledger.hpp"
#include "escrow/testing.hpp"
#include "protocols/serving/mc_machine.hpp"
#include "protocols/serving/messages.hpp"
#include "protocols/serving/mp_machine.hpp"
#include "protocols/serving/verifier_machine.hpp"
#include "protocols/sizing/clopper_pearson.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::serving {
namespace {

using escrow::Amount;
using escrow::PartyId;
using escrow::testing::party;

const PartyId kOperator = party(1);
const PartyId kParties[3] = {party(10), party(11), party(12)};  // mp, mc, verifier
constexpr Amount kStart = 100'000'000;
const Digest kModel = [] {
  Digest d{};
  d.fill(0x4d);
  return d;
}();

// K = 8, K1 = 2, Z = 50, beta = 3, eps = 7: B = 1200, C = 800, 2 K1 Z = 200.
Terms terms(std::uint32_t k = 8, std::uint32_t k1 = 2) {
  Terms t;
  t.params.k = k;
  t.params.k1 = k1;
  t.params.z = 50;
  t.params.beta = 3;
  t.params.eps = 7;
  t.params.funding_timeout_ms = 60'000;
  t.params.response_timeout_ms = 10'000;
  t.params.proving_timeout_ms = 100'000;
  t.params.verdict_timeout_ms = 20'000;
  return t;
}

// The model: 4 output bytes from the input.
Bytes true_output(std::span<const std::uint8_t> x) {
  codec::Sha256 h;
  const Digest d = h.update("test model").update(x).finish();
  return Bytes(d.begin(), d.begin() + 4);
}
// The stand-in for a SNARK: binds the public values; only the honest prover makes it.
Bytes fake_snark(const nn::PublicValues& v) {
  codec::Sha256 h;
  const Digest d = h.update("test snark")
                       .update(v.model_commitment)
                       .update(v.input_commitment.to_bytes_be())
                       .update(v.output)
                       .finish();
  return Bytes(d.begin(), d.end());
}

enum class MpKind { kHonest, kLazy, kWrongOnSome, kForging };

// How the drivers (and a deviating party) behave. Acts are keyed "role:transition";
// messages "from:kind" (both recipients) or "from:kind:to".
struct Policy {
  ContestPolicy contest = ContestPolicy::kAlways;
  MpKind mp = MpKind::kHonest;
  std::set<std::uint32_t> wrong;  // kWrongOnSome: the items MP answers wrongly
  bool predict_refuses = false;
  bool prove_fails = false;
  bool mc_never_opens = false;
  std::set<std::string> drop;           // acts never submitted
  std::set<std::string> corrupt;        // acts submitted with flipped evidence
  std::set<std::string> drop_messages;  // messages never delivered
  // Random deviations of one role (the property test): drop, corrupt or replace (by any
  // action of that role out of the current stage, or nonsense) its acts, drop its messages.
  std::optional<Role> random_role;
  double p_drop = 0, p_corrupt = 0, p_replace = 0, p_drop_message = 0;
};

std::string kind(const Message& m) { return std::string(message_type(m)).substr(8); }  // after "serving."

class Loop {
 public:
  Loop(Policy policy, std::uint64_t seed, Terms t = terms())
      : terms_(t),
        policy_(std::move(policy)),
        rng_(seed),
        mc_rng_(seed + 2),
        dev_rng_(seed + 3),
        inputs_(make_inputs(rng_, t.params.k)),
        mp_(*ServingMpMachine::create(t, kModel)),
        mc_(*ServingMcMachine::create(t, inputs_, mc_rng_, policy_.contest)),
        v_(*ServingVerifierMachine::create(t)) {
    ledger_ = escrow::Ledger::open(escrow::Ledger::Options{":memory:", &clock_, kOperator, false}).value();
    rules_ = *serving_rule_set(t.params);
    for (int r = 0; r < 2; ++r) must(submit(kOperator, escrow::Mint{kParties[r], kStart}));
  }

  static std::vector<Bytes> make_inputs(Rng& rng, std::uint32_t k) {
    std::vector<Bytes> out(k, Bytes(16));
    for (Bytes& x : out) rng.fill(x);
    return out;
  }

  void start() {
    for (int r = 0; r < 3; ++r) queue_.push_back({static_cast<Role>(r), Start{clock_.now_ms()}});
  }

  // Runs until every machine finished or nothing is left to happen.
  void run(bool with_start = true) {
    if (with_start) start();
    for (int guard = 0; guard < 10'000; ++guard) {
      drain();
      if (finished()) return;
      std::int64_t next = INT64_MAX;
      for (auto& t : timers_) {
        if (!t.empty()) next = std::min(next, *t.begin());
      }
      if (next == INT64_MAX) return;
      clock_.set(std::max(clock_.now_ms(), next));
      for (int r = 0; r < 3; ++r) {
        auto& t = timers_[r];
        if (!t.empty() && *t.begin() <= clock_.now_ms()) {
          t.erase(t.begin(), t.upper_bound(clock_.now_ms()));
          queue_.push_back({static_cast<Role>(r), TimerFired{clock_.now_ms()}});
        }
      }
    }
    FAIL() << "loop did not settle";
  }

  bool finished() const { return mp_.outcome() && mc_.outcome() && v_.outcome(); }

  Result<Effects> feed(Role r, const Input& in) {
    switch (r) {
      case Role::kMp:
        return mp_.handle(in);
      case Role::kMc:
        return mc_.handle(in);
      case Role::kVerifier:
        return v_.handle(in);
    }
    return Error{"?"};
  }

  void drain() {
    while (step_one()) {
    }
  }

  bool step_one() {
    if (queue_.empty()) return false;
    auto [r, in] = std::move(queue_.front());
    queue_.pop_front();
    const int ri = static_cast<int>(r);
    const bool work = std::holds_alternative<VerificationDone>(in) || std::holds_alternative<ProofsDone>(in) ||
                      std::holds_alternative<PredictionsDone>(in);
    if (work && finished_[ri]) return true;  // stale: a real driver drops it
    auto effects = feed(r, in);
    if (!effects.ok()) {
      // A driver watches the instance only once its machine knows the session, and then
      // feeds the whole history: keep events that came too early for after the next message.
      if (std::holds_alternative<EscrowEvent>(in) &&
          effects.error().message.find("before the session is known") != std::string::npos) {
        early_events_[ri].push_back(std::get<EscrowEvent>(in));
        return true;
      }
      errors_[ri].push_back(effects.error().message);
      return true;
    }
    if (std::holds_alternative<Received>(in)) {
      for (auto it = early_events_[ri].rbegin(); it != early_events_[ri].rend(); ++it) queue_.push_front({r, *it});
      early_events_[ri].clear();
    }
    if (const auto* e = std::get_if<EscrowEvent>(&in)) seen_[ri] = *e;
    for (Effect& e : *effects) apply(r, std::move(e));
    return true;
  }

  void apply(Role r, Effect e) {
    const int ri = static_cast<int>(r);
    const std::string who = role_name(r);
    if (auto* s = std::get_if<Send>(&e)) {
      const std::string key = who + ":" + kind(s->message);
      if (policy_.drop_messages.count(key) || policy_.drop_messages.count(key + ":" + role_name(s->to))) return;
      if (deviate(r, policy_.p_drop_message)) return;
      // Every message goes through the codec, as it would on the wire.
      auto decoded = decode_message(message_type(s->message), encode_message(s->message));
      ASSERT_TRUE(decoded.ok()) << decoded.error().message;
      queue_.push_back({s->to, Received{r, std::move(*decoded)}});
    } else if (auto* o = std::get_if<OpenEscrow>(&e)) {
      if (policy_.mc_never_opens) return;
      id_ = o->instance;
      must(submit(kParties[1], escrow::OpenInstance{id_, rules_, {kParties[0], kParties[1], kParties[2]}}));
      publish_events();
    } else if (auto* a = std::get_if<SubmitAct>(&e)) {
      const std::string key = who + ":" + a->transition;
      if (policy_.drop.count(key) || deviate(r, policy_.p_drop)) return;
      std::string t = a->transition;
      if (deviate(r, policy_.p_replace)) t = random_action(r);
      Digest ev = a->evidence;
      if (policy_.corrupt.count(key) || deviate(r, policy_.p_corrupt)) ev[0] ^= 1;
      acts_.push_back(t == a->transition ? key : key + "->" + t);
      escrow::Outcome o = submit(kParties[ri], escrow::Act{id_, t, ev});
      // The driver reports what its machine asked for (a deviating one too).
      if (!o.ok()) queue_.push_back({r, EscrowRefused{a->transition, o.rejection().reason}});
      publish_events();
    } else if (auto* t = std::get_if<SetTimer>(&e)) {
      timers_[ri].insert(t->at_ms);
    } else if (auto* p = std::get_if<Predict>(&e)) {
      if (policy_.predict_refuses) {
        queue_.push_back({r, PredictionsDone{std::nullopt}});
        return;
      }
      std::vector<Bytes> outs;
      for (std::uint32_t i = 0; i < p->inputs.size(); ++i) {
        Bytes y = true_output(p->inputs[i]);
        if (policy_.mp == MpKind::kLazy) dev_rng_.fill(y);
        if ((policy_.mp == MpKind::kWrongOnSome && policy_.wrong.count(i)) || policy_.mp == MpKind::kForging) y[0] ^= 1;
        outs.push_back(std::move(y));
      }
      posted_ = outs;
      queue_.push_back({r, PredictionsDone{std::move(outs)}});
    } else if (auto* p = std::get_if<ProveContested>(&e)) {
      if (policy_.prove_fails) {
        queue_.push_back({r, ProofsDone{std::nullopt}});
        return;
      }
      std::vector<nn::ModelProof> proofs;
      for (std::size_t j = 0; j < p->indices.size(); ++j) {
        nn::ModelProof proof;
        proof.values.model_commitment = kModel;
        proof.values.input_commitment = nn::input_commitment(p->inputs[j], p->salts[j]);
        if (policy_.mp == MpKind::kForging) {  // claims its posted output; cannot make the SNARK
          proof.values.output = posted_[p->indices[j]];
          proof.proof = {1, 2, 3};
        } else {  // an honest prover proves what the model outputs
          proof.values.output = true_output(p->inputs[j]);
          proof.proof = fake_snark(proof.values);
        }
        proofs.push_back(std::move(proof));
      }
      queue_.push_back({r, ProofsDone{std::move(proofs)}});
    } else if (auto* v = std::get_if<VerifyProofs>(&e)) {
      std::vector<bool> valid;
      for (const nn::ModelProof& p : v->proofs) valid.push_back(p.proof == fake_snark(p.values));
      queue_.push_back({r, VerificationDone{std::move(valid)}});
    } else if (auto* f = std::get_if<Finished>(&e)) {
      finished_[ri] = f->outcome;
    }
  }

  bool deviate(Role r, double p) {
    if (!policy_.random_role || *policy_.random_role != r || p <= 0) return false;
    return static_cast<double>(dev_rng_.uniform(1'000'000)) < p * 1e6;
  }

  // A random action of role r out of the instance's current stage, or a nonsense name.
  std::string random_action(Role r) {
    auto view = ledger_->instance(id_);
    std::vector<std::string> names = {"nonsense"};
    if (view.ok() && view->stage >= 0) {
      for (const auto& t : rules_.transitions) {
        if (!t.timeout && t.from == view->stage && t.actor == static_cast<std::uint8_t>(r)) names.push_back(t.name);
      }
    }
    return names[dev_rng_.uniform(names.size())];
  }

  void publish_events() {
    auto view = ledger_->instance(id_);
    if (!view.ok()) return;
    for (; events_fed_ < view->history.size(); ++events_fed_) {
      const escrow::InstanceEvent& h = view->history[events_fed_];
      Role actor = Role::kMp;
      for (int r = 0; r < 3; ++r) {
        if (h.actor == kParties[r]) actor = static_cast<Role>(r);
      }
      const EscrowEvent e{id_, h.audit_seq, h.transition, actor, h.evidence, h.stage_after, h.time_ms};
      for (int r = 0; r < 3; ++r) queue_.push_back({static_cast<Role>(r), e});
    }
  }

  escrow::Outcome submit(const PartyId& actor, escrow::Body body) {
    escrow::OpId op{};
    rng_.fill(op);
    return ledger_->apply(escrow::Submission{actor, escrow::Request{op, std::move(body)}, std::nullopt});
  }
  static void must(const escrow::Outcome& o) { ASSERT_TRUE(o.ok()) << o.rejection().reason; }

  Amount balance(const std::string& account) { return *ledger_->balance(account); }
  std::string stage() {
    if (id_ == escrow::InstanceId{}) return "abandoned";
    const auto view = ledger_->instance(id_);
    return view.ok() ? view.value().stage_name : "?";
  }

  // The ledger agrees with every machine's outcome; money is conserved; holds are empty.
  void check_settlement(const std::string& expected_stage) {
    const std::string st = stage();
    EXPECT_EQ(st, expected_stage) << trace();
    ASSERT_TRUE(finished()) << trace();
    const Outcome want = outcome_of(terms_, st);
    const Outcome outcomes[3] = {*mp_.outcome(), *mc_.outcome(), *v_.outcome()};
    for (int r = 0; r < 3; ++r) {
      const Outcome& o = outcomes[r];
      if (o.stage == "abandoned") {  // never saw the instance open: only if no money moved
        EXPECT_TRUE(st == "abandoned" || st == "unfunded") << role_name(static_cast<Role>(r)) << " " << st;
        continue;
      }
      EXPECT_EQ(o.stage, want.stage) << role_name(static_cast<Role>(r));
      EXPECT_EQ(o.mp_net, want.mp_net);
      EXPECT_EQ(o.mc_net, want.mc_net);
    }
    EXPECT_EQ(balance(escrow::party_account(kParties[0])) - kStart, want.mp_net) << trace();
    EXPECT_EQ(balance(escrow::party_account(kParties[1])) - kStart, want.mc_net) << trace();
    EXPECT_EQ(balance(escrow::party_account(kParties[2])), 0);
    const Amount fees = balance(escrow::kFeeAccount);
    EXPECT_EQ(want.mp_net + want.mc_net + fees, 0) << trace();
    EXPECT_EQ(fees, (st == "abandoned" || st == "unfunded") ? 0 : 2 * terms_.params.eps) << trace();
    if (st != "abandoned") {
      const auto view = ledger_->instance(id_);
      ASSERT_TRUE(view.ok());
      for (Amount h : view.value().holds) EXPECT_EQ(h, 0);
    }
  }

  std::string trace() const {
    std::string s;
    for (const auto& a : acts_) s += a + " ";
    for (int r = 0; r < 3; ++r) {
      for (const auto& e : errors_[r]) s += "\n  error " + std::string(role_name(static_cast<Role>(r))) + ": " + e;
    }
    return s;
  }

  bool no_errors() const { return errors_[0].empty() && errors_[1].empty() && errors_[2].empty(); }

  Terms terms_;
  Policy policy_;
  ChaChaRng rng_, mc_rng_, dev_rng_;
  std::vector<Bytes> inputs_;
  escrow::ManualClock clock_;
  std::unique_ptr<escrow::Ledger> ledger_;
  escrow::RuleSet rules_;
  ServingMpMachine mp_;
  ServingMcMachine mc_;
  ServingVerifierMachine v_;
  escrow::InstanceId id_{};
  std::deque<std::pair<Role, Input>> queue_;
  std::multiset<std::int64_t> timers_[3];
  std::size_t events_fed_ = 0;
  std::optional<EscrowEvent> seen_[3];  // the last event each machine accepted
  std::vector<EscrowEvent> early_events_[3];
  std::vector<Bytes> posted_;
  std::vector<std::string> acts_;
  std::vector<std::string> errors_[3];
  std::optional<Outcome> finished_[3];
};

void run_and_expect(const Policy& policy, const std::string& stage, bool expect_no_errors = true) {
  Loop loop(policy, 0x5e7);
  loop.run();
  loop.check_settlement(stage);
  if (expect_no_errors) {
    EXPECT_TRUE(loop.no_errors()) << loop.trace();
  }
}

TEST(ServingMachines, HonestRoundContestedAndProven) {
  Loop loop(Policy{}, 1);
  loop.run();
  loop.check_settlement("settled_proven");
  EXPECT_TRUE(loop.no_errors()) << loop.trace();
  EXPECT_EQ(loop.mp_.outcome()->mp_net, 200 - 7);  // MP gains 2 K1 Z
  EXPECT_EQ(loop.mp_.outcome()->mc_net, -200 - 7);
  // MC conceded; all three derived the same unbiased subset.
  EXPECT_NE(std::find(loop.acts_.begin(), loop.acts_.end(), "mc:concede"), loop.acts_.end()) << loop.trace();
  EXPECT_EQ(loop.mp_.contested().size(), 2u);
  EXPECT_EQ(loop.mp_.contested(), loop.mc_.contested());
  EXPECT_EQ(loop.mp_.contested(), loop.v_.contested());
  EXPECT_FALSE(loop.mp_.transcript_mismatch());
  EXPECT_EQ(loop.mc_.predictions(), loop.posted_);
}

TEST(ServingMachines, HonestRoundProvenByTheVerifier) {
  Policy p;
  p.drop.insert("mc:concede");
  run_and_expect(p, "settled_proven");
}

TEST(ServingMachines, HonestRoundClosedWithoutContest) {
  Policy p;
  p.contest = ContestPolicy::kNever;
  Loop loop(p, 2);
  loop.run();
  loop.check_settlement("settled_closed");
  EXPECT_TRUE(loop.no_errors()) << loop.trace();
  EXPECT_EQ(loop.mp_.outcome()->mp_net, -7);
}

TEST(ServingMachines, LazyMpIsSlashed) {
  Policy p;
  p.mp = MpKind::kLazy;  // random outputs; its honest prover cannot match them
  Loop loop(p, 3);
  loop.run();
  loop.check_settlement("settled_mp_slashed");
  EXPECT_TRUE(loop.no_errors()) << loop.trace();
  EXPECT_EQ(loop.mp_.outcome()->mp_net, -1200 - 7);
  EXPECT_EQ(loop.mp_.outcome()->mc_net, 1200 - 7);
  ASSERT_TRUE(loop.mc_.rejection());
  EXPECT_NE(loop.mc_.rejection()->find("posted prediction"), std::string::npos) << *loop.mc_.rejection();
  ASSERT_TRUE(loop.v_.rejection());
  EXPECT_EQ(*loop.v_.rejection(), *loop.mc_.rejection());
}

TEST(ServingMachines, ForgingMpIsSlashed) {
  Policy p;
  p.mp = MpKind::kForging;  // proofs claim the wrong outputs it posted: they do not verify
  Loop loop(p, 4);
  loop.run();
  loop.check_settlement("settled_mp_slashed");
  ASSERT_TRUE(loop.v_.rejection());
  EXPECT_NE(loop.v_.rejection()->find("does not verify"), std::string::npos) << *loop.v_.rejection();
}

TEST(ServingMachines, CheckContestProofsNamesTheBrokenRule) {
  // check_contest_proofs, rule by rule, on the subset of a real round.
  Loop loop(Policy{}, 5);
  loop.run();
  const Terms t = terms();
  ASSERT_EQ(loop.v_.stage(), "settled_proven");
  const std::vector<std::uint32_t> idx = loop.v_.contested();
  ProofBundle bundle;
  std::vector<field::Fr> ics;
  std::vector<Bytes> ys;
  ChaChaRng rng(77);
  for (std::uint32_t i = 0; i < t.params.k; ++i) {
    ics.push_back(field::Fr::random(rng));
    ys.push_back(true_output(loop.inputs_[i]));
  }
  for (std::uint32_t i : idx) {
    nn::ModelProof p;
    p.values.model_commitment = kModel;
    p.values.input_commitment = ics[i];
    p.values.output = ys[i];
    bundle.proofs.push_back(p);
  }
  const std::vector<bool> valid(idx.size(), true);
  ASSERT_TRUE(check_contest_proofs(t, kModel, ics, ys, idx, bundle, valid).ok());
  auto fails_with = [&](ProofBundle b, std::vector<bool> v, const char* what, std::vector<std::uint32_t> sub = {}) {
    if (sub.empty()) sub = idx;
    Status st = check_contest_proofs(t, kModel, ics, ys, sub, b, v);
    ASSERT_FALSE(st.ok()) << what;
    EXPECT_NE(st.error().message.find(what), std::string::npos) << st.error().message;
  };
  auto b = bundle;
  fails_with(b, {true, false}, "does not verify");
  b.proofs[1].values.model_commitment[0] ^= 1;
  fails_with(b, valid, "another model");
  b = bundle;
  b.proofs[0].values.input = nn::InputVisibility::kPublic;
  fails_with(b, valid, "hidden-input");
  b = bundle;
  b.proofs[0].values.input_commitment = ics[(idx[0] + 1) % t.params.k];
  fails_with(b, valid, "input commitment");
  b = bundle;
  b.proofs[1].values.output.push_back(0);
  fails_with(b, valid, "posted prediction");
  b = bundle;
  std::swap(b.proofs[0], b.proofs[1]);  // out of order
  fails_with(b, valid, "contested item");
  b = bundle;
  b.proofs.pop_back();
  fails_with(b, {true}, "proofs for");
  fails_with(bundle, valid, "increasing", {idx[1], idx[0]});
  fails_with(bundle, valid, "increasing", {0, t.params.k});
  fails_with(bundle, valid, "K1", {idx[0]});
}

// A malicious MP wrong on B of K items is caught exactly when a wrong item is contested;
// over many seeded rounds the rate is 1 - C(K-B, K1)/C(K, K1) (inside the exact 99.9%
// Clopper-Pearson interval of the observed rate).
TEST(ServingMachines, MaliciousMpIsCaughtAtTheBinomialRate) {
  const std::uint64_t seed = escrow::testing::test_seed(0x5e2f1ce);
  std::printf("seed %llu (VERDICT_SEED replays)\n", static_cast<unsigned long long>(seed));
  ChaChaRng meta(seed);
  constexpr std::uint32_t K = 8, K1 = 2, B = 2, kRuns = 400;
  int caught = 0;
  for (std::uint32_t run = 0; run < kRuns; ++run) {
    Policy p;
    p.mp = MpKind::kWrongOnSome;
    while (p.wrong.size() < B) p.wrong.insert(static_cast<std::uint32_t>(meta.uniform(K)));
    Loop loop(p, seed + 1 + run * 7919ull, terms(K, K1));
    loop.run();
    bool hit = false;
    for (std::uint32_t i : loop.mp_.contested()) hit |= p.wrong.count(i) > 0;
    SCOPED_TRACE("run " + std::to_string(run));
    loop.check_settlement(hit ? "settled_mp_slashed" : "settled_proven");
    EXPECT_TRUE(loop.no_errors()) << loop.trace();
    caught += hit;
    if (::testing::Test::HasFailure()) return;
  }
  const double expected = 1.0 - (6.0 * 5.0) / (8.0 * 7.0);  // 1 - C(6,2)/C(8,2) = 13/28
  auto ci = sizing::clopper_pearson_interval(static_cast<std::uint64_t>(caught), kRuns, 1e-3);
  ASSERT_TRUE(ci.ok());
  std::printf("caught %d of %u, expected rate %.4f, 99.9%% interval [%.4f, %.4f]\n", caught, kRuns, expected, ci->lower,
              ci->upper);
  EXPECT_LE(ci->lower, expected);
  EXPECT_GE(ci->upper, expected);
}

TEST(ServingMachines, MpSilentAtEachStage) {
  const std::vector<std::pair<Policy, std::string>> cases = [] {
    std::vector<std::pair<Policy, std::string>> c;
    Policy p;
    p.drop_messages.insert("mp:model_commitment");
    c.push_back({p, "abandoned"});
    p = {};
    p.drop.insert("mp:deposit");
    c.push_back({p, "unfunded"});
    p = {};
    p.drop.insert("mp:post_predictions");
    c.push_back({p, "settled_mp_slashed"});
    p = {};
    p.drop.insert("mp:submit_proofs");
    c.push_back({p, "settled_mp_slashed"});
    p = {};
    p.prove_fails = true;
    c.push_back({p, "settled_mp_slashed"});
    return c;
  }();
  for (const auto& [policy, stage] : cases) {
    SCOPED_TRACE(stage);
    run_and_expect(policy, stage);
  }
}

TEST(ServingMachines, McSilentAtEachStage) {
  const std::vector<std::pair<Policy, std::string>> cases = [] {
    std::vector<std::pair<Policy, std::string>> c;
    Policy p;
    p.mc_never_opens = true;
    c.push_back({p, "abandoned"});
    p = {};
    p.drop.insert("mc:deposit");
    c.push_back({p, "unfunded"});
    p = {};
    p.drop.insert("mc:commit_inputs");
    c.push_back({p, "settled_refund"});
    p = {};
    p.drop.insert("mc:commit_transcript");
    c.push_back({p, "settled_closed"});
    p = {};
    p.drop.insert("mc:contest");
    c.push_back({p, "settled_closed"});
    p = {};
    p.contest = ContestPolicy::kNever;
    p.drop.insert("mc:close");
    c.push_back({p, "settled_closed"});
    return c;
  }();
  for (const auto& [policy, stage] : cases) {
    SCOPED_TRACE(stage);
    run_and_expect(policy, stage);
  }
  // MP never gets MC's round open: MC opens and deposits, MP cannot find the instance
  // (its events are refused, it knows no session), funding times out with full refunds.
  Policy p;
  p.drop_messages.insert("mc:round_open");
  run_and_expect(p, "unfunded", false);
}

TEST(ServingMachines, VerifierSilentRefunds) {
  Policy p;
  p.drop.insert("mc:concede");
  p.drop.insert("verifier:valid");
  run_and_expect(p, "settled_refund");
  p = {};
  p.mp = MpKind::kLazy;
  p.drop.insert("verifier:invalid");
  run_and_expect(p, "settled_refund");
}

TEST(ServingMachines, RejectedInputsRefund) {
  Policy p;
  p.corrupt.insert("mc:commit_inputs");  // the inputs MC sends do not match its digest
  run_and_expect(p, "settled_refund");
  p = {};
  p.drop_messages.insert("mc:inputs");  // never arrive: MP rejects at half the window
  run_and_expect(p, "settled_refund");
  p = {};
  p.predict_refuses = true;  // not inputs of this model
  run_and_expect(p, "settled_refund");
}

TEST(ServingMachines, WithheldPredictionsCloseTheRound) {
  // MC never sees the predictions MP posted: it commits no transcript, the round closes.
  Policy p;
  p.drop_messages.insert("mp:predictions:mc");
  run_and_expect(p, "settled_closed");
  p = {};
  p.corrupt.insert("mp:post_predictions");  // the posted digest matches no message
  run_and_expect(p, "settled_closed", false);
}

TEST(ServingMachines, VerifierLackingDataRulesAgainstMp) {
  // No bundle at the verifier: invalid at half the verdict window.
  Policy p;
  p.drop.insert("mc:concede");
  p.drop_messages.insert("mp:proofs:verifier");
  run_and_expect(p, "settled_mp_slashed");
  // No predictions at the verifier.
  p = {};
  p.drop.insert("mc:concede");
  p.drop_messages.insert("mp:predictions:verifier");
  run_and_expect(p, "settled_mp_slashed");
  // The input commitments from either party suffice; from neither, invalid.
  p = {};
  p.drop.insert("mc:concede");
  p.drop_messages.insert("mc:input_commitments");
  run_and_expect(p, "settled_proven");
  p = {};
  p.drop.insert("mc:concede");
  p.drop_messages.insert("mp:input_commitments");
  run_and_expect(p, "settled_proven");
  p.drop_messages.insert("mc:input_commitments");
  run_and_expect(p, "settled_mp_slashed");
  // A posted bundle digest matching no bundle.
  p = {};
  p.corrupt.insert("mp:submit_proofs");
  run_and_expect(p, "settled_mp_slashed", false);
}

TEST(ServingMachines, PostedRootOrSeedOtherThanMcsStillAnswered) {
  // MC posts a transcript root other than the one of what it received: MP notices, still
  // answers on the subset the posted root gives, and is paid.
  Policy p;
  p.corrupt.insert("mc:commit_transcript");
  Loop loop(p, 6);
  loop.run();
  loop.check_settlement("settled_proven");
  EXPECT_TRUE(loop.mp_.transcript_mismatch());
  // A contest seed that does not open MC's commitment: the posted seed decides.
  p = {};
  p.corrupt.insert("mc:contest");
  run_and_expect(p, "settled_proven");
}

// Wrong senders, replays, other instances, early timeouts and stray work results fed to
// every machine at every step of an honest round are refused, and the round still ends
// proven without any other error.
TEST(ServingMachines, BadInputIsRefusedWithoutStateChange) {
  Loop loop(Policy{}, 7);
  loop.start();
  for (int i = 0; i < 3; ++i) loop.step_one();
  int refused = 0, expected = 0;
  while (!loop.queue_.empty() && !loop.finished()) {
    for (int t = 0; t < 3; ++t) {
      const Role target = static_cast<Role>(t);
      auto refuse = [&](const Input& in) {
        ++expected;
        refused += !loop.feed(target, in).ok();
      };
      // Wrong senders.
      refuse(Received{Role::kVerifier, ModelCommitment{kModel}});
      refuse(Received{Role::kVerifier, RoundOpen{}});
      refuse(Received{Role::kVerifier, ProofBundle{}});
      refuse(Received{Role::kMc, Predictions{}});
      if (target != Role::kMp) refuse(Received{Role::kMp, Inputs{}});
      // Stray work results.
      refuse(PredictionsDone{std::vector<Bytes>(9)});
      refuse(VerificationDone{std::vector<bool>(5, true)});
      refuse(Start{0});
      if (const auto& seen = loop.seen_[t]) {
        refuse(*seen);  // replay
        EscrowEvent other = *seen;
        other.seq += 1000;
        other.instance[0] ^= 1;
        refuse(other);  // another instance
        EscrowEvent early = *seen;
        early.seq += 1000;
        early.transition = "timeout";  // before the deadline (the clock stands still)
        early.stage_after = "settled_mp_slashed";
        refuse(early);
        EscrowEvent wrong_role = *seen;
        wrong_role.seq += 1000;
        wrong_role.transition = "valid";
        wrong_role.actor = Role::kMc;
        wrong_role.stage_after = "settled_proven";
        refuse(wrong_role);
      }
      // A timer before any deadline changes nothing and claims nothing.
      auto timer = loop.feed(target, TimerFired{loop.clock_.now_ms()});
      ASSERT_TRUE(timer.ok());
      EXPECT_TRUE(timer->empty());
    }
    loop.step_one();
  }
  loop.run(false);
  loop.check_settlement("settled_proven");
  EXPECT_TRUE(loop.no_errors()) << loop.trace();
  EXPECT_EQ(refused, expected);
  EXPECT_GT(expected, 300);
}

TEST(ServingMachines, EventsBeforeTheSessionOrWithOtherRulesAreRefused) {
  Loop loop(Policy{}, 8);
  loop.run();
  ASSERT_TRUE(loop.seen_[0]);
  const EscrowEvent last = *loop.seen_[0];
  EXPECT_FALSE(loop.mp_.handle(last).ok());  // after the end
  auto mp = *ServingMpMachine::create(terms(), kModel);
  EXPECT_FALSE(mp.handle(Received{Role::kMc, RoundOpen{}}).ok());  // not started
  ASSERT_TRUE(mp.handle(Start{0}).ok());
  EXPECT_FALSE(mp.handle(last).ok());                                    // no session yet
  EXPECT_FALSE(mp.handle(Received{Role::kVerifier, RoundOpen{}}).ok());  // wrong sender
  RoundOpen round{};
  round.round_id[0] = 1;
  ASSERT_TRUE(mp.handle(Received{Role::kMc, round}).ok());
  EXPECT_FALSE(mp.handle(Received{Role::kMc, round}).ok());  // second
  EscrowEvent e = last;
  EXPECT_FALSE(mp.handle(e).ok());  // another instance
  e.instance = session_instance(session_digest(terms(), kModel, round));
  e.seq = 1;
  e.transition = "deposit";
  e.stage_after = "funding";
  EXPECT_FALSE(mp.handle(e).ok());  // a deposit before the open
  e.transition = "open";
  e.evidence = Digest{};
  EXPECT_FALSE(mp.handle(e).ok());  // opened with other rules
  e.evidence = escrow::rules_digest(*serving_rule_set(terms().params));
  auto opened = mp.handle(e);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_FALSE(mp.handle(e).ok());  // replay
  EXPECT_EQ(mp.stage(), "funding");
  // Inputs before funding are out of order.
  EXPECT_FALSE(mp.handle(Received{Role::kMc, Inputs{}}).ok());
  // Terms and machines refuse bad parameters.
  Terms bad = terms();
  bad.params.k1 = 9;
  EXPECT_FALSE(ServingMpMachine::create(bad, kModel).ok());
  EXPECT_FALSE(ServingVerifierMachine::create(bad).ok());
  ChaChaRng rng(1);
  EXPECT_FALSE(ServingMcMachine::create(terms(), std::vector<Bytes>(7), rng).ok());
}

// Against seeded random opponents (dropping, corrupting or replacing acts, dropping
// messages, and for MP any kind of wrong outputs or forged proofs): an honest MP never
// loses more than eps; an honest MC never more than eps, except in settled_proven, where
// it pays exactly 2 K1 Z + eps and only when every contested item was answered with the
// model's true output.
TEST(ServingMachines, HonestPartiesAreBoundedAgainstRandomOpponents) {
  const std::uint64_t seed = escrow::testing::test_seed(0x5e7ba5e);
  std::printf("seed %llu (VERDICT_SEED replays)\n", static_cast<unsigned long long>(seed));
  ChaChaRng meta(seed);
  const Amount eps = 7, pay = 200;
  std::map<std::string, int> reached;
  for (int run = 0; run < 300; ++run) {
    Policy p;
    const bool honest_mp = run % 2 == 0;
    p.random_role = honest_mp ? Role::kMc : Role::kMp;
    p.p_drop = 0.05 * static_cast<double>(meta.uniform(4));
    p.p_corrupt = 0.05 * static_cast<double>(meta.uniform(4));
    p.p_replace = 0.05 * static_cast<double>(meta.uniform(4));
    p.p_drop_message = 0.05 * static_cast<double>(meta.uniform(3));
    if (honest_mp) {
      p.contest = meta.uniform(4) == 0 ? ContestPolicy::kNever : ContestPolicy::kAlways;
    } else {
      p.mp = static_cast<MpKind>(meta.uniform(4));
      while (p.wrong.size() < 1 + meta.uniform(3)) p.wrong.insert(static_cast<std::uint32_t>(meta.uniform(8)));
      p.prove_fails = meta.uniform(10) == 0;
      p.predict_refuses = meta.uniform(10) == 0;
    }
    Loop loop(p, seed + static_cast<std::uint64_t>(run) * 7919);
    loop.run();
    const std::string st = loop.stage();
    SCOPED_TRACE("run " + std::to_string(run) + " " + st + ": " + loop.trace());
    if (!loop.finished()) {
      // Only the deviating party knew the instance and it never claimed the funding
      // timeout: its own deposit waits in the instance; the honest party put nothing in.
      const auto& honest = honest_mp ? loop.mp_.outcome() : loop.mc_.outcome();
      ASSERT_TRUE(honest.has_value());
      EXPECT_EQ(honest->stage, "abandoned");
      EXPECT_EQ(st, "funding");
      EXPECT_EQ(loop.balance(escrow::party_account(kParties[honest_mp ? 0 : 1])), kStart);
      reached["deviator never claimed"] += 1;
      continue;
    }
    loop.check_settlement(st);
    reached[st] += 1;
    const Outcome o = outcome_of(terms(), st);
    if (honest_mp) {
      EXPECT_GE(o.mp_net, -eps);
    } else if (st == "settled_proven") {
      EXPECT_EQ(o.mc_net, -(pay + eps));
      for (std::uint32_t i : loop.mc_.contested()) EXPECT_EQ(loop.posted_.at(i), true_output(loop.inputs_[i])) << i;
    } else {
      EXPECT_GE(o.mc_net, -eps);
    }
    if (::testing::Test::HasFailure()) break;
  }
  for (const auto& [st, n] : reached) std::printf("  %-22s %d\n", st.c_str(), n);
  EXPECT_GE(reached.size(), 5u);
}

TEST(ServingMachines, SessionBindsEveryCommitment) {
  const Terms t = terms();
  RoundOpen r{};
  const Digest base = session_digest(t, kModel, r);
  Digest other_model = kModel;
  other_model[0] ^= 1;
  EXPECT_NE(session_digest(t, other_model, r), base);
  RoundOpen r2 = r;
  r2.round_id[15] ^= 1;
  EXPECT_NE(session_digest(t, kModel, r2), base);
  r2 = r;
  r2.seed_commitment[0] ^= 1;
  EXPECT_NE(session_digest(t, kModel, r2), base);
  Terms t2 = t;
  t2.params.k1 = 3;
  EXPECT_NE(session_digest(t2, kModel, r), base);
  // The contested subset depends on the session, the root and the seed.
  Digest root{}, seed{};
  const auto sub = contested_indices(t, base, root, seed);
  EXPECT_EQ(sub.size(), 2u);
  int differ = 0;
  for (int i = 0; i < 20; ++i) {
    seed[0] = static_cast<std::uint8_t>(i + 1);
    differ += contested_indices(t, base, root, seed) != sub;
  }
  EXPECT_GT(differ, 10);
}

}  // namespace
}  // namespace verdict::serving
