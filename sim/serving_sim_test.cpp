// The serving protocol in the simulator: every strategy against the real machines and
// ledger; conservation and machine/ledger agreement in every run (run() fails
// otherwise); detection rates, mean payoffs and grief ratios against the closed forms
// within their 99.9% intervals; silence of each role at each stage and aborts ending in
// the table's terminals; bad cases refused with the field named; the same seed giving
// the same runs. The per-run time is printed, not asserted.
#include "sim/serving_sim.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>

#include "escrow/testing.hpp"
#include "sim/binomial.hpp"
#include "sim/monte_carlo.hpp"
#include "sim/report.hpp"
#include "sim/scenario.hpp"
#include "sim/sim_test_support.hpp"
#include "sim/statistics.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::sim {
namespace {

CostModel cost() { return *cost_preset("fashion_mnist"); }

// Z: the cost model's proving cost, rounded to a unit (as "z": "cost" gives it).
Amount z() { return std::llround(cost().prove_cost()); }
constexpr Amount kEps = 100;

// K = 16, K1 = 2, Z = z(), beta = 2, eps = kEps, 10 classes.
CaseSpec make_case(const std::string& name, nlohmann::json mp = {}, nlohmann::json mc = {}, nlohmann::json params = {},
                   nlohmann::json verifier = {}) {
  return testing::case_from_json("serving", name, {{"k", 16}, {"k1", 2}, {"z", "cost"}, {"beta", 2}, {"eps", kEps}},
                                 params, {mp, mc, verifier});
}

std::uint64_t seed() {
  static const std::uint64_t s = [] {
    const std::uint64_t v = escrow::testing::test_seed(0x5e2f);
    std::printf("seed %llu (VERDICT_SEED replays)\n", static_cast<unsigned long long>(v));
    return v;
  }();
  return s;
}

CaseResult simulate(const CaseSpec& c, std::uint64_t runs, unsigned threads = 1) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = simulate_case(serving_protocol(), c, cost(), MonteCarloOptions{runs, seed(), threads});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  std::printf("[ case %s: %llu runs in %.2f s, %.1f us/run ]\n", c.name.c_str(), static_cast<unsigned long long>(runs),
              s, 1e6 * s / static_cast<double>(runs));
  return *r;
}

using testing::form;

std::uint64_t count(const CaseResult& r, const std::string& stage) {
  return r.terminals.count(stage) ? r.terminals.at(stage) : 0;
}

const RoleResult& role(const CaseResult& r, const std::string& name) {
  for (const RoleResult& x : r.roles) {
    if (x.role == name) return x;
  }
  static const RoleResult none;
  ADD_FAILURE() << "no role " << name;
  return none;
}

// A mean whose sample never varied has a t interval of no width: a rare outcome not yet
// seen (the 1% of lazy rounds that survive a contest) puts the closed form outside it,
// so such a sample is inconclusive rather than a disagreement.
bool degenerate(const CaseResult& r, const std::string& observable) {
  if (observable.rfind("rate:", 0) == 0) return false;
  for (const RoleResult& x : r.roles) {
    if (observable.find(":" + x.role) != std::string::npos && (x.payoff.sd == 0 || x.ledger_net.sd == 0)) return true;
  }
  return false;
}

// Whether some applicable closed form disagrees only through a degenerate sample.
bool inconclusive(const CaseResult& r) {
  for (const ClosedForm& f : r.closed_forms) {
    if (!f.applies || f.observable == "none") continue;
    if (!agrees(f, observe(r, f.observable)) && degenerate(r, f.observable)) return true;
  }
  return false;
}

// Every closed form that applies and has an observable agrees with the simulation, as
// the report judges it (report.hpp: the 99.9% interval).
int expect_closed_forms_agree(const CaseResult& r) {
  int checked = 0;
  for (const ClosedForm& f : r.closed_forms) {
    if (!f.applies || f.observable == "none") continue;
    const Observed o = observe(r, f.observable);
    EXPECT_TRUE(o.available) << r.spec.name << ": cannot observe " << f.observable;
    EXPECT_TRUE(agrees(f, o)) << r.spec.name << ": " << f.name << " = " << f.formula << " = " << f.value
                              << ", simulated " << o.value << " in [" << o.low << ", " << o.high << "] over " << r.runs
                              << " runs";
    ++checked;
  }
  return checked;
}

