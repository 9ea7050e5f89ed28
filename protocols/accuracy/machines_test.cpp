// The three accuracy machines against each other through an in-memory loop and a real
// (in-memory SQLite) escrow ledger with an injected clock: the honest path (target met
// and missed), every deviation of Appendix B and a silence at every stage, each ending
// in the table's terminal with the ledger's balances equal to every machine's outcome
// and money conserved; bad inputs refused without changing state; and a property test
// with seeded random opponents against an honest MP or MC (PROTOCOLS.md section 4.6).
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>

#include "escrow/ledger.hpp"
#include "escrow/testing.hpp"
#include "protocols/accuracy/mc_machine.hpp"
#include "protocols/accuracy/mp_machine.hpp"
#include "protocols/accuracy/verifier_machine.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::accuracy {
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

// N1 = 4, N2 = 12, E = 100, P = 3, Z = 50, eps = 7: 2NE = 3,200, X = 12, Y = 1,224.
Terms terms() {
  Terms t;
  t.params = escrow::testing::small_params(4, 12, 100, 3, 50, 7);
  t.target_num = 3;  // a = 3/4: at least 9 of 12 correct
  t.target_den = 4;
  return t;
}

std::vector<Example> test_set(Rng& rng) {
  std::vector<Example> out;
  for (std::uint32_t i = 0; i < total_examples(terms()); ++i) {
    Example e;
    e.input.resize(16);
    rng.fill(e.input);
    e.label = static_cast<std::uint32_t>(rng.uniform(10));
    e.salt = field::Fr::random(rng);
    out.push_back(std::move(e));
  }
  return out;
}

// How the driver (and a deviating party) behaves. Acts are keyed "role:transition".
struct Policy {
  bool mp_proceeds = true;
  std::uint32_t correct = 12;  // correct predictions among the N2 proofs
  bool proofs_valid = true;
  bool prove_fails = false;
  std::set<std::string> drop;                    // acts never submitted (silence)
  std::map<std::string, std::string> replace;    // acts replaced by another transition
  std::set<std::string> corrupt;                 // acts submitted with flipped evidence
  std::set<std::string> drop_messages;           // "role:kind" messages never delivered
  // Random deviations of one role (the property test).
  std::optional<Role> random_role;
  double p_drop = 0, p_replace = 0, p_corrupt = 0, p_drop_message = 0;
};

const char* kind(const Message& m) {
  static const char* names[] = {"model_commitment", "test_set_commitment", "subset_batch", "rest_batch", "proofs"};
  return names[m.index()];
}

class Loop {
 public:
  Loop(Policy policy, std::uint64_t seed)
      : policy_(std::move(policy)),
        rng_(seed),
        mp_rng_(seed + 1),
        mc_rng_(seed + 2),
        dev_rng_(seed + 3),
        mp_(terms(), kModel, mp_rng_),
        mc_(*McMachine::create(terms(), test_set(rng_), mc_rng_)),
        v_(terms()) {
    ledger_ = escrow::Ledger::open(escrow::Ledger::Options{":memory:", &clock_, kOperator, false}).value();
    rules_ = *escrow::accuracy_rule_set(terms().params);
    for (int r = 0; r < 2; ++r) must(submit(kOperator, escrow::Mint{kParties[r], kStart}));
    must(submit(kParties[0], escrow::Stake{1000 * 4 * 100}));
  }

