#pragma once
// Runs a scenario: every case through the Monte Carlo (monte_carlo.hpp), then, if the
// scenario has a sweep, every case again at every point of the sweep's grid.

#include <vector>

#include "sim/monte_carlo.hpp"
#include "sim/scenario.hpp"

namespace verdict::sim {

struct GridPoint {
  std::vector<nlohmann::json> values;  // one per sweep axis, in axis order
  std::vector<CaseResult> cases;       // in the scenario's case order
};

struct ScenarioResult {
  Scenario scenario;
  std::vector<CaseResult> cases;
  std::vector<GridPoint> grid;  // empty without a sweep
  std::uint64_t total_runs = 0;
};

// options.runs and options.seed are the scenario's unless the caller overrides them.
Result<ScenarioResult> run_scenario(const Scenario& scenario, const MonteCarloOptions& options);

}  // namespace verdict::sim
