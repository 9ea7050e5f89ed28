#pragma once
// Scenario files (sim/scenarios/*.json; docs/formats.md "Simulator scenarios"): a
// protocol, its parameters, the cost model, and cases, each a strategy per role:
//
//   {"name": "...", "protocol": "accuracy" | "serving" | "retrieval", "description": "...",
//    "runs": 20000, "seed": 1, "cost": {"model": "fashion_mnist", ...},
//    "escrow": "engine" | "ledger",         // the escrow backend (virtual_escrow.hpp)
//    "params": {...},                       // every case's parameters
//    "baseline": "honest",                  // the case grief ratios are measured against
//    "cases": [{"name": "...", "params": {...overrides...},
//               "parties": {"<role>": {"strategy": "...", "timeout_at": STAGE,
//                                      "abort_at": STAGE, "abort_with": TRANSITION,
//                                      "owner": "...", <the protocol's options>}}}],
//    "sweep": [{"param": "<a params key>", "values": [...]}, ...]}
//
// A sweep is a grid: every combination of the listed parameters' values (the first
// varies fastest), each simulated for every case (sweep.hpp). One axis may be given as a
// single object instead of a list.
//
// Omitted parties are honest. "timeout_at" makes the party go silent when the instance
// enters STAGE ("start": never starts); "abort_at"/"abort_with" make it take
// TRANSITION as soon as the instance enters STAGE. Strategy names and options are the
// protocol's (sim/<protocol>_sim.hpp); every case is checked when the file is loaded
// (an Error names the case, the role and the field).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "sim/cost_model.hpp"
#include "sim/protocol_sim.hpp"

namespace verdict::sim {

struct Sweep {
  std::string param;
  std::vector<nlohmann::json> values;
};

struct Scenario {
  std::string name;
  std::string protocol;
  std::string description;
  std::uint64_t runs = 10'000;
  std::uint64_t seed = 1;
  CostModel cost;
  std::string baseline;          // a case name, or "" (no grief ratios)
  std::vector<CaseSpec> cases;   // parameters merged: scenario params, then the case's
  std::vector<Sweep> sweep;  // the grid's axes; empty: no sweep
};

inline constexpr std::uint64_t kMaxRuns = kMaxRunsPerCase;
inline constexpr std::size_t kMaxCases = 256;
inline constexpr std::size_t kMaxSweepValues = 256;
inline constexpr std::size_t kMaxSweepPoints = 4096;
inline constexpr std::size_t kMaxScenarioBytes = 1u << 20;
inline constexpr int kMaxScenarioDepth = 32;

// How parse_scenario treats the cases: kChecked checks every case with the protocol
// (check_case) so bad parameters or strategies are refused here, before any run;
// kStructureOnly leaves that to the caller, who must check each case before running it
// (`verdict sim --real-proofs` does, once the cases carry their RealProofs, which
// change what is valid).
enum class CaseChecks { kChecked, kStructureOnly };

// Parses a scenario; errors name the field.
Result<Scenario> parse_scenario(const nlohmann::json& j, CaseChecks checks = CaseChecks::kChecked);
// The bytes of a scenario file: at most kMaxScenarioBytes, nested at most
// kMaxScenarioDepth deep, valid JSON, then parse_scenario.
Result<Scenario> parse_scenario_text(std::string_view text, CaseChecks checks = CaseChecks::kChecked);
Result<Scenario> load_scenario(const std::string& path, CaseChecks checks = CaseChecks::kChecked);

// One party object of a case ("strategy", "timeout_at", "abort_at" + "abort_with",
// "owner", and the protocol's options); errors name `where`.
Result<PartySpec> parse_party(const nlohmann::json& j, const std::string& where);

// The case with params[param] = value (for a sweep).
CaseSpec with_param(const CaseSpec& c, const std::string& param, const nlohmann::json& value);
// Checks a sweep axis against the scenario (every case builds at every value) and
// appends it; errors name the parameter and value.
Status add_sweep_axis(Scenario& scenario, Sweep axis);

}  // namespace verdict::sim