  // Runs until every machine finished or nothing is left to happen.
  void run(bool start = true) {
    if (start) {
      for (int r = 0; r < 3; ++r) queue_.push_back({static_cast<Role>(r), Start{clock_.now_ms()}});
    }
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

  // Feeds one input to one machine; errors are recorded.
  Result<Effects> feed(Role r, const Input& in) {
    switch (r) {
      case Role::kMp: return mp_.handle(in);
      case Role::kMc: return mc_.handle(in);
      case Role::kVerifier: return v_.handle(in);
    }
    return Error{"?"};
  }

  void drain() {
    while (step_one()) {
    }
  }

  // Processes the next queued input; false if there was none.
  bool step_one() {
    if (queue_.empty()) return false;
    {
      auto [r, in] = std::move(queue_.front());
      queue_.pop_front();
      // Work results that arrive after a machine finished are stale: a real driver drops them.
      const bool work = std::holds_alternative<VerificationDone>(in) || std::holds_alternative<ProofsDone>(in) ||
                        std::holds_alternative<InspectionDone>(in);
      if (work && finished_[static_cast<int>(r)]) return true;
      auto effects = feed(r, in);
      if (!effects.ok()) {
        errors_[static_cast<int>(r)].push_back(effects.error().message);
        return true;
      }
      for (Effect& e : *effects) apply(r, std::move(e));
    }
    return true;
  }

  void apply(Role r, Effect e) {
    const int ri = static_cast<int>(r);
    const std::string who = role_name(r);
    if (auto* s = std::get_if<Send>(&e)) {
      const std::string key = who + ":" + kind(s->message);
      if (policy_.drop_messages.count(key) || deviate(r, policy_.p_drop_message)) return;
      queue_.push_back({s->to, Received{r, std::move(s->message)}});
    } else if (auto* o = std::get_if<OpenEscrow>(&e)) {
      id_ = o->instance;
      must(submit(kParties[1], escrow::OpenInstance{id_, rules_, {kParties[0], kParties[1], kParties[2]}}));
      publish_events();
    } else if (auto* a = std::get_if<SubmitAct>(&e)) {
      std::string t = a->transition;
      Digest ev = a->evidence;
      const std::string key = who + ":" + t;
      if (policy_.drop.count(key) || deviate(r, policy_.p_drop)) return;
      if (auto it = policy_.replace.find(key); it != policy_.replace.end()) t = it->second;
      if (deviate(r, policy_.p_replace)) t = random_action(r);
      if (policy_.corrupt.count(key) || deviate(r, policy_.p_corrupt)) ev[0] ^= 1;
      acts_.push_back(key);
      escrow::Outcome o = submit(kParties[ri], escrow::Act{id_, t, ev});
      if (!o.ok()) queue_.push_back({r, EscrowRefused{t, o.rejection().reason}});
      publish_events();
    } else if (auto* t = std::get_if<SetTimer>(&e)) {
      timers_[ri].insert(t->at_ms);
    } else if (std::holds_alternative<InspectSubset>(e)) {
      queue_.push_back({r, InspectionDone{policy_.mp_proceeds}});
    } else if (auto* p = std::get_if<ProveRest>(&e)) {
      if (policy_.prove_fails) {
        queue_.push_back({r, ProofsDone{std::nullopt}});
        return;
      }
      std::vector<nn::ModelProof> proofs;
      for (std::size_t i = 0; i < p->examples.size(); ++i) {
        const Example& x = p->examples[i];
        nn::ModelProof proof;
        proof.values.model_commitment = kModel;
        proof.values.input_commitment = nn::input_commitment(x.input, x.salt);
        proof.values.output.assign(10, 0);
        const std::uint32_t predicted = i < policy_.correct ? x.label : (x.label + 1) % 10;
        proof.values.output[predicted] = 200;
        proof.proof = {1, 2, 3};
        proofs.push_back(std::move(proof));
      }
      queue_.push_back({r, ProofsDone{std::move(proofs)}});
    } else if (auto* v = std::get_if<VerifyProofs>(&e)) {
      queue_.push_back({r, VerificationDone{std::vector<bool>(v->proofs.size(), policy_.proofs_valid)}});
    } else if (auto* f = std::get_if<Finished>(&e)) {
      finished_[ri] = f->outcome;
    }
  }

  bool deviate(Role r, double p) {
    if (!policy_.random_role || *policy_.random_role != r || p <= 0) return false;
    return static_cast<double>(dev_rng_.uniform(1'000'000)) < p * 1e6;
  }

  // A random action of role r out of the instance's current stage (or a nonsense name).
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
      last_event_ = e;
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

  // The ledger agrees with every machine's outcome; money is conserved.
  void check_settlement(const std::string& expected_stage) {
    const std::string st = stage();
    EXPECT_EQ(st, expected_stage) << trace();
    ASSERT_TRUE(finished()) << trace();
    const Outcome want = outcome_of(terms(), st);
    // A machine that never saw the instance open reports "abandoned"; MP and MC only when
    // no money moved (the instance was never opened, or never funded).
    const Outcome outcomes[3] = {*mp_.outcome(), *mc_.outcome(), *v_.outcome()};
    for (int r = 0; r < 3; ++r) {
      const Outcome& o = outcomes[r];
      if (o.stage == "abandoned") {
        if (r != 2) {
          EXPECT_TRUE(st == "abandoned" || st == "unfunded") << st;
        }
        continue;
      }
      EXPECT_EQ(o.stage, want.stage);
      EXPECT_EQ(o.mp_net, want.mp_net);
      EXPECT_EQ(o.mc_net, want.mc_net);
    }
    const Amount stake = 1000 * 4 * 100;
    EXPECT_EQ(balance(escrow::party_account(kParties[0])) - (kStart - stake), want.mp_net) << trace();
    EXPECT_EQ(balance(escrow::party_account(kParties[1])) - kStart, want.mc_net) << trace();
    const Amount fees = balance(escrow::kFeeAccount);
    EXPECT_EQ(want.mp_net + want.mc_net + fees, 0) << trace();
    EXPECT_EQ(fees, (st == "abandoned" || st == "unfunded") ? 0 : 14) << trace();
    if (st != "abandoned") {
      const auto view = ledger_->instance(id_);
      ASSERT_TRUE(view.ok());
      const std::vector<Amount> holds = view.value().holds;
      for (Amount h : holds) EXPECT_EQ(h, 0);
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

  Policy policy_;
  ChaChaRng rng_, mp_rng_, mc_rng_, dev_rng_;
  escrow::ManualClock clock_;
  std::unique_ptr<escrow::Ledger> ledger_;
  escrow::RuleSet rules_;
  MpMachine mp_;
  McMachine mc_;
  VerifierMachine v_;
  escrow::InstanceId id_{};
  std::deque<std::pair<Role, Input>> queue_;
  std::multiset<std::int64_t> timers_[3];
  std::size_t events_fed_ = 0;
  std::optional<EscrowEvent> last_event_;
  std::vector<std::string> acts_;
  std::vector<std::string> errors_[3];
  std::optional<Outcome> finished_[3];
};

void run_and_expect(const Policy& policy, const std::string& stage, bool expect_no_errors = true) {
  Loop loop(policy, 0xacc);
  loop.run();
  loop.check_settlement(stage);
  if (expect_no_errors) {
    for (int r = 0; r < 3; ++r) EXPECT_TRUE(loop.errors_[r].empty()) << loop.trace();
  }
}

TEST(AccuracyMachines, HonestPathTargetMet) {
  Loop loop(Policy{}, 1);
  loop.run();
  loop.check_settlement("settled_pass");
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(loop.errors_[r].empty()) << loop.trace();
  // MP gains 2(N1 P + N2 Z) - eps; MC pays that plus eps.
  EXPECT_EQ(loop.mp_.outcome()->mp_net, 1224 - 7);
  EXPECT_EQ(loop.mp_.outcome()->mc_net, -1224 - 7);
}

TEST(AccuracyMachines, HonestPathTargetExactlyMet) {
  Policy p;
  p.correct = 9;  // 9/12 = 3/4
  run_and_expect(p, "settled_pass");
}

TEST(AccuracyMachines, HonestPathTargetMissed) {
  Policy p;
  p.correct = 8;  // the verifier rules fail; MC does not accept
  run_and_expect(p, "settled_fail");
}

TEST(AccuracyMachines, InvalidSnarkSlashesMp) {
  Policy p;
  p.proofs_valid = false;
  run_and_expect(p, "settled_mp_slashed");
}

TEST(AccuracyMachines, MpAbortsAtStep4) {
  Policy p;
  p.mp_proceeds = false;
  run_and_expect(p, "settled_mp_aborted");
}

TEST(AccuracyMachines, McWithholdsTheSubset) {
  Policy p;
  p.replace["mc:send_subset"] = "withhold";
  run_and_expect(p, "settled_mc_withheld");
  p = {};
  p.replace["mc:publish_subset_key"] = "withhold";
  run_and_expect(p, "settled_mc_withheld");
}

TEST(AccuracyMachines, MpAbortsAfterStep5) {
  Policy p;
  p.replace["mp:ack_rest"] = "abort";
  run_and_expect(p, "settled_mp_slashed");
  p = {};
  p.prove_fails = true;  // abort in proving
  run_and_expect(p, "settled_mp_slashed");
  p = {};
  p.replace["mp:submit_proofs"] = "abort";
  run_and_expect(p, "settled_mp_slashed");
}

TEST(AccuracyMachines, McAbortsAfterStep4) {
  Policy p;
  p.replace["mc:send_rest"] = "abort";
  run_and_expect(p, "settled_mc_slashed");
  p = {};
  p.replace["mc:publish_rest_key"] = "abort";
  run_and_expect(p, "settled_mc_slashed");
}

TEST(AccuracyMachines, BadDecryptionKeyContested) {
  Policy p;
  p.corrupt.insert("mc:publish_subset_key");
  run_and_expect(p, "settled_mc_slashed");
  p = {};
  p.corrupt.insert("mc:publish_rest_key");
  run_and_expect(p, "settled_mc_slashed");
}

TEST(AccuracyMachines, UndeliveredBatchIsAckedThenContested) {
  // MC posts the digest but never hands the sealed bytes over: MP acknowledges at half the
  // window (silence would be slashed), cannot open the reveal, contests; the verifier holds
  // nothing matching and upholds.
  Policy p;
  p.drop_messages.insert("mc:subset_batch");
  run_and_expect(p, "settled_mc_slashed");
  p = {};
  p.drop_messages.insert("mc:rest_batch");
  run_and_expect(p, "settled_mc_slashed");
}

TEST(AccuracyMachines, FalseContestSlashesMp) {
  Policy p;
  p.replace["mp:proceed"] = "contest_subset_key";
  run_and_expect(p, "settled_mp_slashed");
  p = {};
  p.replace["mp:submit_proofs"] = "contest_rest_key";
  run_and_expect(p, "settled_mp_slashed");
}

TEST(AccuracyMachines, WrongProofBundleIsInvalid) {
  Policy p;
  p.corrupt.insert("mp:submit_proofs");  // the posted digest matches no bundle
  run_and_expect(p, "settled_mp_slashed", false);
}

// Silence at every stage: dropping each act of the honest path ends where the table's
// timeout out of that stage leads.
TEST(AccuracyMachines, TimeoutAtEveryStage) {
  const std::vector<std::pair<std::set<std::string>, std::string>> cases = {
      {{"mp:deposit"}, "unfunded"},
      {{"mc:deposit"}, "unfunded"},
      {{"mp:choose_subset"}, "settled_refund"},
      {{"mc:send_subset"}, "settled_mc_withheld"},
      {{"mp:ack_subset"}, "settled_mp_slashed"},
      {{"mc:publish_subset_key"}, "settled_mc_slashed"},
      {{"mp:proceed"}, "settled_mp_aborted"},
      {{"mc:send_rest"}, "settled_mc_slashed"},
      {{"mp:ack_rest"}, "settled_mp_slashed"},
      {{"mc:publish_rest_key"}, "settled_mc_slashed"},
      {{"mp:submit_proofs"}, "settled_mp_slashed"},
      {{"mc:accept", "verifier:pass"}, "settled_refund"},
      {{"verifier:fail"}, "settled_refund"},  // with a missed target, below
  };
  for (const auto& [drop, stage] : cases) {
    SCOPED_TRACE(*drop.begin());
    Policy p;
    p.drop = drop;
    if (drop.count("verifier:fail")) p.correct = 0;
    run_and_expect(p, stage);
  }
  // The verifier silent on a contest: refund.
  for (const char* key : {"mc:publish_subset_key", "mc:publish_rest_key"}) {
    Policy p;
    p.corrupt.insert(key);
    p.drop.insert("verifier:uphold_contest");
    run_and_expect(p, "settled_refund");
  }
  // The verifier silent on a missing bundle.
  Policy p;
  p.drop_messages.insert("mp:proofs");
  p.drop.insert("verifier:invalid");
  run_and_expect(p, "settled_refund");
}

TEST(AccuracyMachines, NoCommitmentMeansAbandonedWithoutMoney) {
  Policy p;
  p.drop_messages.insert("mp:model_commitment");
  run_and_expect(p, "abandoned");
}

// Replays, out-of-order events, wrong senders and stray inputs are refused and change no
// state: injected into every step of an honest run, the run still ends in pass.
TEST(AccuracyMachines, BadInputIsRefusedWithoutStateChange) {
  Loop loop(Policy{}, 2);
  for (int r = 0; r < 3; ++r) loop.queue_.push_back({static_cast<Role>(r), Start{loop.clock_.now_ms()}});
  for (int i = 0; i < 3; ++i) loop.step_one();
  int refused = 0, steps = 0;
  while (!loop.queue_.empty() && !loop.finished()) {
    for (int t = 0; t < 3; ++t) {
      const Role target = static_cast<Role>(t);
      EscrowEvent bogus = loop.last_event_.value_or(EscrowEvent{});
      bogus.seq += 1000;
      bogus.transition = "pass";  // lands where the table does not say: refused in every stage
      bogus.actor = Role::kVerifier;
      bogus.stage_after = "settled_fail";
      refused += !loop.feed(target, bogus).ok();
      refused += !loop.feed(target, Received{Role::kMp, TestSetCommitment{}}).ok();
      refused += !loop.feed(target, Received{Role::kMp, SubsetBatch{}}).ok();
      refused += !loop.feed(target, Received{Role::kVerifier, ProofBundle{}}).ok();
      if (target != Role::kVerifier) refused += !loop.feed(target, Start{0}).ok();
    }
    loop.step_one();
    ++steps;
  }
  loop.run(false);
  loop.check_settlement("settled_pass");
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(loop.errors_[r].empty()) << loop.trace();
  EXPECT_EQ(refused, steps * 14);
}

TEST(AccuracyMachines, ReplayedAndForeignEventsAreRefused) {
  Loop loop(Policy{}, 3);
  loop.run();
  ASSERT_TRUE(loop.last_event_);
  const EscrowEvent last = *loop.last_event_;
  EXPECT_FALSE(loop.mp_.handle(last).ok());  // replayed, and after settlement
  EXPECT_FALSE(loop.mc_.handle(Received{Role::kMp, ModelCommitment{kModel}}).ok());
  // A fresh MP: events before the session, of another instance, out of order.
  ChaChaRng rng(9);
  MpMachine mp(terms(), kModel, rng);
  ASSERT_TRUE(mp.handle(Start{0}).ok());
  EXPECT_FALSE(mp.handle(last).ok());  // no session yet
  EXPECT_FALSE(mp.handle(Received{Role::kVerifier, TestSetCommitment{}}).ok());  // wrong sender
  TestSetCommitment c{loop.mc_.root(), 15, {}};
  EXPECT_FALSE(mp.handle(Received{Role::kMc, c}).ok());  // wrong N
  c.n = 16;
  ASSERT_TRUE(mp.handle(Received{Role::kMc, c}).ok());
  EXPECT_FALSE(mp.handle(Received{Role::kMc, c}).ok());  // second commitment
  EscrowEvent e = last;
  EXPECT_FALSE(mp.handle(e).ok());  // another instance
  e.instance = session_instance(session_digest(terms(), ModelCommitment{kModel}, c));
  e.seq = 1;
  e.transition = "deposit";
  e.stage_after = "funding";
  EXPECT_FALSE(mp.handle(e).ok());  // a deposit before the open
  e.transition = "open";
  e.evidence = Digest{};
  EXPECT_FALSE(mp.handle(e).ok());  // opened with other rules
  e.evidence = escrow::rules_digest(*escrow::accuracy_rule_set(terms().params));
  auto opened = mp.handle(e);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_FALSE(mp.handle(e).ok());  // replay
  EXPECT_EQ(mp.stage(), "funding");
}

// PROTOCOLS.md section 4 item 6, against seeded random opponents: an honest MP whose model
// meets the target loses at most eps; an honest MC loses at most N1 P + eps, except in
// pass, where it pays exactly the agreed 2(N1 P + N2 Z) + eps and only for a model that
// met the target with valid proofs.
TEST(AccuracyMachines, HonestPartiesAreBoundedAgainstRandomOpponents) {
  const std::uint64_t seed = escrow::testing::test_seed(0xacc0ba5e);
  std::printf("seed %llu (VERDICT_SEED replays)\n", static_cast<unsigned long long>(seed));
  ChaChaRng meta(seed);
  const Amount eps = 7, n1p = 12, y = 1224;
  std::map<std::string, int> reached;
  for (int run = 0; run < 300; ++run) {
    Policy p;
    const bool honest_mp = run % 2 == 0;
    p.random_role = honest_mp ? Role::kMc : Role::kMp;
    p.p_drop = 0.05 * static_cast<double>(meta.uniform(4));
    p.p_replace = 0.05 * static_cast<double>(meta.uniform(4));
    p.p_corrupt = 0.05 * static_cast<double>(meta.uniform(3));
    p.p_drop_message = 0.05 * static_cast<double>(meta.uniform(3));
    if (!honest_mp) {  // the dishonest MP's model and choices
      p.mp_proceeds = meta.uniform(4) != 0;
      p.correct = static_cast<std::uint32_t>(meta.uniform(13));
      p.proofs_valid = meta.uniform(4) != 0;
      p.prove_fails = meta.uniform(10) == 0;
    }
    Loop loop(p, seed + static_cast<std::uint64_t>(run) * 7919);
    loop.run();
    const std::string st = loop.stage();
    SCOPED_TRACE("run " + std::to_string(run) + " " + st + ": " + loop.trace());
    loop.check_settlement(st);
    reached[st] += 1;
    const Outcome o = outcome_of(terms(), st);
    if (honest_mp) {
      EXPECT_GE(o.mp_net, -eps);
    } else if (st == "settled_pass") {
      EXPECT_EQ(o.mc_net, -(y + eps));
      EXPECT_TRUE(p.proofs_valid && target_met(terms(), p.correct));
    } else {
      EXPECT_GE(o.mc_net, -(n1p + eps));
    }
    if (::testing::Test::HasFailure()) break;
  }
  for (const auto& [st, n] : reached) std::printf("  %-22s %d\n", st.c_str(), n);
  EXPECT_GE(reached.size(), 6u);
}

}  // namespace
}  // namespace verdict::accuracy
