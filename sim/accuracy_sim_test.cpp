// The accuracy protocol in the simulator: every strategy against the real machines and
// ledger; conservation in every run (simulate_case fails otherwise); the simulated
// means and rates against the exact closed forms; the paper's formulas where they differ;
// bad cases refused; the same seed giving the same results.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "sim/accuracy_sim.hpp"
#include "sim/monte_carlo.hpp"
#include "sim/scenario.hpp"
#include "sim/statistics.hpp"

namespace verdict::sim {
namespace {

CostModel cost() { return *cost_preset("fashion_mnist"); }

// N1 = 10, N2 = 40, E = 100,000, P = 1,000, Z = the proving cost, eps = 100, a = 9/10.
CaseSpec make_case(const std::string& name, nlohmann::json mp = {}, nlohmann::json mc = {}, nlohmann::json params = {}) {
  CaseSpec c;
  c.name = name;
  c.protocol = "accuracy";
  c.params = {{"n1", 10}, {"n2", 40}, {"e", 100000}, {"p", 1000}, {"z", "cost"}, {"eps", 100}};
  if (params.is_object()) {
    for (const auto& [k, v] : params.items()) c.params[k] = v;
  }
  c.parties.resize(3);
  auto fill = [](PartySpec& p, const nlohmann::json& j) {
    if (!j.is_object()) return;
    auto parsed = parse_party(j, "test party");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    if (parsed.ok()) p = *parsed;
  };
  fill(c.parties[0], mp);
  fill(c.parties[1], mc);
  return c;
}

CaseResult simulate(const CaseSpec& c, std::uint64_t runs, std::uint64_t seed = 7) {
  auto info = accuracy_protocol();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = simulate_case(info, c, cost(), MonteCarloOptions{runs, seed, 0});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  std::printf("[ case %s: %llu runs in %.2f s, %.0f runs/s ]\n", c.name.c_str(),
              static_cast<unsigned long long>(runs), s, static_cast<double>(runs) / s);
  return *r;
}

const ClosedForm* form(const CaseResult& r, const std::string& name) {
  for (const ClosedForm& f : r.closed_forms) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The closed form lies in the simulated mean's 99.9% interval (or equals it when the
// payoff never varies).
void expect_mean_agrees(const Summary& s, double closed, const std::string& what) {
  const double h = s.half_width(kAgreementConfidence);
  EXPECT_LE(std::abs(s.mean - closed), h + 1e-6 * std::max(1.0, std::abs(closed)))
      << what << ": simulated " << s.mean << " +- " << h << ", closed form " << closed;
}

void expect_rate_agrees(const CaseResult& r, const std::string& stage, double closed) {
  Proportion p{r.terminals.count(stage) ? r.terminals.at(stage) : 0, r.runs};
  double lo = 0, hi = 1;
  proportion_interval(p, kAgreementConfidence, lo, hi);
  EXPECT_GE(closed, lo - 1e-12) << stage << ": simulated " << p.p() << " in [" << lo << ", " << hi << "]";
  EXPECT_LE(closed, hi + 1e-12) << stage << ": simulated " << p.p() << " in [" << lo << ", " << hi << "]";
}

TEST(AccuracySim, HonestPairAgreesWithTheExactClosedForms) {
  const CaseResult r = simulate(make_case("honest", {{"accuracy", 0.93}}), 2000);
  ASSERT_EQ(r.runs, 2000u);
  const ClosedForm* abort = form(r, "P(MP aborts at step 4)");
  const ClosedForm* pass = form(r, "P(target met)");
  ASSERT_TRUE(abort && pass);
  EXPECT_GT(abort->value, 0.05);  // the case is not degenerate
  EXPECT_GT(pass->value, 0.3);
  expect_rate_agrees(r, "settled_mp_aborted", abort->value);
  expect_rate_agrees(r, "settled_pass", pass->value);
  expect_mean_agrees(r.roles[0].payoff, form(r, "E[MP payoff]")->value, "MP payoff");
  expect_mean_agrees(r.roles[1].payoff, form(r, "E[MC payoff]")->value, "MC payoff");
  // Only the three terminal rows of an honest pair occur, and fees are 2 eps each run.
  for (const auto& [stage, n] : r.terminals)
    EXPECT_TRUE(stage == "settled_pass" || stage == "settled_fail" || stage == "settled_mp_aborted") << stage;
  EXPECT_EQ(r.fees.min, 200);
  EXPECT_EQ(r.fees.max, 200);
}

TEST(AccuracySim, PerfectModelMatchesTheConsistentGainNotThePapers) {
  // Z and P set to the work's true cost: the gain net of work is (1 - a)(N1P + N2Z) - eps with a = 0.
  const double z = cost().prove_cost(), p = cost().inference_cost();
  const CaseResult r = simulate(make_case("perfect", {{"accuracy", 1.0}}, {},
                                          {{"p", std::llround(p)}, {"z", std::llround(z)}}),
                                200);
  const double n1p = 10 * std::llround(p), n2z = 40 * std::llround(z);
  EXPECT_EQ(r.terminals.at("settled_pass"), 200u);
  EXPECT_NEAR(r.roles[0].ledger_net.mean, 2 * (n1p + n2z) - 100, 1e-9);
  const ClosedForm* ours = form(r, "honest MP's gain net of work (PROTOCOLS.md)");
  const ClosedForm* paper = form(r, "paper: honest MP's expected gain");
  ASSERT_TRUE(ours && paper);
  // Ours agrees up to the rounding of P and Z to whole units.
  EXPECT_NEAR(r.roles[0].payoff.mean, ours->value, 10 * 0.5 + 40 * 0.5 + 1e-6);
  // The paper's exceeds the simulated gain by exactly the proving cost N2 Z it leaves out (a = 0).
  EXPECT_NEAR(paper->value - r.roles[0].payoff.mean, n2z, 10 * 0.5 + 40 * 0.5 + 1e-6);
}

TEST(AccuracySim, ShamAbortGivesThePapersGriefRatios) {
  // eps = N1P/99: transfer/fee = 99 and MC's loss/fee = 100 (Appendix B, PROTOCOLS.md 2).
  const CaseResult r =
      simulate(make_case("sham", {{"strategy", "sham_abort"}}, {}, {{"p", 990}, {"eps", "n1p/99"}}), 100);
  EXPECT_EQ(r.terminals.at("settled_mp_aborted"), 100u);
  const double fee = r.fees.mean / 2;
  EXPECT_EQ(fee, 100);
  EXPECT_DOUBLE_EQ((r.roles[0].ledger_net.mean + fee) / fee, 99.0);
  EXPECT_DOUBLE_EQ(-r.roles[1].ledger_net.mean / fee, 100.0);
  EXPECT_DOUBLE_EQ(form(r, "step-4 grief: transfer to MP / escrow fee")->value, 99.0);
  EXPECT_DOUBLE_EQ(form(r, "step-4 grief: MC's loss / escrow fee")->value, 100.0);
  // eps = N1P: the sham abort nets MP exactly nothing.
  const CaseResult g = simulate(make_case("sham-n1p", {{"strategy", "sham_abort"}}, {}, {{"eps", "n1p"}}), 50);
  EXPECT_EQ(g.roles[0].ledger_net.mean, 0);
  EXPECT_EQ(g.roles[0].ledger_net.sd, 0);
}

TEST(AccuracySim, GriefingMcIsCaughtAtTheHypergeometricRate) {
  // B = 6 mislabelled of N = 50 and a perfect model: MP aborts iff the subset shows more than
  // one bad example (9/10 of 10), else proceeds and fails iff more than 4 bad remain in the rest.
  const CaseResult r = simulate(make_case("grief", {{"accuracy", 1.0}}, {{"strategy", "grief"}, {"bad_examples", 6}}), 2000);
  const ClosedForm* abort = form(r, "P(MP aborts at step 4)");
  ASSERT_TRUE(abort);
  EXPECT_GT(abort->value, 0.05);
  EXPECT_LT(abort->value, 0.5);
  expect_rate_agrees(r, "settled_mp_aborted", abort->value);
  expect_rate_agrees(r, "settled_pass", form(r, "P(target met)")->value);
  expect_mean_agrees(r.roles[0].payoff, form(r, "E[MP payoff]")->value, "MP payoff");
  expect_mean_agrees(r.roles[1].payoff, form(r, "E[MC payoff]")->value, "MC payoff");
}

TEST(AccuracySim, LazyAndMaliciousMpsLose) {
  const CaseResult lazy = simulate(make_case("lazy", {{"strategy", "lazy"}}), 500);
  const CaseResult bad = simulate(make_case("malicious", {{"strategy", "malicious"}}), 200);
  // Both abort at step 4 (the subset shows their accuracy) and so never pass.
  EXPECT_EQ(lazy.terminals.count("settled_pass"), 0u);
  EXPECT_EQ(bad.terminals.at("settled_mp_aborted"), 200u);
  // A lazy MP that proceeds blindly is slashed whenever it fails.
  const CaseResult blind = simulate(make_case("blind-lazy", {{"strategy", "blind"}, {"accuracy", 0.1}}), 300);
  EXPECT_EQ(blind.terminals.at("settled_fail"), 300u);
  EXPECT_LT(blind.roles[0].payoff.max, 0);
  EXPECT_EQ(blind.roles[0].ahead.k, 0u);
}

TEST(AccuracySim, InvalidProofsAreSlashed) {
  const CaseResult r = simulate(make_case("invalid", {{"strategy", "invalid_proofs"}, {"accuracy", 1.0}}), 100);
  EXPECT_EQ(r.terminals.at("settled_mp_slashed"), 100u);
  EXPECT_LT(r.roles[0].payoff.max, 0);
}

TEST(AccuracySim, SilenceAtEveryStageSettlesWithMoneyConserved) {
  auto info = accuracy_protocol();
  auto rules = info.rules(make_case("x"));
  ASSERT_TRUE(rules.ok());
  std::vector<std::string> stages = {"start", "funding"};
  for (const auto& s : rules->stages) {
    if (!s.terminal) stages.push_back(s.name);
  }
  for (std::size_t role = 0; role < 3; ++role) {
    for (const std::string& stage : stages) {
      CaseSpec c = make_case("silent-" + std::to_string(role) + "-" + stage, {{"accuracy", 1.0}});
      c.parties[role].strategy = "timeout";
      c.parties[role].deviation.silent_at = stage;
      auto r = simulate_case(info, c, cost(), MonteCarloOptions{20, 3, 1});
      ASSERT_TRUE(r.ok()) << r.error().message;
      for (const auto& [terminal, n] : r->terminals) {
        EXPECT_EQ(terminal.rfind("unsettled", 0), std::string::npos) << c.name << ": " << terminal;
      }
    }
  }
}

TEST(AccuracySim, AbortsAtAStageFollowTheTable) {
  const CaseResult r = simulate(
      make_case("abort", {{"strategy", "abort"}, {"abort_at", "subset_revealed"}, {"abort_with", "abort"}}), 50);
  EXPECT_EQ(r.terminals.at("settled_mp_aborted"), 50u);
  auto info = accuracy_protocol();
  CaseSpec bad = make_case("bad-abort", {{"strategy", "abort"}, {"abort_at", "subset_revealed"}, {"abort_with", "withhold"}});
  auto made = info.make(bad, cost());
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("no transition 'withhold' out of stage 'subset_revealed'"), std::string::npos)
      << made.error().message;
}

TEST(AccuracySim, BadCasesNameTheField) {
  auto info = accuracy_protocol();
  struct Bad {
    CaseSpec c;
    std::string message;
  };
  const Bad bad[] = {
      {make_case("a", {{"accuracy", 1.5}}), "mp.accuracy"},
      {make_case("b", {{"speed", 1}}), "unknown field 'speed'"},
      {make_case("c", {}, {}, {{"n2", 0}}), "params.n2"},
      {make_case("d", {}, {}, {{"eps", "lots"}}), "params.eps"},
      {make_case("e", {}, {}, {{"e", 1}, {"p", 1000}}), "insolvent"},
      {make_case("f", {{"strategy", "cunning"}}), "mp.strategy"},
      {make_case("g", {}, {{"strategy", "grief"}}), "bad_examples > 0"},
      {make_case("h", {{"accuracy", "high"}}), "mp.accuracy: expected a number"},
  };
  for (const Bad& b : bad) {
    auto r = info.make(b.c, cost());
    ASSERT_FALSE(r.ok()) << b.c.name;
    EXPECT_NE(r.error().message.find(b.message), std::string::npos) << r.error().message;
  }
}

TEST(AccuracySim, SameSeedSameResultsAnyThreadCount) {
  auto info = accuracy_protocol();
  const CaseSpec c = make_case("det", {{"accuracy", 0.9}}, {}, {{"n1", 2}, {"n2", 6}});
  auto one = simulate_case(info, c, cost(), MonteCarloOptions{1500, 11, 1});
  auto two = simulate_case(info, c, cost(), MonteCarloOptions{1500, 11, 2});
  auto other = simulate_case(info, c, cost(), MonteCarloOptions{1500, 12, 2});
  ASSERT_TRUE(one.ok() && two.ok() && other.ok());
  EXPECT_EQ(one->terminals, two->terminals);
  EXPECT_EQ(one->roles[0].payoff.mean, two->roles[0].payoff.mean);
  EXPECT_EQ(one->roles[1].payoff.sd, two->roles[1].payoff.sd);
  EXPECT_NE(one->terminals, other->terminals);
}

}  // namespace
}  // namespace verdict::sim
