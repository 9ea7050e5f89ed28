#include "sim/cost_model.hpp"

#include <nlohmann/json.hpp>

namespace verdict::sim {

Result<CostModel> cost_preset(const std::string& model) {
  CostModel c;
  c.model = model;
  // The price: on-demand compute-optimised instances (c7i, us-east-1, 2026) cost about
  // $0.0446 per vCPU-hour; ledger units are nano-dollars (so that one inference, about
  // 15 units, is not rounded away). Both are scenario parameters.
  c.vcpus = 2;
  c.usd_per_vcpu_hour = 0.0446;
  c.units_per_usd = 1e9;
  if (model == "fashion_mnist") {
    // docs/benchmarks.md "Issue 4": build/release/bin/nn_prove_bench fm.model --runs 2
    // (prove 2.68-3.20 s, verify 6.7-9.1 ms: the upper ends). Inference: the integer
    // reference run of the same CNN: `build/release/bin/nn_inference_bench fm.vnnm` (docs/benchmarks.md "Issue 8",
    // 0.53 ms CPU).
    c.source = "nn_prove_bench fm.model (docs/benchmarks.md, Issue 4); nn_inference_bench fm.vnnm (Issue 8)";
    c.prove_seconds = 3.20;
    c.verify_seconds = 0.0091;
    c.inference_seconds = 0.0006;
  } else if (model == "mobilenet_v2_0.35_96") {
    // docs/benchmarks.md "Issue 4": nn_prove_bench mnv2.model (prove 66.0 s, verify 9.6 ms,
    // witness generation, i.e. one inference, 0.27 s).
    c.source = "nn_prove_bench mnv2.model (docs/benchmarks.md, Issue 4)";
    c.prove_seconds = 66.0;
    c.verify_seconds = 0.0096;
    c.inference_seconds = 0.27;
  } else {
    return Error{"unknown cost model '" + model + "' (fashion_mnist, mobilenet_v2_0.35_96)"};
  }
  return c;
}

Result<CostModel> parse_cost_model(const nlohmann::json& j) {
  if (!j.is_object()) return Error{"cost: expected an object"};
  std::string model = "fashion_mnist";
  if (j.contains("model")) {
    if (!j["model"].is_string()) return Error{"cost.model: expected a string"};
    model = j["model"].get<std::string>();
  }
  auto c = cost_preset(model);
  if (!c.ok()) return c.error().context("cost.model");
  struct Field {
    const char* name;
    double* value;
    bool positive;
  };
  const Field fields[] = {{"prove_seconds", &c->prove_seconds, false},
                          {"verify_seconds", &c->verify_seconds, false},
                          {"inference_seconds", &c->inference_seconds, false},
                          {"vcpus", &c->vcpus, true},
                          {"usd_per_vcpu_hour", &c->usd_per_vcpu_hour, false},
                          {"units_per_usd", &c->units_per_usd, true}};
  for (const auto& [key, value] : j.items()) {
    if (key == "model") continue;
    const Field* f = nullptr;
    for (const Field& x : fields) {
      if (key == x.name) f = &x;
    }
    if (!f) return Error{"cost: unknown field '" + key + "'"};
    if (!value.is_number()) return Error{"cost." + key + ": expected a number"};
    const double v = value.get<double>();
    if (!(v >= 0) || (f->positive && !(v > 0)) || v > 1e15)
      return Error{"cost." + key + ": " + value.dump() + " is out of range"};
    *f->value = v;
    c->source += "; " + key + " set by the scenario";
  }
  return c;
}

nlohmann::json to_json(const CostModel& c) {
  return {{"model", c.model},
          {"source", c.source},
          {"prove_seconds", c.prove_seconds},
          {"verify_seconds", c.verify_seconds},
          {"inference_seconds", c.inference_seconds},
          {"vcpus", c.vcpus},
          {"usd_per_vcpu_hour", c.usd_per_vcpu_hour},
          {"units_per_usd", c.units_per_usd},
          {"prove_cost_units", c.prove_cost()},
          {"verify_cost_units", c.verify_cost()},
          {"inference_cost_units", c.inference_cost()}};
}

}  // namespace verdict::sim
