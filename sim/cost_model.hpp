#pragma once
// What proving, verifying and inspecting cost a party, off the ledger, in ledger units.
//
// The figures are our own measurements on the 2-vCPU development machine
// (docs/benchmarks.md, "Issue 4"; the command is recorded in `source`): seconds per
// proof, per verification and per inference of the model. A machine's price turns
// seconds into money: cost = seconds * vcpus * usd_per_vcpu_hour / 3600 * units_per_usd.
// The simulator charges these costs to the party that does the work (MP proving and
// inspecting, MC and verifier verifying) and advances virtual time by the work's
// duration, so a proving time beyond the protocol's deadline times the prover out.

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "base/result.hpp"

namespace verdict::sim {

struct CostModel {
  std::string model = "fashion_mnist";
  std::string source;              // where the seconds were measured
  double prove_seconds = 0;        // one proof (hidden weights and input)
  double verify_seconds = 0;       // one verification
  double inference_seconds = 0;    // one integer inference (inspecting an example)
  double vcpus = 2;                // the machine the seconds were measured on
  double usd_per_vcpu_hour = 0;    // its price
  double units_per_usd = 0;        // ledger units per dollar

  double usd_per_second() const { return vcpus * usd_per_vcpu_hour / 3600.0; }
  double prove_cost() const { return prove_seconds * usd_per_second() * units_per_usd; }
  double verify_cost() const { return verify_seconds * usd_per_second() * units_per_usd; }
  double inference_cost() const { return inference_seconds * usd_per_second() * units_per_usd; }
  double prove_usd() const { return prove_seconds * usd_per_second(); }
};

// The measured presets: "fashion_mnist" (the shipped CNN) and "mobilenet_v2_0.35_96".
Result<CostModel> cost_preset(const std::string& model);
// {"model": preset, and any field above to override it}; every number must be >= 0
// (vcpus, units_per_usd > 0).
Result<CostModel> parse_cost_model(const nlohmann::json& j);
nlohmann::json to_json(const CostModel& c);

}  // namespace verdict::sim
