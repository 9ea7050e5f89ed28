#include "sim/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace verdict::sim {
namespace {

Result<std::string> string_field(const nlohmann::json& j, const std::string& where, const std::string& key,
                                 const std::string& fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string()) return Error{where + "." + key + ": expected a string, got " + j[key].dump()};
  return j[key].get<std::string>();
}


}  // namespace

Result<PartySpec> parse_party(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return Error{where + ": expected an object"};
  PartySpec p;
  p.options = nlohmann::json::object();
  for (const auto& [key, value] : j.items()) {
    const bool generic = key == "strategy" || key == "timeout_at" || key == "abort_at" || key == "abort_with" ||
                         key == "owner";
    if (!generic) {
      p.options[key] = value;
      continue;
    }
    if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 64)
      return Error{where + "." + key + ": expected a non-empty string of at most 64 characters, got " + value.dump()};
  }
  auto strategy = string_field(j, where, "strategy", "honest");
  auto silent = string_field(j, where, "timeout_at", "");
  auto abort_at = string_field(j, where, "abort_at", "");
  auto abort_with = string_field(j, where, "abort_with", "");
  auto owner = string_field(j, where, "owner", "");
  p.strategy = *strategy;
  p.deviation.silent_at = *silent;
  p.deviation.abort_stage = *abort_at;
  p.deviation.abort_transition = *abort_with;
  p.owner = *owner;
  if (abort_at->empty() != abort_with->empty())
    return Error{where + ": abort_at and abort_with go together"};
  if (p.strategy == "timeout" && silent->empty()) return Error{where + ": strategy 'timeout' needs timeout_at"};
  if (p.strategy == "abort" && abort_at->empty()) return Error{where + ": strategy 'abort' needs abort_at and abort_with"};
  if (p.strategy == "honest" && (!silent->empty() || !abort_at->empty()))
    return Error{where + ": an honest party neither times out nor aborts (name the strategy)"};
  return p;
}

namespace {

// A case's "sybil" object (protocol_sim.hpp SybilSpec); errors name `where`.
Result<SybilSpec> parse_sybil(const nlohmann::json& j, const ProtocolInfo& info, const CaseSpec& c,
                              const std::string& where) {
  if (!j.is_object()) return Error{where + ": expected an object"};
  if (Status s = only_fields(j, where, {"role", "identities", "until"}); !s.ok()) return s.error();
  SybilSpec out;
  auto role = string_field(j, where, "role", "");
  if (!role.ok()) return role.error();
  const auto it = std::find(info.roles.begin(), info.roles.end(), *role);
  if (it == info.roles.end()) return Error{where + ".role: '" + *role + "' is not a role of " + info.name};
  out.role = static_cast<std::size_t>(it - info.roles.begin());
  if (!j.contains("identities"))
    return Error{where + ".identities: required (2 to " + std::to_string(kMaxSybilIdentities) + ")"};
  auto k = integer_field(j, where, "identities", 2, 2, kMaxSybilIdentities);
  if (!k.ok()) return k.error();
  out.identities = static_cast<std::uint32_t>(*k);
  auto until = string_field(j, where, "until", "");
  if (!until.ok()) return until.error();
  if (!until->empty()) {
    auto rules = info.rules(c);
    if (!rules.ok()) return rules.error().context(where);
    bool terminal = false;
    for (const escrow::Stage& st : rules->stages) terminal = terminal || (st.terminal && st.name == *until);
    if (!terminal) return Error{where + ".until: '" + *until + "' is no terminal stage of " + rules->name};
    out.until = *until;
  }
  return out;
}

}  // namespace

