#pragma once
// Helpers the protocol adapters' tests share (test code only).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/monte_carlo.hpp"
#include "sim/scenario.hpp"

namespace verdict::sim::testing {

// A case of `protocol`: `params` merged over `base`, and one party per role from its
// JSON object (as a scenario file writes it; anything else leaves the role honest).
inline CaseSpec case_from_json(const std::string& protocol, const std::string& name, nlohmann::json base,
                               const nlohmann::json& params, const std::vector<nlohmann::json>& parties) {
  CaseSpec c;
  c.name = name;
  c.protocol = protocol;
  c.params = std::move(base);
  if (params.is_object()) {
    for (const auto& [k, v] : params.items()) c.params[k] = v;
  }
  c.parties.resize(parties.size());
  for (std::size_t r = 0; r < parties.size(); ++r) {
    if (!parties[r].is_object()) continue;
    auto parsed = parse_party(parties[r], "test party");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    if (parsed.ok()) c.parties[r] = *parsed;
  }
  return c;
}

// The case's closed form named `name` (a test failure, and null, if there is none).
inline const ClosedForm* form(const CaseResult& r, const std::string& name) {
  for (const ClosedForm& f : r.closed_forms) {
    if (f.name == name) return &f;
  }
  ADD_FAILURE() << "no closed form '" << name << "' in case " << r.spec.name;
  return nullptr;
}

}  // namespace verdict::sim::testing
