#include "sim/sweep.hpp"

namespace verdict::sim {

Result<ScenarioResult> run_scenario(const Scenario& scenario, const MonteCarloOptions& options) {
  auto info = protocol_info(scenario.protocol);
  if (!info.ok()) return info.error();
  ScenarioResult out;
  out.scenario = scenario;
  for (const CaseSpec& c : scenario.cases) {
    auto r = simulate_case(*info, c, scenario.cost, options);
    if (!r.ok()) return r.error();
    out.total_runs += r->runs;
    out.cases.push_back(std::move(*r));
  }
  if (scenario.sweep.empty()) return out;
  std::size_t points = 1;
  for (const Sweep& axis : scenario.sweep) points *= axis.values.size();
  for (std::size_t p = 0; p < points; ++p) {
    GridPoint point;
    std::size_t rest = p;
    for (const Sweep& axis : scenario.sweep) {
      point.values.push_back(axis.values[rest % axis.values.size()]);
      rest /= axis.values.size();
    }
    for (const CaseSpec& c : scenario.cases) {
      CaseSpec at = c;
      for (std::size_t a = 0; a < scenario.sweep.size(); ++a) at = with_param(at, scenario.sweep[a].param, point.values[a]);
      auto r = simulate_case(*info, at, scenario.cost, options);
      if (!r.ok()) return r.error();
      out.total_runs += r->runs;
      point.cases.push_back(std::move(*r));
    }
    out.grid.push_back(std::move(point));
  }
  return out;
}

}  // namespace verdict::sim
