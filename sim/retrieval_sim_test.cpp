// The retrieval adapter of the simulator: honest runs settle paid with the ledger's nets;
// junk and disguised withholding are caught at the audit sample's hypergeometric rate
// (a 99.9% interval over a few thousand seeded runs) and the mean payoffs match the
// closed forms; the checks that need no sample always catch; duplicates never do (the
// attestation limitation, pinned); a griefing requester's false dispute is dismissed; every
// role's silence at every stage ends in a terminal stage with money conserved; bad
// options name their field; the same seed replays the same runs. The catch probability
// and the tampered-fraction bounds are checked against exhaustive enumeration and the
// paper's Table 3. Seeds are printed; VERDICT_SEED replays.
#include "sim/retrieval_sim.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "sim/monte_carlo.hpp"
#include "sim/report.hpp"
#include "sim/scenario.hpp"

namespace verdict::sim {
namespace {

constexpr double kZ999 = 3.2905;  // two-sided 99.9% normal quantile

std::uint64_t test_seed(std::uint64_t fallback) {
  const char* s = std::getenv("VERDICT_SEED");
  const std::uint64_t seed = s && *s ? std::strtoull(s, nullptr, 0) : fallback;
  std::printf("seed %llu (VERDICT_SEED replays)\n", static_cast<unsigned long long>(seed));
  return seed;
}

PartySpec party(const std::string& strategy, nlohmann::json options = nlohmann::json::object()) {
  PartySpec p;
  p.strategy = strategy;
  p.options = std::move(options);
  return p;
}

PartySpec silent(const std::string& stage, const std::string& strategy = "honest") {
  PartySpec p = party(strategy);
  p.deviation.silent_at = stage;
  return p;
}

CaseSpec make_case(const std::string& name, nlohmann::json params = nlohmann::json::object(), PartySpec requester = {},
                   PartySpec responder = {}, PartySpec judge = {}) {
  CaseSpec c;
  c.name = name;
  c.protocol = "retrieval";
  c.params = params.is_null() ? nlohmann::json::object() : std::move(params);  // `{}` arrives as null
  c.parties = {std::move(requester), std::move(responder), std::move(judge)};
  return c;
}

const CostModel& cost() {
  static const CostModel c = *cost_preset("fashion_mnist");
  return c;
}

std::unique_ptr<ProtocolSim> must_make(const CaseSpec& c) {
  auto sim = retrieval_protocol().make(c, cost());
  EXPECT_TRUE(sim.ok()) << (sim.ok() ? "" : sim.error().message);
  return sim.ok() ? std::move(*sim) : nullptr;
}

std::string make_error(const CaseSpec& c) {
  auto sim = retrieval_protocol().make(c, cost());
  return sim.ok() ? std::string("(no error)") : sim.error().message;
}

// Runs [first, first + runs) of a case with the simulator's per-run keys.
std::vector<RunOutcome> run_many(ProtocolSim& sim, const std::string& name, std::uint64_t seed, std::uint64_t first,
                                 std::uint64_t runs) {
  std::vector<RunOutcome> out;
  for (std::uint64_t i = first; i < first + runs; ++i) {
    ChaChaRng rng(run_key(seed, name, i));
    auto o = sim.run(i, rng);
    EXPECT_TRUE(o.ok()) << name << " run " << i << ": " << (o.ok() ? "" : o.error().message);
    if (!o.ok()) break;
    out.push_back(std::move(*o));
  }
  return out;
}

const ClosedForm* find_form(const std::vector<ClosedForm>& forms, const std::string& name) {
  for (const ClosedForm& f : forms) {
    if (f.name == name) return &f;
  }
  ADD_FAILURE() << "no closed form '" << name << "'";
  return nullptr;
}

// The sample mean of xs is within the 99.9% interval of `expected` (exact when xs do not vary).
void expect_mean_near(const std::vector<double>& xs, double expected, const std::string& what) {
  const double n = static_cast<double>(xs.size());
  double mean = 0, var = 0;
  for (double x : xs) mean += x / n;
  for (double x : xs) var += (x - mean) * (x - mean) / (n - 1);
  const double half = kZ999 * std::sqrt(var / n) + 1e-9 * std::max(1.0, std::abs(expected));
  std::printf("  %-34s simulated %12.4f  closed form %12.4f  (99.9%% half-width %.4f)\n", what.c_str(), mean, expected,
              half);
  EXPECT_NEAR(mean, expected, half) << what;
}

std::vector<double> payoffs(const std::vector<RunOutcome>& runs, std::size_t role) {
  std::vector<double> out;
  for (const RunOutcome& o : runs) out.push_back(o.payoff(role));
  return out;
}

std::vector<double> indicator(const std::vector<RunOutcome>& runs, const std::string& terminal) {
  std::vector<double> out;
  for (const RunOutcome& o : runs) out.push_back(o.terminal == terminal ? 1.0 : 0.0);
  return out;
}

bool is_terminal(const std::string& stage) {
  static const std::set<std::string> kTerminal = {"settled_paid", "settled_responder_slashed", "settled_refund",
                                                  "unfunded", "abandoned"};
  return kTerminal.count(stage) > 0;
}

// ---- closed forms against oracles ----------------------------------------------------------

// The catch probability against every sample of tiny corpora (exhaustive), and against
// the product form prod (m - k - i) / (m - i) on large ones.
TEST(RetrievalClosedForms, CatchProbabilityMatchesEnumeration) {
  for (std::uint32_t m = 1; m <= 12; ++m) {
    for (std::uint32_t k = 0; k <= m; ++k) {
      for (std::uint32_t n = 1; n <= m; ++n) {
        // Bad documents are 0..k-1; count the n-subsets of [0, m) that avoid them all.
        std::uint64_t total = 0, miss = 0;
        for (std::uint32_t mask = 0; mask < (1u << m); ++mask) {
          if (static_cast<std::uint32_t>(__builtin_popcount(mask)) != n) continue;
          ++total;
          if ((mask & ((1u << k) - 1)) == 0) ++miss;
        }
        const double exact = 1 - static_cast<double>(miss) / static_cast<double>(total);
        EXPECT_NEAR(retrieval_catch_probability(m, k, n), exact, 1e-12) << "m " << m << " k " << k << " n " << n;
      }
    }
  }
  for (const auto& [m, k, n] : {std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>{1'000'000, 1, 100},
                                {1 << 20, 50, 2000},
                                {5000, 250, 72},
                                {100, 5, 60}}) {
    long double miss = 1;  // the oracle in extended precision
    for (std::uint64_t i = 0; i < n; ++i) miss *= static_cast<long double>(m - k - i) / static_cast<long double>(m - i);
    const double catch_p = static_cast<double>(1 - miss);
    EXPECT_NEAR(retrieval_catch_probability(m, k, n), catch_p, 1e-11 * catch_p) << m << " " << k << " " << n;
  }
  // A tiny catch probability keeps its relative precision: exactly 1/M for one bad
  // document and a sample of one (lgamma differences at M = 2^20 were 0.2% off).
  EXPECT_NEAR(retrieval_catch_probability(1 << 20, 1, 1) * (1 << 20), 1.0, 1e-12);
  EXPECT_NEAR(retrieval_catch_probability(1 << 20, 3, 5), retrieval_catch_probability(1 << 20, 5, 3), 1e-18);
}

// Table 3 (PROTOCOLS.md 1): the smallest N whose two-sided bound is at most the
// fraction is 72 (5%), 183 (2%), and the corrected 146 (2.5%) and 368 (1%); one-sided 59
// at 5%.
TEST(RetrievalClosedForms, TamperedBoundReproducesTable3) {
  const auto smallest_n = [](double fraction, bool two_sided) {
    std::uint64_t n = 1;
    while (retrieval_tampered_bound(n, 0.05, two_sided) > fraction) ++n;
    return n;
  };
  EXPECT_EQ(smallest_n(0.05, true), 72u);
  EXPECT_EQ(smallest_n(0.02, true), 183u);
  EXPECT_EQ(smallest_n(0.025, true), 146u);
  EXPECT_EQ(smallest_n(0.01, true), 368u);
  EXPECT_EQ(smallest_n(0.05, false), 59u);
  EXPECT_NEAR(retrieval_tampered_bound(72, 0.05, true), 1 - std::pow(0.025, 1.0 / 72), 1e-15);
  EXPECT_NEAR(retrieval_tampered_bound(72, 0.05, false), 1 - std::pow(0.05, 1.0 / 72), 1e-15);
  // The case's closed forms carry them, and the paper's printed typo (> 1) does not apply.
  auto forms = retrieval_protocol().closed_forms(make_case("t", {{"corpus_size", 100}, {"audit_sample", 72}}), cost());
  const ClosedForm* two = find_form(forms, "tampered fraction after N clean samples (two-sided, Table 3)");
  ASSERT_TRUE(two);
  EXPECT_NEAR(two->value, 0.0500, 5e-4);
  EXPECT_EQ(two->observable, "none");
  const ClosedForm* typo = find_form(forms, "paper (printed): tampered fraction bound");
  ASSERT_TRUE(typo);
  EXPECT_GT(typo->value, 1.0);
  EXPECT_FALSE(typo->applies);
}

// ---- runs ----------------------------------------------------------------------------------

TEST(RetrievalSim, HonestRunsSettlePaid) {
  const CaseSpec c = make_case("honest");
  auto sim = must_make(c);
  ASSERT_TRUE(sim);
  const auto runs = run_many(*sim, c.name, test_seed(1), 0, 40);
  ASSERT_EQ(runs.size(), 40u);
  const double m = 32, z = std::llround(cost().prove_cost()), eps = 10;
  for (const RunOutcome& o : runs) {
    EXPECT_EQ(o.terminal, "settled_paid");
    EXPECT_EQ(o.ledger_net[0], -m * z - eps);
    EXPECT_EQ(o.ledger_net[1], m * z - eps);
    EXPECT_EQ(o.ledger_net[2], 0);
    EXPECT_EQ(o.fees, 2 * eps);
    EXPECT_NEAR(o.cost[0], m * cost().verify_cost(), 1e-9);
    EXPECT_NEAR(o.cost[1], m * cost().prove_cost(), 1e-9);
    EXPECT_EQ(o.cost[2], 0);
    // Proving 32 documents takes 32 * 3.2 s of virtual time.
    EXPECT_GE(o.duration_ms, static_cast<std::int64_t>(m * cost().prove_seconds * 1000));
  }
  const auto forms = retrieval_protocol().closed_forms(c, cost());
  for (const char* name : {"honest responder's net", "honest responder's payoff", "E[responder payoff]",
                           "E[requester payoff]", "E[judge payoff]", "P(responder slashed)"}) {
    const ClosedForm* f = find_form(forms, name);
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->applies) << name;
  }
  expect_mean_near(payoffs(runs, 1), find_form(forms, "honest responder's payoff")->value, "honest responder payoff");
  expect_mean_near(payoffs(runs, 0), find_form(forms, "E[requester payoff]")->value, "honest requester payoff");
  EXPECT_EQ(find_form(forms, "honest responder's net")->value, m * z - eps);
  EXPECT_TRUE(protocol_info("retrieval").ok());
}

// Junk documents (negatives without a valid attestation) and withheld positives disguised
// as junk are caught exactly when the sample holds one: 1 - C(M - k, N) / C(M, N).
TEST(RetrievalSim, SampleCatchesBadDocumentsAtTheHypergeometricRate) {
  const std::uint64_t seed = test_seed(0x5a3b1e);
  struct Case {
    CaseSpec spec;
    std::uint32_t runs;
  };
  const Case cases[] = {
      {make_case("junk-2", {}, {}, party("junk", {{"junk", 2}})), 1500},
      {make_case("withhold-3", {{"corpus_size", 24}, {"audit_sample", 3}, {"positive_rate", 0.25}}, {},
                 party("withhold", {{"withhold", 3}})),
       1500},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.spec.name);
    auto sim = must_make(k.spec);
    ASSERT_TRUE(sim);
    const auto t0 = std::chrono::steady_clock::now();
    const auto runs = run_many(*sim, k.spec.name, seed, 0, k.runs);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(runs.size(), k.runs);
    for (const RunOutcome& o : runs) {
      ASSERT_TRUE(o.terminal == "settled_paid" || o.terminal == "settled_responder_slashed") << o.terminal;
    }
    const auto forms = retrieval_protocol().closed_forms(k.spec, cost());
    const ClosedForm* slashed = find_form(forms, "P(responder slashed)");
    const ClosedForm* sample = find_form(forms, "P(the audit sample catches k bad documents)");
    ASSERT_TRUE(slashed && sample);
    EXPECT_TRUE(slashed->applies);
    EXPECT_DOUBLE_EQ(slashed->value, sample->value);
    std::printf("%s: %u runs in %.2f s (%.0f us per run)\n", k.spec.name.c_str(), k.runs, secs, 1e6 * secs / k.runs);
    expect_mean_near(indicator(runs, "settled_responder_slashed"), slashed->value, "P(slashed)");
    expect_mean_near(payoffs(runs, 0), find_form(forms, "E[requester payoff]")->value, "requester payoff");
    expect_mean_near(payoffs(runs, 1), find_form(forms, "E[responder payoff]")->value, "responder payoff");
    expect_mean_near(payoffs(runs, 2), find_form(forms, "E[judge payoff]")->value, "judge payoff");
  }
  // The closed form's numbers: M = 32, N = 4, k = 2: 1 - (30 29 28 27)/(32 31 30 29) = 0.2379.
  EXPECT_NEAR(retrieval_catch_probability(32, 2, 4), 1 - 756.0 / 992.0, 1e-12);
}