TEST(ServingSim, HonestRoundIsContestedAndProvenToTheUnit) {
  auto sim = serving_protocol().make(make_case("honest"), cost());
  ASSERT_TRUE(sim.ok()) << sim.error().message;
  const CostModel cm = cost();
  const Amount zu = z(), eps = kEps;
  for (std::uint64_t i = 0; i < 5; ++i) {
    ChaChaRng rng(run_key(seed(), "honest", i));
    auto out = (*sim)->run(i, rng);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->terminal, "settled_proven");
    EXPECT_EQ(out->ledger_net, (std::vector<Amount>{2 * 2 * zu - eps, -2 * 2 * zu - eps, 0}));
    EXPECT_EQ(out->fees, 2 * eps);
    EXPECT_NEAR(out->cost[0], 2 * cm.prove_cost() + 16 * cm.inference_cost(), 1e-9);
    EXPECT_NEAR(out->cost[1], 2 * cm.verify_cost(), 1e-12);
    EXPECT_NEAR(out->cost[2], 2 * cm.verify_cost(), 1e-12);
    // Proving two items takes 6.4 virtual seconds; the round waits for it.
    EXPECT_GE(out->duration_ms, 6400);
    EXPECT_LT(out->duration_ms, 7000);
  }
  // An MC that never contests: both get their deposits back less the fee.
  auto closing = serving_protocol().make(make_case("closing", {}, {{"contest_rate", 0}}), cost());
  ASSERT_TRUE(closing.ok());
  ChaChaRng rng(run_key(seed(), "closing", 0));
  auto out = (*closing)->run(0, rng);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->terminal, "settled_closed");
  EXPECT_EQ(out->ledger_net, (std::vector<Amount>{-eps, -eps, 0}));
  EXPECT_NEAR(out->cost[0], 16 * cm.inference_cost(), 1e-12);
  EXPECT_EQ(out->cost[1], 0);
}

TEST(ServingSim, HonestMeansAgreeWithTheClosedForms) {
  for (double rate : {1.0, 0.25}) {
    const CaseResult r =
        simulate(make_case("honest-" + std::to_string(rate), {}, {{"contest_rate", rate}}), rate == 1 ? 100 : 400);
    EXPECT_GE(expect_closed_forms_agree(r), 6);
    EXPECT_EQ(count(r, "settled_proven") + count(r, "settled_closed"), r.runs);
    // An honest MP never loses more than the fee.
    EXPECT_GE(role(r, "mp").ledger_net.min, -kEps);
  }
}

// A malicious MP wrong on B of K is caught exactly when a wrong item is contested:
// 1 - C(K-B, K1)/C(K, K1), times MC's contest rate.
TEST(ServingSim, MaliciousMpIsSlashedAtTheDetectionRate) {
  struct Row {
    int wrong, k1;
    double rate;
    double detection;  // exact, by hand
    std::uint64_t runs;
  };
  const Row rows[] = {
      {2, 2, 1.0, 1 - 91.0 / 120.0, 1000},         // 1 - C(14,2)/C(16,2)
      {2, 4, 1.0, 1 - 1001.0 / 1820.0, 400},       // 1 - C(14,4)/C(16,4)
      {4, 2, 0.5, 0.5 * (1 - 66.0 / 120.0), 400},  // q (1 - C(12,2)/C(16,2))
  };
  for (const Row& row : rows) {
    const CaseResult r = simulate(
        make_case("malicious-" + std::to_string(row.wrong) + "-" + std::to_string(row.k1),
                  {{"strategy", "malicious"}, {"wrong", row.wrong}}, {{"contest_rate", row.rate}}, {{"k1", row.k1}}),
        row.runs);
    const ClosedForm* d = form(r, "P(MP slashed): detection");
    ASSERT_TRUE(d);
    EXPECT_NEAR(d->value, row.detection, 1e-12);
    EXPECT_EQ(d->observable, "rate:settled_mp_slashed");
    EXPECT_GE(expect_closed_forms_agree(r), 4);
    // Every other round is proven (lucky contests) or closed (no contest).
    EXPECT_EQ(count(r, "settled_mp_slashed") + count(r, "settled_proven") + count(r, "settled_closed"), r.runs);
    // Cheating does not pay against the honest MP's payoff.
    EXPECT_LT(role(r, "mp").payoff.mean, form(r, "honest MP's payoff, for comparison")->value);
  }
}

