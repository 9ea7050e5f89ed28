#include "escrow/rules.hpp"

#include <gtest/gtest.h>

#include "escrow/accuracy_rules.hpp"
#include "escrow/testing.hpp"

namespace verdict::escrow {
namespace {

using testing::small_params;

// A two-party escrow: a pays b on "deliver", refund on timeout.
RuleSet simple() {
  RuleSet r;
  r.name = "test/simple";
  r.roles = {"a", "b"};
  r.deposits = {100, 0};
  r.min_stakes = {0, 0};
  r.funding_timeout_ms = 1000;
  r.stages = {{"open", 1000, false}, {"paid", 0, true}, {"refunded", 0, true}};
  r.transitions = {
      {"deliver", 0, 1, 1, false, {{0, 1, 100}}},
      {"expire", 0, 2, kAnyParty, true, {{0, 0, 100}}},
  };
  return r;
}

std::string error_of(const RuleSet& r) {
  auto a = analyze(r);
  return a.ok() ? std::string() : a.error().message;
}

TEST(Rules, SimpleTableIsValidAndItsHoldsAreDerived) {
  auto a = analyze(simple());
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->total_deposits, 100);
  EXPECT_EQ(a->stage_holds[0], (std::vector<Amount>{100, 0}));
  EXPECT_EQ(a->stage_holds[1], (std::vector<Amount>{0, 0}));
}

TEST(Rules, TerminalStageThatKeepsMoneyIsRejected) {
  RuleSet r = simple();
  r.transitions[0].effects = {{0, 1, 60}};  // 40 would stay locked forever
  EXPECT_NE(error_of(r).find("leaves 40"), std::string::npos) << error_of(r);
}

TEST(Rules, PayingMoreThanAHoldIsRejected) {
  RuleSet r = simple();
  r.transitions[0].effects = {{0, 1, 150}};
  EXPECT_NE(error_of(r).find("whose hold has only 100"), std::string::npos) << error_of(r);
  r = simple();
  r.transitions[0].effects = {{1, 0, 1}, {0, 1, 100}};  // b's hold is empty
  EXPECT_NE(error_of(r).find("hold has only 0"), std::string::npos) << error_of(r);
}

TEST(Rules, PathsMustAgreeOnHolds) {
  RuleSet r = simple();
  r.stages = {{"open", 1000, false}, {"mid", 1000, false}, {"paid", 0, true}};
  r.transitions = {
      {"half", 0, 1, 1, false, {{0, 1, 50}}},
      {"none", 0, 1, 0, false, {}},  // reaches "mid" with 100 instead of 50
      {"expire", 0, 2, kAnyParty, true, {{0, 0, 100}}},
      {"rest", 1, 2, 1, false, {{0, 1, 50}}},
      {"expire", 1, 2, kAnyParty, true, {{0, 0, 50}}},
  };
  EXPECT_NE(error_of(r).find("different holds"), std::string::npos) << error_of(r);
}

TEST(Rules, StructureIsChecked) {
  RuleSet r = simple();
  r.transitions.pop_back();  // no timeout out of "open"
  EXPECT_NE(error_of(r).find("no timeout"), std::string::npos);

  r = simple();
  r.transitions.push_back({"expire2", 0, 2, kAnyParty, true, {{0, 0, 100}}});
  EXPECT_NE(error_of(r).find("two timeout"), std::string::npos);

  r = simple();
  r.stages.push_back({"orphan", 0, true});
  EXPECT_NE(error_of(r).find("unreachable"), std::string::npos);

  r = simple();
  r.transitions[0].name = "deposit";
  EXPECT_NE(error_of(r).find("reserved"), std::string::npos);

  r = simple();
  r.transitions[0].actor = 7;
  EXPECT_NE(error_of(r).find("actor"), std::string::npos);

  r = simple();
  r.transitions[1].actor = 0;  // a timeout that only one role may claim
  EXPECT_NE(error_of(r).find("any party"), std::string::npos);

  r = simple();
  r.stages[1].timeout_ms = 5;  // terminal with a deadline
  EXPECT_NE(error_of(r).find("terminal"), std::string::npos);

  r = simple();
  r.transitions.push_back({"again", 1, 0, 0, false, {}});  // out of a terminal stage
  EXPECT_NE(error_of(r).find("terminal stages have no transitions"), std::string::npos);

  r = simple();
  r.transitions[0].effects = {{0, 1, -100}};
  EXPECT_NE(error_of(r).find("positive"), std::string::npos);

  r = simple();
  r.deposits = {-1, 0};
  EXPECT_NE(error_of(r).find("negative deposit"), std::string::npos);

  r = simple();
  r.deposits = {kMaxAmount, 1};
  EXPECT_NE(error_of(r).find("overflow"), std::string::npos);

  r = simple();
  r.min_stakes = {0, 5};  // b deposits nothing, so the stake could never be checked
  EXPECT_NE(error_of(r).find("minimum stake"), std::string::npos);

  r = simple();
  r.roles = {"a", "a"};
  EXPECT_NE(error_of(r).find("duplicate role"), std::string::npos);

  r = simple();
  r.roles = {"A", "b"};
  EXPECT_NE(error_of(r).find("role name"), std::string::npos);
}

TEST(Rules, TimeoutCyclesThatNeverSettleAreRejected) {
  RuleSet r = simple();
  r.stages = {{"ping", 1000, false}, {"pong", 1000, false}, {"paid", 0, true}};
  r.transitions = {
      {"deliver", 0, 2, 1, false, {{0, 1, 100}}},
      {"expire", 0, 1, kAnyParty, true, {}},
      {"expire", 1, 0, kAnyParty, true, {}},
  };
  EXPECT_NE(error_of(r).find("never settles"), std::string::npos) << error_of(r);
}

TEST(Rules, EncodingRoundTripsAndIsCanonical) {
  auto acc = accuracy_rule_set(small_params(10, 90, 100, 3, 50, 7));
  ASSERT_TRUE(acc.ok()) << acc.error().message;
  for (const RuleSet& r : {simple(), *acc}) {
    std::vector<std::uint8_t> bytes = encode_rules(r);
    auto back = decode_rules(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, r);
    EXPECT_EQ(encode_rules(*back), bytes);
    EXPECT_EQ(rules_digest(*back), rules_digest(r));
    // Every truncation is refused, and so is a trailing byte.
    for (std::size_t n = 0; n < bytes.size(); n += 7) {
      EXPECT_FALSE(decode_rules(std::span<const std::uint8_t>(bytes.data(), n)).ok());
    }
    bytes.push_back(0);
    EXPECT_FALSE(decode_rules(bytes).ok());
  }
}

TEST(Rules, DigestChangesWithAnyField) {
  RuleSet a = simple(), b = simple();
  b.stages[0].timeout_ms += 1;
  EXPECT_NE(rules_digest(a), rules_digest(b));
}

}  // namespace
}  // namespace verdict::escrow