Result<Scenario> parse_scenario(const nlohmann::json& j, CaseChecks checks) {
  if (!j.is_object()) return Error{"scenario: expected a JSON object"};
  if (Status s = only_fields(j, "scenario",
                             {"name", "protocol", "description", "runs", "seed", "cost", "params", "baseline", "cases",
                              "sweep", "escrow"});
      !s.ok())
    return s.error();
  Scenario sc;
  auto name = string_field(j, "scenario", "name", "");
  auto protocol = string_field(j, "scenario", "protocol", "");
  auto description = string_field(j, "scenario", "description", "");
  auto baseline = string_field(j, "scenario", "baseline", "");
  auto backend = string_field(j, "scenario", "escrow", "engine");
  for (auto* r : {&name, &protocol, &description, &baseline, &backend}) {
    if (!r->ok()) return r->error();
  }
  if (name->empty()) return Error{"scenario.name: required"};
  sc.name = *name;
  sc.description = *description;
  sc.baseline = *baseline;
  if (*backend != "engine" && *backend != "ledger")
    return Error{"scenario.escrow: \"engine\" or \"ledger\", got \"" + *backend + "\""};
  const auto escrow_backend = *backend == "ledger" ? VirtualEscrow::Backend::kLedger : VirtualEscrow::Backend::kEngine;
  auto info = protocol_info(*protocol);
  if (!info.ok()) return info.error().context("scenario.protocol");
  sc.protocol = *protocol;
  auto runs = integer_field(j, "scenario", "runs", 10'000, 1, static_cast<std::int64_t>(kMaxRuns));
  auto seed = integer_field(j, "scenario", "seed", 1, 0, INT64_MAX);
  if (!runs.ok()) return runs.error();
  if (!seed.ok()) return seed.error();
  sc.runs = static_cast<std::uint64_t>(*runs);
  sc.seed = static_cast<std::uint64_t>(*seed);
  auto cost = parse_cost_model(j.contains("cost") ? j["cost"] : nlohmann::json::object());
  if (!cost.ok()) return cost.error().context("scenario");
  sc.cost = *cost;
  const nlohmann::json params = j.contains("params") ? j["params"] : nlohmann::json::object();
  if (!params.is_object()) return Error{"scenario.params: expected an object"};

  if (!j.contains("cases") || !j["cases"].is_array() || j["cases"].empty())
    return Error{"scenario.cases: expected a non-empty array"};
  if (j["cases"].size() > kMaxCases) return Error{"scenario.cases: more than " + std::to_string(kMaxCases)};
  for (std::size_t i = 0; i < j["cases"].size(); ++i) {
    const nlohmann::json& cj = j["cases"][i];
    const std::string where = "scenario.cases[" + std::to_string(i) + "]";
    if (Status s = only_fields(cj, where, {"name", "params", "parties", "sybil"}); !s.ok()) return s.error();
    CaseSpec c;
    auto cname = string_field(cj, where, "name", "");
    if (!cname.ok()) return cname.error();
    if (cname->empty()) return Error{where + ".name: required"};
    for (const CaseSpec& other : sc.cases) {
      if (other.name == *cname) return Error{where + ".name: '" + *cname + "' twice"};
    }
    c.name = *cname;
    c.protocol = sc.protocol;
    c.escrow = escrow_backend;
    c.params = params;
    if (cj.contains("params")) {
      if (!cj["params"].is_object()) return Error{where + ".params: expected an object"};
      for (const auto& [k, v] : cj["params"].items()) c.params[k] = v;
    }
    c.parties.resize(info->roles.size());
    if (cj.contains("parties")) {
      const nlohmann::json& pj = cj["parties"];
      if (Status s = only_fields(pj, where + ".parties", info->roles); !s.ok()) return s.error();
      for (std::size_t r = 0; r < info->roles.size(); ++r) {
        if (!pj.contains(info->roles[r])) continue;
        auto party = parse_party(pj[info->roles[r]], where + ".parties." + info->roles[r]);
        if (!party.ok()) return party.error();
        c.parties[r] = std::move(*party);
      }
    }
    // Parameters and strategies are checked by the protocol itself.
    if (checks == CaseChecks::kChecked) {
      if (Status st = check_case(*info, c, sc.cost); !st.ok()) return st.error().context(where);
    }
    if (cj.contains("sybil")) {
      auto sybil = parse_sybil(cj["sybil"], *info, c, where + ".sybil");
      if (!sybil.ok()) return sybil.error();
      c.sybil = *sybil;
      if (sc.runs > kMaxRuns / c.sybil.identities)
        return Error{where + ".sybil.identities: runs x identities (" + std::to_string(sc.runs) + " x " +
                     std::to_string(c.sybil.identities) + ") above " + std::to_string(kMaxRuns)};
    }
    sc.cases.push_back(std::move(c));
  }
  if (!sc.baseline.empty()) {
    bool found = false;
    for (const CaseSpec& c : sc.cases) found = found || c.name == sc.baseline;
    if (!found) return Error{"scenario.baseline: no case named '" + sc.baseline + "'"};
  }
  if (j.contains("sweep")) {
    const nlohmann::json axes = j["sweep"].is_array() ? j["sweep"] : nlohmann::json::array({j["sweep"]});
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const nlohmann::json& sj = axes[i];
      const std::string where = "scenario.sweep[" + std::to_string(i) + "]";
      if (Status s = only_fields(sj, where, {"param", "values"}); !s.ok()) return s.error();
      auto param = string_field(sj, where, "param", "");
      if (!param.ok()) return param.error();
      if (param->empty()) return Error{where + ".param: required"};
      if (!sj.contains("values") || !sj["values"].is_array()) return Error{where + ".values: expected an array"};
      Sweep axis{*param, {}};
      for (const auto& v : sj["values"]) axis.values.push_back(v);
      if (Status s = add_sweep_axis(sc, std::move(axis)); !s.ok()) return s.error().context(where);
    }
  }
  return sc;
}