TEST(ServingSim, LazyMpIsSlashedUnlessEveryContestedGuessIsRight) {
  // Two classes: a contest of K1 = 2 random guesses misses with 1/4.
  const CaseResult r = simulate(make_case("lazy", {{"strategy", "lazy"}}, {}, {{"classes", 2}}), 500);
  EXPECT_NEAR(form(r, "P(MP slashed): detection")->value, 0.75, 1e-12);
  EXPECT_GE(expect_closed_forms_agree(r), 4);
  // A lazy MP runs no model: its only work is proving its lucky rounds.
  EXPECT_LT(role(r, "mp").cost.min, 1e-12);
}

// MC's payoff counts what the predictions it uses are worth to it (and what wrong ones
// cost it); rounds that slash MP are discarded.
TEST(ServingSim, McPayoffCountsTheValueOfThePredictions) {
  const nlohmann::json mc = {{"contest_rate", 0.5}, {"value_per_prediction", 1000}, {"loss_per_wrong", 200000}};
  const CaseResult honest = simulate(make_case("valued-honest", {}, mc), 300);
  const CaseResult bad = simulate(make_case("valued-malicious", {{"strategy", "malicious"}, {"wrong", 2}}, mc), 400);
  const CaseResult lazy = simulate(make_case("valued-lazy", {{"strategy", "lazy"}}, mc, {{"classes", 2}}), 400);
  for (const CaseResult* r : {&honest, &bad, &lazy}) EXPECT_GE(expect_closed_forms_agree(*r), 4) << r->spec.name;
  // An honest round is worth K v to MC on top of its ledger net and verification.
  EXPECT_NEAR(role(honest, "mc").payoff.mean - role(honest, "mc").ledger_net.mean,
              16 * 1000 - 2 * cost().verify_cost() * count(honest, "settled_proven") / 300.0, 1e-6);
}

TEST(ServingSim, InvalidProofsAreSlashedWheneverContested) {
  const CaseResult r =
      simulate(make_case("invalid", {{"strategy", "malicious"}, {"wrong", 0}, {"invalid_proofs", true}}), 40);
  EXPECT_EQ(count(r, "settled_mp_slashed"), 40u);
  EXPECT_GE(expect_closed_forms_agree(r), 4);
  // It paid for the proofs that failed: bond, fee, proving, inference.
  const CostModel cm = cost();
  EXPECT_NEAR(role(r, "mp").payoff.mean, -2 * 16 * z() - kEps - 2 * cm.prove_cost() - 16 * cm.inference_cost(), 1e-6);
}

TEST(ServingSim, GriefingMcAgainstHonestMp) {
  const CostModel cm = cost();
  // Contesting every round pays MP more than its proving: the "victim" gains.
  const CaseResult contest = simulate(make_case("grief-contest", {}, {{"strategy", "grief"}, {"mode", "contest"}}), 50);
  EXPECT_EQ(count(contest, "settled_proven"), 50u);
  EXPECT_LT(form(contest, "grief ratio (contest every round): MP's loss / MC's cost")->value, 0);
  EXPECT_GT(role(contest, "mp").payoff.min, 0);
  // Withholding the transcript: MP's inference is wasted, MC pays only the fee.
  const CaseResult withhold =
      simulate(make_case("grief-withhold", {}, {{"strategy", "grief"}, {"mode", "withhold"}}), 50);
  EXPECT_EQ(count(withhold, "settled_closed"), 50u);
  EXPECT_NEAR(form(withhold, "grief ratio (withhold the transcript): MP's loss / MC's cost")->value,
              1 + 16 * cm.inference_cost() / kEps, 1e-12);
  // Bad inputs: MP rejects before running the model.
  const CaseResult bad =
      simulate(make_case("grief-bad-inputs", {}, {{"strategy", "grief"}, {"mode", "bad_inputs"}}), 50);
  EXPECT_EQ(count(bad, "settled_refund"), 50u);
  EXPECT_EQ(role(bad, "mp").cost.max, 0);
  for (const CaseResult* r : {&contest, &withhold, &bad}) EXPECT_GE(expect_closed_forms_agree(*r), 3) << r->spec.name;
}

