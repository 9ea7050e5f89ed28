#pragma once
// Reports of a scenario's simulation (docs/simulator.md shows one):
//   - per case: the terminal stages, and per role the expected payoff (ledger net minus
//     work cost) with its 95% interval, the ledger net, the work cost, how often the
//     role came out ahead, its best and worst run;
//   - validity: did a party that deviated from the protocol ever come out ahead, and does
//     it in expectation; viability: do the honest parties profit;
//   - grief ratios against the scenario's baseline case: each honest victim's loss over
//     the deviating parties' loss (both relative to the baseline);
//   - the protocol's closed forms beside the simulated value (99.9% interval) and
//     whether they agree, where they apply;
//   - the paper's Tables 3 and 4 with the cost per sample from our own proving cost;
//   - with a sweep, the expected payoffs over the grid, and SVG plots of them.
// Files (write_reports): report.txt, report.json, cases.csv, closed_forms.csv,
// tables.csv, and with a sweep sweep.csv and plots/*.svg. Nothing in them depends on
// the wall clock or the thread count: the same scenario and seed give the same bytes.

#include <string>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "sim/sweep.hpp"

namespace verdict::sim {

// A simulated counterpart of a closed form (ClosedForm::observable), with its interval
// at kAgreementConfidence.
struct Observed {
  bool available = false;
  double value = 0;
  double low = 0;
  double high = 0;
  // Every sampled run gave the same value: the interval has no width, and a closed form
  // that differs may only be weighting outcomes too rare to have been sampled.
  bool no_variation = false;
};
Observed observe(const CaseResult& result, const std::string& observable);
// The closed form applies and lies in the observed interval (up to 1e-6 relative).
bool agrees(const ClosedForm& form, const Observed& observed);
enum class Agreement { kAgrees, kDisagrees, kInconclusive, kNotTested };
// kNotTested: the form does not apply or nothing is observed; kInconclusive: it differs
// from a sample without variation.
Agreement agreement(const ClosedForm& form, const Observed& observed);
const char* agreement_name(Agreement a);

std::string text_report(const ScenarioResult& result);
nlohmann::json json_report(const ScenarioResult& result);
std::string cases_csv(const ScenarioResult& result);
std::string closed_forms_csv(const ScenarioResult& result);
std::string tables_csv(const CostModel& cost);
std::string sweep_csv(const ScenarioResult& result);

// Writes every report file into `dir` (created if missing).
Status write_reports(const ScenarioResult& result, const std::string& dir);

}  // namespace verdict::sim