Result<Scenario> parse_scenario_text(std::string_view text, CaseChecks checks) {
  if (text.size() > kMaxScenarioBytes) return Error{"a scenario file is at most 1 MiB"};
  // The JSON parser recurses per level: refuse deep nesting before parsing.
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') in_string = true;
    if (ch == '[' || ch == '{') {
      if (++depth > kMaxScenarioDepth) return Error{"JSON nested deeper than " + std::to_string(kMaxScenarioDepth)};
    }
    if (ch == ']' || ch == '}') --depth;
  }
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Error{"not valid JSON"};
  return parse_scenario(j, checks);
}

Result<Scenario> load_scenario(const std::string& path, CaseChecks checks) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read scenario file " + path};
  std::stringstream buf;
  buf << in.rdbuf();
  auto sc = parse_scenario_text(buf.str(), checks);
  if (!sc.ok()) return sc.error().context(path);
  return sc;
}

Status add_sweep_axis(Scenario& sc, Sweep axis) {
  if (axis.values.empty() || axis.values.size() > kMaxSweepValues)
    return Error{"sweep " + axis.param + ": 1 to " + std::to_string(kMaxSweepValues) + " values"};
  for (const Sweep& other : sc.sweep) {
    if (other.param == axis.param) return Error{"sweep " + axis.param + ": the parameter is swept twice"};
  }
  std::size_t points = axis.values.size();
  for (const Sweep& other : sc.sweep) points *= other.values.size();
  if (points > kMaxSweepPoints) return Error{"sweep: more than " + std::to_string(kMaxSweepPoints) + " grid points"};
  auto info = protocol_info(sc.protocol);
  if (!info.ok()) return info.error();
  for (const auto& v : axis.values) {
    if (!v.is_number() && !v.is_string()) return Error{"sweep " + axis.param + ": numbers or strings, got " + v.dump()};
    for (const CaseSpec& c : sc.cases) {
      if (Status st = check_case(*info, with_param(c, axis.param, v), sc.cost); !st.ok())
        return st.error().context("sweep " + axis.param + " = " + v.dump());
    }
  }
  sc.sweep.push_back(std::move(axis));
  return {};
}

CaseSpec with_param(const CaseSpec& c, const std::string& param, const nlohmann::json& value) {
  CaseSpec out = c;
  out.params[param] = value;
  return out;
}

}  // namespace verdict::sim