TEST(ServingSim, SilenceOfEachRoleAtEachStageSettles) {
  auto info = serving_protocol();
  // What an honest opponent's machines make of it (MC contests every round).
  const std::map<std::string, std::array<const char*, 3>> expected = {
      // stage                  mp silent              mc silent           verifier silent
      {"start", {"abandoned", "abandoned", "settled_proven"}},
      {"funding", {"unfunded", "unfunded", "settled_proven"}},
      {"awaiting_inputs", {"settled_mp_slashed", "settled_refund", "settled_proven"}},
      {"awaiting_predictions", {"settled_mp_slashed", "settled_closed", "settled_proven"}},
      {"awaiting_transcript", {"settled_mp_slashed", "settled_closed", "settled_proven"}},
      {"contest_window", {"settled_mp_slashed", "settled_closed", "settled_proven"}},
      {"contested", {"settled_mp_slashed", "settled_proven", "settled_proven"}},
      {"proofs_submitted", {"settled_proven", "settled_proven", "settled_proven"}},
  };
  auto rules = info.rules(make_case("x"));
  ASSERT_TRUE(rules.ok());
  std::size_t stages = 2;
  for (const auto& s : rules->stages) stages += s.terminal ? 0 : 1;
  ASSERT_EQ(expected.size(), stages);  // every stage of the table
  for (const auto& [stage, terminals] : expected) {
    for (std::size_t r = 0; r < 3; ++r) {
      CaseSpec c = make_case("silent-" + info.roles[r] + "-" + stage);
      c.parties[r].strategy = "timeout";
      c.parties[r].deviation.silent_at = stage;
      auto result = simulate_case(info, c, cost(), MonteCarloOptions{4, seed(), 1});
      ASSERT_TRUE(result.ok()) << c.name << ": " << result.error().message;
      EXPECT_EQ(result->terminals.size(), 1u) << c.name;
      EXPECT_EQ(result->terminals.begin()->first, terminals[r]) << c.name;
      // The honest parties never lose more than the fee (MC: beyond a proven contest).
      if (r != 0) {
        EXPECT_GE(result->roles[0].ledger_net.min, -kEps) << c.name;
      }
      if (r != 1) {
        EXPECT_GE(result->roles[1].ledger_net.min, -kEps - 2 * 2 * z()) << c.name;
      }
    }
  }
}

TEST(ServingSim, AbortsFollowTheTable) {
  const CaseResult reject = simulate(
      make_case("reject",
                {{"strategy", "abort"}, {"abort_at", "awaiting_predictions"}, {"abort_with", "reject_inputs"}}),
      20);
  EXPECT_EQ(count(reject, "settled_refund"), 20u);
  // The verifier is trusted: a corrupt one slashes an honest MP, a colluding one pays an invalid prover.
  const CaseResult corrupt =
      simulate(make_case("corrupt", {}, {}, {},
                         {{"strategy", "abort"}, {"abort_at", "proofs_submitted"}, {"abort_with", "invalid"}}),
               20);
  EXPECT_EQ(count(corrupt, "settled_mp_slashed"), 20u);
  const CaseResult collude =
      simulate(make_case("collude", {{"strategy", "malicious"}, {"wrong", 2}, {"invalid_proofs", true}}, {}, {},
                         {{"strategy", "abort"}, {"abort_at", "proofs_submitted"}, {"abort_with", "valid"}}),
               20);
  EXPECT_EQ(count(collude, "settled_proven"), 20u);
  // A proving window shorter than proving: the honest MP is slashed, and the forms say they do not apply.
  const CaseResult slow = simulate(make_case("slow", {}, {}, {{"proving_timeout_ms", 5000}}), 20);
  EXPECT_EQ(count(slow, "settled_mp_slashed"), 20u);
  EXPECT_FALSE(form(slow, "honest MP's payoff per round")->applies);

  auto bad = serving_protocol().make(
      make_case("bad-abort", {{"strategy", "abort"}, {"abort_at", "contested"}, {"abort_with", "close"}}), cost());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("no transition 'close' out of stage 'contested'"), std::string::npos)
      << bad.error().message;
}

