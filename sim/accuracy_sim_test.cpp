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
#include "sim/report.hpp"
#include "sim/scenario.hpp"
#include "sim/sim_test_support.hpp"
#include "sim/statistics.hpp"

namespace verdict::sim {
namespace {

CostModel cost() { return *cost_preset("fashion_mnist"); }

// N1 = 10, N2 = 40, E = 100,000, P = 1,000, Z = the proving cost, eps = 100, a = 9/10.
CaseSpec make_case(const std::string& name, nlohmann::json mp = {}, nlohmann::json mc = {}, nlohmann::json params = {}) {
  return testing::case_from_json("accuracy", name,
                                 {{"n1", 10}, {"n2", 40}, {"e", 100000}, {"p", 1000}, {"z", "cost"}, {"eps", 100}},
                                 params, {mp, mc, nullptr});
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

using testing::form;

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

// A Sybil MP with a weak model (q = 0.8 against a = 9/10 on N1 = 4, N2 = 8: one
// identity passes with p ~ 0.07) retrying with up to 8 identities until one passes: the
// chance of a pass, the identities played and both parties' payoffs over the whole
// sequence agree with the closed forms; one instance's forms are set aside.
TEST(AccuracySim, SybilRetryingUntilAPassAgreesWithTheClosedForms) {
  CaseSpec c = make_case("sybil", {{"accuracy", 0.8}, {"value_of_pass", 1000000}}, {}, {{"n1", 4}, {"n2", 8}});
  c.sybil = SybilSpec{0, 8, "settled_pass"};
  const CaseResult r = simulate(c, 2000);
  ASSERT_EQ(r.runs, 2000u);
  const std::vector<std::string> sybil_forms = {"P(one of 8 identities reaches settled_pass)", "E[identities played]",
                                                "E[MP payoff] over up to 8 identities until a pass",
                                                "E[MC payoff] over up to 8 identities until a pass"};
  for (const std::string& name : sybil_forms) {
    const ClosedForm* f = form(r, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_TRUE(f->applies) << name;
    const Observed o = observe(r, f->observable);
    EXPECT_EQ(agreement(*f, o), Agreement::kAgrees)
        << name << ": closed " << f->value << ", simulated " << o.value << " [" << o.low << ", " << o.high << "]";
  }
  // The single instance's P(target met) is about 0.07; the Sybil's is 1 - (1 - p)^8.
  const ClosedForm* reached = form(r, "P(one of 8 identities reaches settled_pass)");
  const ClosedForm* one = form(r, "P(target met)");
  ASSERT_TRUE(reached && one);
  EXPECT_FALSE(one->applies);  // one instance's figure
  EXPECT_GT(reached->value, 0.3);
  EXPECT_LT(reached->value, 0.6);
  EXPECT_GE(r.identities.min, 1);
  EXPECT_EQ(r.identities.max, 8);
  EXPECT_GT(r.identities.mean, 4);
}

// A Sybil run is the sum of its instances: play_run against the same instances played
// one by one on the same rng (stopping at the first pass).
TEST(AccuracySim, SybilRunIsTheSumOfItsInstances) {
  auto info = accuracy_protocol();
  const CaseSpec c = make_case("sum", {{"accuracy", 0.8}}, {}, {{"n1", 4}, {"n2", 8}});
  const SybilSpec sybil{0, 5, "settled_pass"};
  auto a = info.make(c, cost());
  auto b = info.make(c, cost());
  ASSERT_TRUE(a.ok() && b.ok());
  std::uint32_t passes = 0, cut_short = 0;
  for (std::uint64_t i = 0; i < 40; ++i) {
    ChaChaRng rng_a(run_key(3, c.name, i)), rng_b(run_key(3, c.name, i));
    auto whole = play_run(**a, sybil, i, rng_a);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    RunOutcome sum;
    std::uint32_t played = 0;
    for (std::uint32_t j = 0; j < sybil.identities; ++j) {
      auto one = (*b)->run(i * sybil.identities + j, rng_b);
      ASSERT_TRUE(one.ok()) << one.error().message;
      if (j == 0) {
        sum = *one;
      } else {
        for (std::size_t r = 0; r < 3; ++r) {
          sum.ledger_net[r] += one->ledger_net[r];
          sum.cost[r] += one->cost[r];
        }
        sum.fees += one->fees;
        sum.terminal = one->terminal;
      }
      ++played;
      if (one->terminal == "settled_pass") break;
    }
    EXPECT_EQ(whole->identities, played) << i;
    EXPECT_EQ(whole->terminal, sum.terminal) << i;
    EXPECT_EQ(whole->ledger_net, sum.ledger_net) << i;
    EXPECT_EQ(whole->fees, sum.fees) << i;
    for (std::size_t r = 0; r < 3; ++r) EXPECT_DOUBLE_EQ(whole->cost[r], sum.cost[r]) << i;
    // Conservation holds over the sequence as in each instance.
    Amount total = whole->fees;
    for (Amount n : whole->ledger_net) total += n;
    EXPECT_EQ(total, 0) << i;
    passes += whole->terminal == "settled_pass";
    cut_short += played < sybil.identities;
  }
  EXPECT_GT(passes, 0u);  // both branches seen: a pass that ends the sequence early
  EXPECT_GT(cut_short, 0u);
  EXPECT_LT(passes, 40u);
}

// Without a goal every identity plays one instance: payoffs scale by the identities,
// rates stay those of one instance.
TEST(AccuracySim, SybilWithoutAGoalScalesOneInstance) {
  CaseSpec c = make_case("all", {{"accuracy", 0.93}}, {}, {{"n1", 4}, {"n2", 8}});
  c.sybil = SybilSpec{0, 4, ""};
  const CaseResult r = simulate(c, 1000);
  EXPECT_EQ(r.identities.min, 4);
  EXPECT_EQ(r.identities.max, 4);
  for (const std::string name : {"4 identities: E[MP payoff]", "4 identities: E[MC payoff]", "P(target met)"}) {
    const ClosedForm* f = form(r, name);
    ASSERT_NE(f, nullptr) << name;
    ASSERT_TRUE(f->applies) << name;
    const Observed o = observe(r, f->observable);
    EXPECT_EQ(agreement(*f, o), Agreement::kAgrees)
        << name << ": closed " << f->value << ", simulated " << o.value << " [" << o.low << ", " << o.high << "]";
  }
}

TEST(AccuracySim, BadSybilSpecsAreRefused) {
  const std::string head =
      R"({"name": "s", "protocol": "accuracy", "runs": 10, "params": {"n1": 2, "n2": 4, "e": 100000, "p": 1000, "z": 10, "eps": 1},
          "cases": [{"name": "c", "sybil": )";
  struct Bad {
    std::string sybil, message;
  };
  const std::vector<Bad> bad = {
      {R"({"role": "owner", "identities": 4})", "sybil.role: 'owner' is not a role"},
      {R"({"role": "mp", "identities": 1})", "sybil.identities"},
      {R"({"role": "mp"})", "sybil.identities: required"},
      {R"({"role": "mp", "identities": 5000})", "sybil.identities"},
      {R"({"role": "mp", "identities": 4, "until": "proving"})", "sybil.until: 'proving' is no terminal stage"},
      {R"({"role": "mp", "identities": 4, "until": 3})", "sybil.until: expected a string"},
      {R"({"role": "mp", "identities": 4, "speed": 3})", "speed"},
      {R"([1, 2])", "sybil: expected an object"},
  };
  for (const Bad& b : bad) {
    auto sc = parse_scenario_text(head + b.sybil + "}]}");
    ASSERT_FALSE(sc.ok()) << b.sybil;
    EXPECT_NE(sc.error().message.find(b.message), std::string::npos) << sc.error().message;
  }
  auto too_many = parse_scenario_text(
      R"({"name": "s", "protocol": "accuracy", "runs": 8000000, "params": {"n1": 2, "n2": 4, "e": 100000, "p": 1000, "z": 10, "eps": 1},
          "cases": [{"name": "c", "sybil": {"role": "mp", "identities": 2}}]})");
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("runs x identities"), std::string::npos) << too_many.error().message;
  auto good = parse_scenario_text(head + R"({"role": "mp", "identities": 4, "until": "settled_pass"})" + "}]}");
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->cases[0].sybil.identities, 4u);
  EXPECT_EQ(good->cases[0].sybil.until, "settled_pass");
}

}  // namespace
}  // namespace verdict::sim
