// Counted effects, shown on a serving round of section 5.3 (the table the protocols
// issue will refine): MC escrows 2KZ, MP escrows beta*K*Z; MC may contest K1 in [1, K]
// predictions; proven contests cost MC 2*K1*Z (paid to MP), failed or missing proofs
// cost MP its beta*K*Z (paid to MC); no contest refunds both. K1 is chosen during the
// round, so the payout is a kPerCount effect and the refunds are kRest effects.
#include <gtest/gtest.h>

#include "escrow/audit.hpp"
#include "escrow/ledger.hpp"
#include "escrow/rules.hpp"
#include "escrow/testing.hpp"

namespace verdict::escrow {
namespace {

using testing::party;
using testing::random_id;

constexpr Amount kK = 40, kZ = 25, kBeta = 3;
constexpr std::uint8_t kMc = 0, kMp = 1;

RuleSet serving_round() { return testing::serving_sketch_rules(kK, kZ, kBeta); }

std::string error_of(const RuleSet& r) {
  auto a = analyze(r);
  return a.ok() ? std::string() : a.error().message;
}

TEST(CountedRules, TheServingSketchIsValid) {
  auto a = analyze(serving_round());
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->count_max, static_cast<std::uint32_t>(kK));
  RuleSet r = serving_round();
  auto back = decode_rules(encode_rules(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
}

TEST(CountedRules, AnalysisChecksTheExtremes) {
  RuleSet r = serving_round();
  r.transitions[3].effects[0].amount = 3 * kZ;  // 3*K*Z > MC's 2KZ at K1 = K
  EXPECT_NE(error_of(r).find("at count 40"), std::string::npos) << error_of(r);

  r = serving_round();
  r.transitions[3].effects.pop_back();  // MP's hold is never refunded
  EXPECT_NE(error_of(r).find("leaves"), std::string::npos) << error_of(r);

  r = serving_round();
  r.transitions[0].effects = {{kMc, kMp, 1, EffectKind::kPerCount}};  // counted, into a non-terminal stage
  EXPECT_NE(error_of(r).find("only on transitions into terminal"), std::string::npos) << error_of(r);

  r = serving_round();
  r.transitions[2].count_max = 5;  // a timeout cannot take a count
  EXPECT_NE(error_of(r).find("cannot take a count"), std::string::npos) << error_of(r);

  r = serving_round();
  r.transitions[1].effects[0].amount = 7;  // a rest effect with an amount
  EXPECT_NE(error_of(r).find("no amount"), std::string::npos) << error_of(r);
}

class Serving : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = Ledger::open(Ledger::Options{":memory:", &clock_, op_, false});
    ASSERT_TRUE(l.ok());
    ledger_ = std::move(*l);
    for (const PartyId& p : {mc_, mp_}) ASSERT_TRUE(submit(op_, Mint{p, kStart}).ok());
    ASSERT_TRUE(submit(mc_, OpenInstance{id_, rules_, {mc_, mp_, verifier_}}).ok());
    ASSERT_TRUE(submit(mc_, Act{id_, "deposit", rules_digest(rules_)}).ok());
    ASSERT_TRUE(submit(mp_, Act{id_, "deposit", rules_digest(rules_)}).ok());
  }
  Outcome submit(const PartyId& who, Body body) {
    return ledger_->apply(Submission{who, Request{random_id<16>(rng_), std::move(body)}, std::nullopt});
  }
  Amount bal(const PartyId& p) { return *ledger_->balance(party_account(p)); }

  static constexpr Amount kStart = 1'000'000;
  ChaChaRng rng_{5};
  ManualClock clock_;
  const PartyId op_ = party(1), mc_ = party(2), mp_ = party(3), verifier_ = party(4);
  std::unique_ptr<Ledger> ledger_;
  RuleSet rules_ = serving_round();
  InstanceId id_ = random_id<16>(rng_);
};

TEST_F(Serving, ProvenContestsCostMcTwiceK1Z) {
  for (std::uint32_t k1 : {1u, 7u, static_cast<std::uint32_t>(kK)}) {
    SetUp();
    Act contest{id_, "contest", Digest{1}, k1};
    Outcome c = submit(mc_, contest);
    ASSERT_TRUE(c.ok()) << c.rejection().reason;
    EXPECT_EQ(ledger_->instance(id_)->count, k1);
    ASSERT_TRUE(submit(verifier_, Act{id_, "proofs_valid", Digest{2}}).ok());
    EXPECT_EQ(bal(mc_), kStart - 2 * static_cast<Amount>(k1) * kZ) << "K1 = " << k1;
    EXPECT_EQ(bal(mp_), kStart + 2 * static_cast<Amount>(k1) * kZ);
    EXPECT_EQ(ledger_->instance(id_)->holds, (std::vector<Amount>{0, 0, 0}));
    EXPECT_TRUE(verify_ledger(*ledger_)->ok());
  }
}

TEST_F(Serving, FailedOrMissingProofsCostMpItsBond) {
  ASSERT_TRUE(submit(mc_, Act{id_, "contest", Digest{1}, 3}).ok());
  clock_.advance(60'000);
  ASSERT_TRUE(submit(mc_, Act{id_, "timeout", {}}).ok());
  EXPECT_EQ(bal(mc_), kStart + kBeta * kK * kZ);
  EXPECT_EQ(bal(mp_), kStart - kBeta * kK * kZ);
}

TEST_F(Serving, NoContestRefundsBoth) {
  ASSERT_TRUE(submit(mc_, Act{id_, "close", {}}).ok());
  EXPECT_EQ(bal(mc_), kStart);
  EXPECT_EQ(bal(mp_), kStart);
}

TEST_F(Serving, CountsOutOfRangeAreRefused) {
  const Digest before = *ledger_->state_digest(true);
  for (std::uint32_t bad : {0u, static_cast<std::uint32_t>(kK) + 1}) {
    Outcome o = submit(mc_, Act{id_, "contest", {}, bad});
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.rejection().code, Code::kInvalidRequest);
  }
  Outcome o = submit(mc_, Act{id_, "close", {}, 2});  // close takes no count
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.rejection().code, Code::kInvalidRequest);
  EXPECT_EQ(*ledger_->state_digest(true), before);
}

}  // namespace
}  // namespace verdict::escrow