TEST(ServingSim, BadCasesNameTheField) {
  auto info = serving_protocol();
  struct Bad {
    CaseSpec c;
    std::string message;
  };
  const Bad bad[] = {
      {make_case("a", {}, {}, {{"k1", 17}}), "params.k1"},
      {make_case("b", {}, {}, {{"z", "free"}}), "params.z"},
      {make_case("c", {}, {}, {{"kk", 3}}), "unknown field 'kk'"},
      {make_case("d", {}, {}, {{"beta", 1}}), "params.beta"},
      {make_case("e", {}, {}, {{"z", 1000000000000}}), "at most 2^40 units"},
      {make_case("f", {}, {}, {{"classes", 1}}), "params.classes"},
      {make_case("g", {}, {}, {{"proving_timeout_ms", 0}}), "params.proving_timeout_ms"},
      {make_case("h", {{"strategy", "cunning"}}), "mp.strategy"},
      {make_case("i", {{"strategy", "malicious"}, {"wrong", 17}}), "mp.wrong"},
      {make_case("j", {{"strategy", "malicious"}, {"wrong", "two"}}), "mp.wrong: expected an integer"},
      {make_case("k", {{"wrong", 2}}), "mp.wrong: strategy 'honest' takes no options"},
      {make_case("l", {{"strategy", "lazy"}, {"wrong", 2}}), "unknown field 'wrong'"},
      {make_case("m", {{"strategy", "lazy"}, {"invalid_proofs", 1}}), "mp.invalid_proofs"},
      {make_case("n", {}, {{"contest_rate", 1.5}}), "mc.contest_rate"},
      {make_case("o", {}, {{"strategy", "grief"}, {"mode", "sulk"}}), "mc.mode"},
      {make_case("p", {}, {{"strategy", "grief"}, {"contest_rate", 1}}), "unknown field 'contest_rate'"},
      {make_case("p2", {}, {{"loss_per_wrong", -1}}), "mc.loss_per_wrong"},
      {make_case("q", {}, {}, {}, {{"strategy", "lazy"}}), "verifier.strategy"},
      {make_case("r", {}, {}, {}, {{"speed", 2}}), "verifier.speed"},
      {make_case("s", {{"strategy", "timeout"}, {"timeout_at", "lunch"}}), "timeout_at names no stage"},
  };
  for (const Bad& b : bad) {
    auto r = info.make(b.c, cost());
    ASSERT_FALSE(r.ok()) << b.c.name;
    EXPECT_NE(r.error().message.find(b.message), std::string::npos) << b.c.name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find("case '" + b.c.name + "'"), std::string::npos) << r.error().message;
    // check() refuses it with the same message, without building anything.
    Status checked = info.check(b.c, cost());
    ASSERT_FALSE(checked.ok()) << b.c.name;
    EXPECT_EQ(checked.error().message, r.error().message);
  }
  EXPECT_TRUE(info.check(make_case("fine", {{"strategy", "malicious"}, {"wrong", 3}}), cost()).ok());
  // The closed forms of a bad case are empty rather than wrong.
  EXPECT_TRUE(info.closed_forms(bad[0].c, cost()).empty());
}

TEST(ServingSim, SameSeedSameRuns) {
  auto info = serving_protocol();
  const CaseSpec c = make_case("det", {{"strategy", "malicious"}, {"wrong", 3}}, {{"contest_rate", 0.5}});
  // Two workers, run by run.
  auto a = info.make(c, cost()), b = info.make(c, cost());
  ASSERT_TRUE(a.ok() && b.ok());
  for (std::uint64_t i = 0; i < 30; ++i) {
    ChaChaRng ra(run_key(seed(), c.name, i)), rb(run_key(seed(), c.name, i));
    auto x = (*a)->run(i, ra), y = (*b)->run(i, rb);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(x->terminal, y->terminal);
    EXPECT_EQ(x->ledger_net, y->ledger_net);
    EXPECT_EQ(x->cost, y->cost);
    EXPECT_EQ(x->duration_ms, y->duration_ms);
    EXPECT_EQ(x->escrow_ops, y->escrow_ops);
  }
  // Whole cases (simulate_case's thread independence is monte_carlo's test), and another seed differs.
  auto one = simulate_case(info, c, cost(), MonteCarloOptions{200, 11, 1});
  auto two = simulate_case(info, c, cost(), MonteCarloOptions{200, 11, 1});
  auto other = simulate_case(info, c, cost(), MonteCarloOptions{200, 12, 1});
  ASSERT_TRUE(one.ok() && two.ok() && other.ok());
  EXPECT_EQ(one->terminals, two->terminals);
  EXPECT_EQ(one->roles[0].payoff.mean, two->roles[0].payoff.mean);
  EXPECT_EQ(one->roles[1].ledger_net.sd, two->roles[1].ledger_net.sd);
  EXPECT_EQ(one->duration_s.mean, two->duration_s.mean);
  EXPECT_NE(one->roles[0].payoff.mean, other->roles[0].payoff.mean);
}