// The Response check catches a withheld positive whose proof says positive, a mismatched
// opening and invalid proofs in every run; a faking responder pays only for the proofs it
// made. Duplicates of genuine documents are never caught: the limitation corpus.hpp states.
TEST(RetrievalSim, ResponseChecksAlwaysCatchAndDuplicatesNever) {
  const std::uint64_t seed = test_seed(0xc4a7);
  const double zc = cost().prove_cost();
  struct Case {
    CaseSpec spec;
    std::string terminal;
    double responder_cost;
  };
  const Case cases[] = {
      {make_case("withhold-none", {}, {}, party("withhold", {{"disguise", "none"}})), "settled_responder_slashed",
       32 * zc},
      {make_case("mismatch", {}, {}, party("mismatch")), "settled_responder_slashed", 32 * zc},
      {make_case("mismatch-no-positives", {{"positive_rate", 0}}, {}, party("mismatch")), "settled_responder_slashed",
       32 * zc},
      {make_case("invalid-all", {}, {}, party("invalid_proofs")), "settled_responder_slashed", 0},
      {make_case("invalid-1", {}, {}, party("invalid_proofs", {{"invalid", 1}})), "settled_responder_slashed", 31 * zc},
      {make_case("duplicate-2", {}, {}, party("withhold", {{"withhold", 2}, {"disguise", "duplicate"}})),
       "settled_paid", 32 * zc},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.spec.name);
    auto sim = must_make(k.spec);
    ASSERT_TRUE(sim);
    const std::uint64_t n = k.spec.name == "duplicate-2" ? 300 : 25;
    const auto runs = run_many(*sim, k.spec.name, seed, 0, n);
    ASSERT_EQ(runs.size(), n);
    for (const RunOutcome& o : runs) {
      EXPECT_EQ(o.terminal, k.terminal);
      EXPECT_NEAR(o.cost[1], k.responder_cost, 1e-9);
    }
    const auto forms = retrieval_protocol().closed_forms(k.spec, cost());
    const ClosedForm* slashed = find_form(forms, "P(responder slashed)");
    ASSERT_TRUE(slashed);
    EXPECT_EQ(slashed->value, k.terminal == "settled_paid" ? 0.0 : 1.0);
    expect_mean_near(payoffs(runs, 1), find_form(forms, "E[responder payoff]")->value, k.spec.name + " responder");
    expect_mean_near(payoffs(runs, 2), find_form(forms, "E[judge payoff]")->value, k.spec.name + " judge");
  }
}

