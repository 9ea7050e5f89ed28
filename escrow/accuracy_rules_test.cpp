// The accuracy rule set, end to end on a real (in-memory SQLite) ledger: every path
// through the table, from funding to each terminal stage, pays exactly the row of
// PROTOCOLS.md section 2's table, keeps 2 eps as fees, and leaves the audit log
// verifiable. Plus the guards: roles, deadlines, settled instances.
#include "escrow/accuracy_rules.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "escrow/audit.hpp"
#include "escrow/ledger.hpp"
#include "escrow/testing.hpp"

namespace verdict::escrow {
namespace {

using testing::party;
using testing::random_id;

const PartyId kOperator = party(1);
const PartyId kMp = party(10);
const PartyId kMc = party(11);
const PartyId kVerifier = party(12);
const PartyId kStranger = party(13);

// N = 100, NE = 10,000, 2NE = 20,000; X = N1 P = 30; Y = 2(N1 P + N2 Z) = 9,060.
AccuracyParams params() {
  AccuracyParams a;
  a.n1 = 10;
  a.n2 = 90;
  a.e = 100;
  a.p = 3;
  a.z = 50;
  a.eps = 7;
  return a;
}
constexpr Amount kTwoNe = 20'000;
constexpr Amount kDeposit = kTwoNe + 7;
constexpr Amount kStake = 1000 * 10 * 100;  // the paper's 1000 N1 E
constexpr Amount kStart = 10'000'000;

// MP's gain d over its 2NE in each terminal stage (MC gets 2NE - d).
const std::map<std::string, Amount> kRow = {
    {"settled_refund", 0},      {"settled_mc_withheld", kTwoNe}, {"settled_mc_slashed", kTwoNe},
    {"settled_mp_aborted", 30}, {"settled_mp_slashed", -kTwoNe}, {"settled_pass", 9'060},
    {"settled_fail", -kTwoNe},
};

class Accuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = Ledger::open(Ledger::Options{":memory:", &clock_, kOperator, false});
    ASSERT_TRUE(l.ok()) << l.error().message;
    ledger_ = std::move(*l);
    auto r = accuracy_rule_set(params());
    ASSERT_TRUE(r.ok()) << r.error().message;
    rules_ = *r;
    for (const PartyId& p : {kMp, kMc}) ASSERT_TRUE(submit(kOperator, Mint{p, kStart}).ok());
    ASSERT_TRUE(submit(kMp, Stake{kStake}).ok());
    id_ = random_id<16>(rng_);
  }

  Outcome submit(const PartyId& actor, Body body) {
    return ledger_->apply(Submission{actor, Request{random_id<16>(rng_), std::move(body)}, std::nullopt});
  }
  Outcome act(const PartyId& actor, const std::string& t, Digest evidence = Digest{}) {
    return submit(actor, Act{id_, t, evidence});
  }
  void open_and_fund() {
    Outcome o = submit(kMc, OpenInstance{id_, rules_, {kMp, kMc, kVerifier}});
    ASSERT_TRUE(o.ok()) << o.rejection().reason;
    EXPECT_EQ(o.applied().result.stage, "funding");
    ASSERT_TRUE(act(kMp, "deposit", rules_digest(rules_)).ok());
    Outcome last = act(kMc, "deposit", rules_digest(rules_));
    ASSERT_TRUE(last.ok()) << last.rejection().reason;
    EXPECT_EQ(last.applied().result.stage, "funded");
  }
  Amount bal(const std::string& account) { return *ledger_->balance(account); }
  InstanceView view() { return *ledger_->instance(id_); }
  PartyId party_for(std::uint8_t role) { return role == kAccuracyMp ? kMp : role == kAccuracyMc ? kMc : kVerifier; }