// The detection formula against exact counting (Pascal's triangle in integers).
TEST(ServingSim, DetectionFormulaIsExact) {
  std::vector<std::vector<double>> pascal(41, std::vector<double>(41, 0));
  for (int n = 0; n <= 40; ++n) {
    pascal[n][0] = 1;
    for (int k = 1; k <= n; ++k) pascal[n][k] = pascal[n - 1][k - 1] + (k <= n - 1 ? pascal[n - 1][k] : 0);
  }
  for (int k = 1; k <= 40; ++k) {
    for (int k1 = 1; k1 <= k; ++k1) {
      for (int b = 0; b <= k; ++b) {
        const double exact = k - b >= k1 ? pascal[k - b][k1] / pascal[k][k1] : 0;  // C(40, 20) < 2^53: exact
        EXPECT_NEAR(miss_probability(k, b, k1), exact, 1e-12 * std::max(1.0, exact)) << k << " " << k1 << " " << b;
      }
    }
  }
}

// The scenario file: it loads, every case and sweep value builds, and every applicable
// closed form agrees with a short simulation of its case.
TEST(ServingSim, ScenarioFileAgreesWithItsClosedForms) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "scenarios" / "serving.json";
  auto sc = load_scenario(path.string());
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_EQ(sc->protocol, "serving");
  EXPECT_FALSE(sc->sweep.empty());
  int checked = 0;
  for (const CaseSpec& c : sc->cases) {
    auto r = simulate_case(serving_protocol(), c, sc->cost, MonteCarloOptions{100, seed(), 1});
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.error().message;
    if (inconclusive(*r)) {  // a rare outcome unseen: look again with more runs
      std::printf("[ %s: a sample without variance disagrees; 800 runs ]\n", c.name.c_str());
      r = simulate_case(serving_protocol(), c, sc->cost, MonteCarloOptions{800, seed(), 1});
      ASSERT_TRUE(r.ok()) << c.name << ": " << r.error().message;
    }
    for (const auto& [terminal, n] : r->terminals)
      EXPECT_EQ(terminal.rfind("unsettled", 0), std::string::npos) << c.name << ": " << terminal;
    checked += expect_closed_forms_agree(*r);
    std::printf("  %s (%llu runs)\n", c.name.c_str(), static_cast<unsigned long long>(r->runs));
    for (const ClosedForm& f : r->closed_forms) {
      if (f.observable == "none") continue;
      const Observed o = observe(*r, f.observable);
      std::printf("    %-58s %14.6g  simulated %14.6g%s\n", f.name.c_str(), f.value, o.available ? o.value : NAN,
                  f.applies ? "" : "  (does not apply)");
    }
  }
  std::printf("[ %d closed forms checked over %zu cases ]\n", checked, sc->cases.size());
  EXPECT_GE(checked, 40);
}

// Not a timed assertion: the per-run cost (wall and CPU time of one worker), printed for
// the report.
TEST(ServingSim, Throughput) {
  auto info = serving_protocol();
  for (int k : {8, 16}) {
    CaseSpec c = make_case("throughput-k" + std::to_string(k), {}, {}, {{"k", k}});
    auto sim = info.make(c, cost());
    ASSERT_TRUE(sim.ok());
    const int runs = 500;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    for (int i = 0; i < runs; ++i) {
      ChaChaRng rng(run_key(seed(), c.name, static_cast<std::uint64_t>(i)));
      auto out = (*sim)->run(static_cast<std::uint64_t>(i), rng);
      ASSERT_TRUE(out.ok()) << out.error().message;
    }
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ honest round, K = %d, K1 = 2: %.0f us per run (CPU %.0f us), %.0f runs/s on one thread ]\n", k,
                1e6 * wall / runs, 1e6 * cpu / runs, runs / wall);
  }
  // Of which the machines' input commitments: MC commits its K inputs at Start and MP
  // recomputes them to check MC's digest, 2K Poseidon hashes per round.
  ChaChaRng rng(seed());
  std::vector<std::uint8_t> x(16);
  rng.fill(x);
  const field::Fr salt = field::Fr::random(rng);
  const std::clock_t c0 = std::clock();
  field::Fr acc = field::Fr::zero();
  for (int i = 0; i < 2000; ++i) acc = acc + nn::input_commitment(x, salt);
  const double each = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC / 2000;
  std::printf("[ one input commitment (Poseidon): %.1f us CPU; 2K of them per round: %.0f us at K = 16 ]\n", 1e6 * each,
              32e6 * each);
  EXPECT_FALSE(acc.is_zero());
}

}  // namespace
}  // namespace verdict::sim