// A false dispute before the seed (a lie about proof 0) or after the openings (the abort
// deviation) is dismissed: the responder is paid in full; only the judge's audit is lost.
// Against a junk responder, the dispute before the seed throws away the sample.
TEST(RetrievalSim, GriefingRequesterIsDismissed) {
  const std::uint64_t seed = test_seed(0x9e1f);
  for (const char* at : {"responded", "opened"}) {
    SCOPED_TRACE(at);
    const CaseSpec c = make_case(std::string("grief-") + at, {}, party("grief", {{"at", at}}));
    auto sim = must_make(c);
    ASSERT_TRUE(sim);
    const auto runs = run_many(*sim, c.name, seed, 0, 20);
    ASSERT_EQ(runs.size(), 20u);
    const auto forms = retrieval_protocol().closed_forms(c, cost());
    for (const RunOutcome& o : runs) {
      EXPECT_EQ(o.terminal, "settled_paid");
      EXPECT_EQ(o.ledger_net[1], find_form(forms, "false dispute: the responder's net")->value);
      EXPECT_NEAR(o.cost[2], 32 * cost().verify_cost(), 1e-9);
    }
    const ClosedForm* ratio = find_form(forms, "false dispute: the judge's audit per unit the griefer spends");
    ASSERT_TRUE(ratio);
    EXPECT_TRUE(ratio->applies);
    EXPECT_EQ(ratio->observable, "ratio:payoff:judge/payoff:requester");
    double judge = 0, requester = 0;
    for (const RunOutcome& o : runs) {
      judge += o.payoff(2);
      requester += o.payoff(0);
    }
    EXPECT_NEAR(judge / requester, ratio->value, 1e-9);
    expect_mean_near(payoffs(runs, 2), find_form(forms, "false dispute: the judge's payoff")->value, "judge payoff");
  }
  const CaseSpec c = make_case("grief-junk", {}, party("grief"), party("junk", {{"junk", 8}}));
  auto sim = must_make(c);
  ASSERT_TRUE(sim);
  for (const RunOutcome& o : run_many(*sim, c.name, seed, 0, 20)) EXPECT_EQ(o.terminal, "settled_paid");
}