  ChaChaRng rng_{0xacc0ULL};
  ManualClock clock_;
  std::unique_ptr<Ledger> ledger_;
  RuleSet rules_;
  InstanceId id_{};
};

TEST_F(Accuracy, EveryPathPaysItsRowOfTheTable) {
  // All paths from stage 0 to a terminal stage, as lists of transition indices.
  std::vector<std::vector<std::size_t>> paths;
  std::function<void(std::size_t, std::vector<std::size_t>&)> walk = [&](std::size_t s,
                                                                         std::vector<std::size_t>& path) {
    if (rules_.stages[s].terminal) {
      paths.push_back(path);
      return;
    }
    for (std::size_t i = 0; i < rules_.transitions.size(); ++i) {
      if (rules_.transitions[i].from != s) continue;
      path.push_back(i);
      walk(rules_.transitions[i].to, path);
      path.pop_back();
    }
  };
  std::vector<std::size_t> path;
  walk(0, path);
  ASSERT_EQ(paths.size(), 28u);

  std::map<std::string, int> reached;
  for (const auto& p : paths) {
    SetUp();
    open_and_fund();
    std::string trace = "funded";
    for (std::size_t i : p) {
      const Transition& t = rules_.transitions[i];
      Outcome o = [&] {
        if (!t.timeout) return act(party_for(t.actor), t.name, Digest{0x42});
        clock_.advance(rules_.stages[t.from].timeout_ms);  // exactly at the deadline
        return act(kVerifier, "timeout");
      }();
      trace += " -" + t.name + "-> " + rules_.stages[t.to].name;
      ASSERT_TRUE(o.ok()) << trace << ": " << o.rejection().reason;
      EXPECT_EQ(o.applied().result.transition, t.name);
      clock_.advance(1);
    }
    const InstanceView v = view();
    ASSERT_TRUE(v.settled) << trace;
    const Amount d = kRow.at(v.stage_name);
    reached[v.stage_name] += 1;
    EXPECT_EQ(bal(party_account(kMp)), kStart - kStake - kDeposit + kTwoNe + d) << trace;
    EXPECT_EQ(bal(party_account(kMc)), kStart - kDeposit + kTwoNe - d) << trace;
    // Conservation: MC + MP = 4NE out of the holds, the escrow keeps 2 eps, holds empty.
    EXPECT_EQ(bal(kFeeAccount), 14) << trace;
    EXPECT_EQ(v.holds, (std::vector<Amount>{0, 0, 0})) << trace;
    auto report = verify_ledger(*ledger_);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << trace << ": " << report->problems[0];
  }
  // Every terminal stage of the table is reachable.
  EXPECT_EQ(reached.size(), kRow.size());
}

TEST_F(Accuracy, FundingTimeoutRefundsDepositsInFull) {
  ASSERT_TRUE(submit(kMc, OpenInstance{id_, rules_, {kMp, kMc, kVerifier}}).ok());
  Outcome dep = act(kMp, "deposit", rules_digest(rules_));
  ASSERT_TRUE(dep.ok()) << dep.rejection().reason;
  Outcome early = act(kMc, "timeout");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.rejection().code, Code::kDeadlineNotReached);
  clock_.advance(rules_.funding_timeout_ms);
  Outcome late_deposit = act(kMc, "deposit", rules_digest(rules_));
  ASSERT_FALSE(late_deposit.ok());
  EXPECT_EQ(late_deposit.rejection().code, Code::kDeadlinePassed);
  Outcome t = act(kMc, "timeout");
  ASSERT_TRUE(t.ok()) << t.rejection().reason;
  EXPECT_EQ(t.applied().result.stage, "unfunded");
  EXPECT_EQ(bal(party_account(kMp)), kStart - kStake);  // eps refunded too
  EXPECT_EQ(bal(kFeeAccount), 0);
  EXPECT_TRUE(view().settled);
}

