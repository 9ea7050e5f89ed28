// The "serving/v1" table: escrow::analyze accepts it, every terminal pays what the header
// says (computed from the table's effects, an oracle independent of outcome_of), and
// parameters out of range or overflowing are refused naming the parameter.
#include <gtest/gtest.h>

#include "protocols/serving/protocol.hpp"

namespace verdict::serving {
namespace {

using escrow::Amount;

ServingParams params(std::uint32_t k, std::uint32_t k1, Amount z, Amount beta, Amount eps) {
  ServingParams p;
  p.k = k;
  p.k1 = k1;
  p.z = z;
  p.beta = beta;
  p.eps = eps;
  return p;
}

// What each role receives on reaching `terminal` by the table's effects along the
// transition that lands there (every transition into a terminal empties the holds).
std::array<Amount, 3> paid_into(const escrow::RuleSet& r, const std::string& terminal) {
  std::array<Amount, 3> got{};
  for (const escrow::Transition& t : r.transitions) {
    if (r.stages[t.to].name != terminal) continue;
    std::array<Amount, 3> g{};
    for (const escrow::Effect& e : t.effects) {
      EXPECT_EQ(e.kind, escrow::EffectKind::kFixed);
      if (e.to != escrow::kToFee) g[e.to] += e.amount;
    }
    if (got == std::array<Amount, 3>{}) got = g;
    EXPECT_EQ(got, g) << "two transitions into " << terminal << " pay differently";
  }
  return got;
}

TEST(ServingRules, AnalyzeAcceptsAndPayoutsMatchOutcomes) {
  for (const auto& p :
       {params(1, 1, 1, 2, 0), params(10, 3, 50, 3, 7), params(64, 64, 9, 2, 1), params(1000, 17, 1234, 100, 99)}) {
    auto rules = serving_rule_set(p);
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    auto an = escrow::analyze(*rules);
    ASSERT_TRUE(an.ok()) << an.error().message;
    const Amount kz = p.k * p.z, bond = p.beta * kz, owed = 2 * kz, pay = 2 * Amount{p.k1} * p.z;
    EXPECT_EQ(rules->name, "serving/v1");
    EXPECT_EQ(rules->deposits, (std::vector<Amount>{bond + p.eps, owed + p.eps, 0}));
    EXPECT_EQ(an->funded_holds, (std::vector<Amount>{bond, owed, 0}));
    const Terms t{p};
    for (const auto& [terminal, mp_gets, mc_gets] :
         std::vector<std::tuple<std::string, Amount, Amount>>{{"settled_refund", bond, owed},
                                                              {"settled_closed", bond, owed},
                                                              {"settled_mp_slashed", 0, owed + bond},
                                                              {"settled_proven", bond + pay, owed - pay}}) {
      SCOPED_TRACE(terminal);
      const auto got = paid_into(*rules, terminal);
      EXPECT_EQ(got[kServingMp], mp_gets);
      EXPECT_EQ(got[kServingMc], mc_gets);
      EXPECT_EQ(got[kServingVerifier], 0);
      const Outcome o = outcome_of(t, terminal);
      EXPECT_EQ(o.mp_net, mp_gets - bond - p.eps);
      EXPECT_EQ(o.mc_net, mc_gets - owed - p.eps);
      EXPECT_EQ(o.mp_net + o.mc_net + 2 * p.eps, 0);
    }
    for (const char* none : {"abandoned", "unfunded"}) {
      EXPECT_EQ(outcome_of(t, none).mp_net, 0);
      EXPECT_EQ(outcome_of(t, none).mc_net, 0);
    }
  }
}

TEST(ServingRules, TransitionsAreTheSpecifiedOnes) {
  auto r = *serving_rule_set(params(4, 2, 5, 2, 1));
  std::set<std::string> got;
  for (const escrow::Transition& t : r.transitions) {
    const std::string actor = t.timeout ? "any" : r.roles[t.actor];
    got.insert(r.stages[t.from].name + " " + actor + ":" + t.name + " " + r.stages[t.to].name);
  }
  const std::set<std::string> want = {
      "awaiting_inputs mc:commit_inputs awaiting_predictions",
      "awaiting_inputs any:mc_silent settled_refund",
      "awaiting_predictions mp:post_predictions awaiting_transcript",
      "awaiting_predictions mp:reject_inputs settled_refund",
      "awaiting_predictions any:mp_silent settled_mp_slashed",
      "awaiting_transcript mc:commit_transcript contest_window",
      "awaiting_transcript any:mc_silent settled_closed",
      "contest_window mc:close settled_closed",
      "contest_window mc:contest contested",
      "contest_window any:window_expired settled_closed",
      "contested mp:submit_proofs proofs_submitted",
      "contested any:mp_silent settled_mp_slashed",
      "proofs_submitted verifier:valid settled_proven",
      "proofs_submitted verifier:invalid settled_mp_slashed",
      "proofs_submitted mc:concede settled_proven",
      "proofs_submitted any:verifier_silent settled_refund",
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(r.stages[0].name, "awaiting_inputs");
  EXPECT_EQ(r.stages[4].timeout_ms, ServingParams{}.proving_timeout_ms);
  EXPECT_EQ(r.stages[5].timeout_ms, ServingParams{}.verdict_timeout_ms);
}

TEST(ServingRules, OutOfRangeParametersAreNamed) {
  auto err = [](ServingParams p) {
    auto r = serving_rule_set(p);
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  auto has = [](const std::string& s, const char* what) { return s.find(what) != std::string::npos; };
  EXPECT_TRUE(has(err(params(0, 1, 1, 2, 0)), "k must"));
  EXPECT_TRUE(has(err(params(1u << 20, 1, 1, 2, 0)), "k must"));
  EXPECT_TRUE(serving_rule_set(params((1u << 20) - 1, 1, 1, 2, 0)).ok());
  EXPECT_TRUE(has(err(params(4, 0, 1, 2, 0)), "k1"));
  EXPECT_TRUE(has(err(params(4, 5, 1, 2, 0)), "k1"));
  EXPECT_TRUE(has(err(params(4, 2, 0, 2, 0)), "z must"));
  EXPECT_TRUE(has(err(params(4, 2, 1, 1, 0)), "beta"));
  EXPECT_TRUE(has(err(params(4, 2, 1, 2, -1)), "eps"));
  const Amount big = escrow::kMaxAmount / 4;
  EXPECT_TRUE(has(err(params(8, 2, big, 2, 0)), "z:"));
  EXPECT_TRUE(has(err(params(1, 1, big, 5, 0)), "beta:"));
  EXPECT_TRUE(has(err(params(1, 1, big, 2, big)), "eps:"));
  for (int which = 0; which < 4; ++which) {
    ServingParams p = params(4, 2, 1, 2, 0);
    std::int64_t* t[] = {&p.funding_timeout_ms, &p.response_timeout_ms, &p.proving_timeout_ms, &p.verdict_timeout_ms};
    const char* names[] = {"funding_timeout_ms", "response_timeout_ms", "proving_timeout_ms", "verdict_timeout_ms"};
    *t[which] = 0;
    EXPECT_TRUE(has(err(p), names[which])) << err(p);
    *t[which] = escrow::kMaxTimeoutMs + 1;
    EXPECT_TRUE(has(err(p), names[which]));
    *t[which] = escrow::kMaxTimeoutMs;
    EXPECT_TRUE(serving_rule_set(p).ok());
  }
}

}  // namespace
}  // namespace verdict::serving