// Silence of each role from each stage on: every run ends in a terminal stage of the
// table, with conservation checked inside every run (finish_run); the stages that decide
// the outcome end where the table's timeouts lead.
TEST(RetrievalSim, SilenceAtEveryStageEndsInATerminal) {
  const std::uint64_t seed = test_seed(0x511e);
  const std::vector<std::string> stages = {"start", "funding", "proving", "responded", "sampled", "opened", "disputed"};
  // (role, stage, responder strategy) -> terminal, where it is decided.
  const std::map<std::tuple<int, std::string, std::string>, std::string> expected = {
      {{0, "start", "honest"}, "abandoned"},
      {{0, "funding", "honest"}, "unfunded"},
      {{0, "proving", "honest"}, "settled_paid"},
      {{0, "responded", "honest"}, "settled_paid"},
      {{0, "opened", "honest"}, "settled_paid"},
      {{1, "start", "honest"}, "abandoned"},
      {{1, "funding", "honest"}, "unfunded"},
      {{1, "proving", "honest"}, "settled_responder_slashed"},
      {{1, "responded", "honest"}, "settled_responder_slashed"},
      {{1, "sampled", "honest"}, "settled_responder_slashed"},
      {{1, "opened", "honest"}, "settled_paid"},
      {{2, "start", "honest"}, "settled_paid"},
      {{0, "responded", "mismatch"}, "settled_paid"},  // a silent requester never disputes
      {{2, "start", "mismatch"}, "settled_refund"},
      {{2, "disputed", "mismatch"}, "settled_refund"},
      {{1, "disputed", "mismatch"}, "settled_responder_slashed"},
  };
  int checked = 0;
  for (const char* strategy : {"honest", "mismatch"}) {
    for (int role = 0; role < 3; ++role) {
      for (const std::string& stage : stages) {
        const std::string name = std::string(strategy) + "/" + std::to_string(role) + "/" + stage;
        SCOPED_TRACE(name);
        PartySpec parties[3] = {party("honest"), party(strategy), party("honest")};
        parties[role].deviation.silent_at = stage;
        const CaseSpec c = make_case(name, {}, parties[0], parties[1], parties[2]);
        auto sim = must_make(c);
        ASSERT_TRUE(sim);
        const auto runs = run_many(*sim, name, seed, 0, 3);
        ASSERT_EQ(runs.size(), 3u);
        for (const RunOutcome& o : runs) {
          EXPECT_TRUE(is_terminal(o.terminal)) << o.terminal;
          auto it = expected.find({role, stage, strategy});
          if (it != expected.end()) {
            EXPECT_EQ(o.terminal, it->second);
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(3 * expected.size()));
}

// Aborts come from the generic deviation: a requester disputing as soon as the response is
// posted is dismissed; a judge upholding at once (colluding) slashes an honest responder.
TEST(RetrievalSim, AbortDeviations) {
  const std::uint64_t seed = test_seed(0xab07);
  PartySpec rq = party("abort");
  rq.deviation.abort_stage = "responded";
  rq.deviation.abort_transition = "dispute";
  PartySpec judge = party("abort");
  judge.deviation.abort_stage = "disputed";
  judge.deviation.abort_transition = "uphold";
  struct Case {
    CaseSpec spec;
    std::string terminal;
  };
  const Case cases[] = {{make_case("abort-dispute", {}, rq), "settled_paid"},
                        {make_case("collusion", {}, rq, {}, judge), "settled_responder_slashed"}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.spec.name);
    auto sim = must_make(k.spec);
    ASSERT_TRUE(sim);
    for (const RunOutcome& o : run_many(*sim, k.spec.name, seed, 0, 5)) EXPECT_EQ(o.terminal, k.terminal);
    const auto forms = retrieval_protocol().closed_forms(k.spec, cost());
    EXPECT_FALSE(find_form(forms, "E[responder payoff]")->applies);
  }
  PartySpec bad = party("abort");
  bad.deviation.abort_stage = "responded";
  bad.deviation.abort_transition = "dispute";
  EXPECT_NE(make_error(make_case("bad-abort", {}, {}, {}, bad)).find("taken by requester, not judge"),
            std::string::npos);
}

// A responder proving past the proving timeout is slashed by the timeout.
TEST(RetrievalSim, ProvingPastTheDeadlineIsSlashed) {
  const CaseSpec c = make_case("slow", {{"proving_timeout_ms", 60'000}});  // 32 x 3.2 s > 60 s
  auto sim = must_make(c);
  ASSERT_TRUE(sim);
  const auto runs = run_many(*sim, c.name, test_seed(0x510), 0, 5);
  for (const RunOutcome& o : runs) EXPECT_EQ(o.terminal, "settled_responder_slashed");
  const auto forms = retrieval_protocol().closed_forms(c, cost());
  EXPECT_EQ(find_form(forms, "P(responder slashed)")->value, 1.0);
  expect_mean_near(payoffs(runs, 1), find_form(forms, "E[responder payoff]")->value, "slow responder payoff");
  expect_mean_near(payoffs(runs, 0), find_form(forms, "E[requester payoff]")->value, "requester payoff");
}

TEST(RetrievalSim, BadOptionsNameTheField) {
  struct Case {
    CaseSpec spec;
    std::string expect;
  };
  PartySpec grief_abort = party("grief", {{"at", "opened"}});
  grief_abort.deviation.abort_stage = "responded";
  grief_abort.deviation.abort_transition = "dispute";
  const Case cases[] = {
      {make_case("a", {}, {}, party("withhold", {{"withold", 1}})), "responder: unknown field 'withold'"},
      {make_case("b", {}, {}, party("withhold", {{"withhold", 5}})), "responder.withhold: 5 is outside [1, 4]"},
      {make_case("c", {}, {}, party("withhold", {{"disguise", "shred"}})), "responder.disguise"},
      {make_case("d", {}, {}, party("withhold", {{"withhold", 2}, {"disguise", "none"}})), "responder.withhold"},
      {make_case("e", {{"positive_rate", 0}}, {}, party("withhold")), "responder.withhold"},
      {make_case("f", {}, {}, party("junk", {{"junk", 0}})), "responder.junk"},
      {make_case("g", {}, {}, party("junk", {{"junk", "two"}})), "responder.junk: expected an integer"},
      {make_case("h", {}, {}, party("junk", {{"invalid", 2}})), "responder: unknown field 'invalid'"},
      {make_case("i", {}, {}, party("invalid_proofs", {{"invalid", 33}})), "responder.invalid"},
      {make_case("j", {}, {}, party("lazy")), "responder.strategy: 'lazy'"},
      {make_case("k", {}, party("grief", {{"at", "sampled"}})), "requester.at"},
      {make_case("l", {}, party("honest", {{"at", "opened"}})), "requester: unknown field 'at'"},
      {make_case("m", {}, party("sybil")), "requester.strategy"},
      {make_case("n", {}, grief_abort), "requester.at"},
      {make_case("o", {}, {}, {}, party("grief")), "judge.strategy"},
      {make_case("p", {{"audit_sample", 33}}), "params.audit_sample: 33 is outside [1, 32]"},
      {make_case("q", {{"z", "free"}}), "params.z"},
      {make_case("r", {{"positive_rate", 1.5}}), "params.positive_rate"},
      {make_case("s", {{"corpus", 3}}), "params: unknown field 'corpus'"},
      {make_case("t", {{"bond", 0}}), "params.bond"},
      {make_case("u", {{"eps", 1.5}}), "params.eps"},
      {make_case("v", {{"corpus_size", 0}}), "params.corpus_size"},
      {make_case("w", {{"judge_timeout_ms", 0}}), "params.judge_timeout_ms"},
      {make_case("x", {{"delta", 1}}), "params.delta"},
  };
  for (const Case& k : cases) {
    const std::string err = make_error(k.spec);
    EXPECT_NE(err.find(k.expect), std::string::npos) << k.spec.name << ": " << err;
    EXPECT_NE(err.find("case '" + k.spec.name + "'"), std::string::npos) << err;
    EXPECT_FALSE(retrieval_protocol().rules(k.spec).ok() && k.expect.rfind("params", 0) == 0) << k.spec.name;
  }
  // A deviation naming no stage of the table.
  EXPECT_NE(make_error(make_case("y", {}, silent("paying"))).find("timeout_at names no stage"), std::string::npos);
}

// The same seed gives the same runs, whichever runs a worker played before (a fresh
// simulator playing only the later indices agrees with one that played them all).
TEST(RetrievalSim, SameSeedSameRuns) {
  const std::uint64_t seed = test_seed(0xde7);
  const CaseSpec c = make_case("det", {}, {}, party("junk", {{"junk", 6}}));
  auto a = must_make(c);
  auto b = must_make(c);
  ASSERT_TRUE(a && b);
  const auto all = run_many(*a, c.name, seed, 0, 40);
  const auto later = run_many(*b, c.name, seed, 20, 20);
  ASSERT_EQ(all.size(), 40u);
  ASSERT_EQ(later.size(), 20u);
  std::set<std::string> terminals;
  for (std::size_t i = 0; i < 20; ++i) {
    const RunOutcome& x = all[20 + i];
    const RunOutcome& y = later[i];
    EXPECT_EQ(x.terminal, y.terminal);
    EXPECT_EQ(x.ledger_net, y.ledger_net);
    EXPECT_EQ(x.cost, y.cost);
    EXPECT_EQ(x.fees, y.fees);
    EXPECT_EQ(x.duration_ms, y.duration_ms);
    EXPECT_EQ(x.escrow_ops, y.escrow_ops);
  }
  for (const RunOutcome& o : all) terminals.insert(o.terminal);
  EXPECT_EQ(terminals.size(), 2u) << "the per-run seed varies the sample";
}

// The scenario file loads through the simulator's loader (which builds every case);
// every case, simulated by the Monte Carlo driver, agrees with each of its closed forms
// that applies, as the report reads them (report.hpp observe/agrees); every sweep value
// builds.
TEST(RetrievalSim, ScenarioFileAgreesWithItsClosedForms) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "scenarios" / "retrieval.json";
  auto s = load_scenario(path.string());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->protocol, "retrieval");
  EXPECT_EQ(s->baseline, "honest");
  ASSERT_GE(s->cases.size(), 8u);
  const ProtocolInfo info = retrieval_protocol();
  int compared = 0;
  for (const CaseSpec& c : s->cases) {
    SCOPED_TRACE(c.name);
    auto r = simulate_case(info, c, s->cost, MonteCarloOptions{100, s->seed, 1});
    ASSERT_TRUE(r.ok()) << r.error().message;
    for (const auto& [terminal, n] : r->terminals) EXPECT_TRUE(is_terminal(terminal)) << terminal;
    ASSERT_FALSE(r->closed_forms.empty());
    for (const ClosedForm& f : r->closed_forms) {
      if (!f.applies || f.observable == "none") continue;
      const Observed o = observe(*r, f.observable);
      EXPECT_TRUE(agrees(f, o)) << f.name << ": " << f.value << " vs " << o.value << " [" << o.low << ", " << o.high
                                << "]";
      ++compared;
    }
    for (const Sweep& axis : s->sweep) {
      for (const nlohmann::json& v : axis.values) {
        auto w = info.make(with_param(c, axis.param, v), s->cost);
        EXPECT_TRUE(w.ok()) << axis.param << " = " << v.dump() << ": " << w.error().message;
      }
    }
  }
  std::printf("%d closed forms compared with the simulation\n", compared);
  EXPECT_GT(compared, 40);
}

// The rate the issue asks for (>= 100,000 runs in 60 s on two cores) needs about 1 ms per
// run per core; this reports it (no timed assertion).
TEST(RetrievalSim, Throughput) {
  const std::pair<CaseSpec, std::uint64_t> cases[] = {
      {make_case("rate-honest"), 500}, {make_case("rate-64", {{"corpus_size", 64}, {"audit_sample", 8}}), 100}};
  for (const auto& [c, n] : cases) {
    auto sim = must_make(c);
    ASSERT_TRUE(sim);
    const auto t0 = std::chrono::steady_clock::now();
    const auto runs = run_many(*sim, c.name, 7, 0, n);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(runs.size(), n);
    std::printf("%-12s %.0f us per run, %.0f runs/s on one core\n", c.name.c_str(), 1e6 * secs / n, n / secs);
  }
}

}  // namespace
}  // namespace verdict::sim