TEST_F(Accuracy, GuardsRefuseWithReasonsAndChangeNothing) {
  open_and_fund();
  auto digest = [&] { return *ledger_->state_digest(true); };
  auto refused = [&](Outcome o, Code code) {
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.rejection().code, code) << o.rejection().reason;
    EXPECT_FALSE(o.rejection().reason.empty());
  };
  const Digest before = digest();
  refused(act(kMc, "choose_subset"), Code::kUnauthorized);        // MP's move, not MC's
  refused(act(kStranger, "choose_subset"), Code::kUnauthorized);  // not a party
  refused(act(kMp, "send_subset"), Code::kWrongStage);            // not from this stage
  refused(act(kMp, "timeout"), Code::kDeadlineNotReached);        // deadline claim too early
  refused(act(kMp, "deposit", rules_digest(rules_)), Code::kWrongStage);
  refused(submit(kMp, Act{random_id<16>(rng_), "choose_subset", {}}), Code::kUnknownInstance);
  EXPECT_EQ(digest(), before);

  clock_.advance(rules_.stages[0].timeout_ms);
  refused(act(kMp, "choose_subset"), Code::kDeadlinePassed);  // too late to act
  EXPECT_EQ(digest(), before);
  ASSERT_TRUE(act(kMc, "timeout").ok());
  refused(act(kMp, "choose_subset"), Code::kWrongStage);  // settled
  refused(act(kMc, "timeout"), Code::kWrongStage);        // one outcome per timeout
}

TEST_F(Accuracy, DepositsNeedConsentStakeAndFunds) {
  ASSERT_TRUE(submit(kMc, OpenInstance{id_, rules_, {kMp, kMc, kVerifier}}).ok());
  Outcome wrong = act(kMp, "deposit", Digest{1});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.rejection().code, Code::kBadConsent);
  // A verifier deposits nothing.
  Outcome v = act(kVerifier, "deposit", rules_digest(rules_));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.rejection().code, Code::kInvalidRequest);
  // MP's stake is locked while the instance is open, and required at deposit.
  Outcome un = submit(kMp, Unstake{1});
  ASSERT_FALSE(un.ok());
  EXPECT_EQ(un.rejection().code, Code::kStakeTooLow);
  ASSERT_TRUE(act(kMp, "deposit", rules_digest(rules_)).ok());
  Outcome twice = act(kMp, "deposit", rules_digest(rules_));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.rejection().code, Code::kWrongStage);
}

TEST_F(Accuracy, StakeBelowTheMinimumBlocksTheDeposit) {
  ASSERT_TRUE(submit(kMc, OpenInstance{id_, rules_, {kMp, kMc, kVerifier}}).ok());
  // A fresh MP without a stake.
  const PartyId mp2 = party(20);
  ASSERT_TRUE(submit(kOperator, Mint{mp2, kStart}).ok());
  InstanceId id2 = random_id<16>(rng_);
  ASSERT_TRUE(submit(kMc, OpenInstance{id2, rules_, {mp2, kMc, kVerifier}}).ok());
  Outcome o = submit(mp2, Act{id2, "deposit", rules_digest(rules_)});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.rejection().code, Code::kStakeTooLow);
}

TEST(AccuracyParams, InsolventOrOverflowingParametersAreRefused) {
  AccuracyParams a = params();
  a.z = 200;  // N1 P + N2 Z = 30 + 18,000 > NE = 10,000
  auto r = accuracy_rule_set(a);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("insolvent"), std::string::npos);
  a = params();
  a.e = kMaxAmount / 50;
  EXPECT_NE(accuracy_rule_set(a).error().message.find("overflow"), std::string::npos);
  a = params();
  a.n1 = -1;
  EXPECT_FALSE(accuracy_rule_set(a).ok());
  a = params();
  a.n2 = 0;
  EXPECT_FALSE(accuracy_rule_set(a).ok());
  // N1 = 0 is the simple form of section 5.2 (no inspection subset): accepted, no stake.
  a = params();
  a.n1 = 0;
  auto simple = accuracy_rule_set(a);
  ASSERT_TRUE(simple.ok()) << simple.error().message;
  EXPECT_EQ(simple->min_stakes[kAccuracyMp], 0);
  a = params();
  a.eps = -1;
  EXPECT_FALSE(accuracy_rule_set(a).ok());
}

TEST(AccuracyParams, DepositsAndFeesFollowTheFormulas) {
  auto r = accuracy_rule_set(params());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deposits, (std::vector<Amount>{kDeposit, kDeposit, 0}));
  EXPECT_EQ(r->min_stakes[kAccuracyMp], kStake);
  auto an = analyze(*r);
  ASSERT_TRUE(an.ok());
  EXPECT_EQ(an->funded_holds, (std::vector<Amount>{kTwoNe, kTwoNe, 0}));
}

}  // namespace
}  // namespace verdict::escrow
