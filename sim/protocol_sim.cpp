#include "sim/protocol_sim.hpp"

#include <algorithm>
#include <cmath>

#include "escrow/codec/sha256.hpp"

namespace verdict::sim {

Status check_deviations(const escrow::RuleSet& rules, const CaseSpec& c, const std::vector<std::string>& roles) {
  if (c.parties.size() != roles.size())
    return Error{"case '" + c.name + "': " + std::to_string(c.parties.size()) + " parties for " +
                 std::to_string(roles.size()) + " roles"};
  auto stage_index = [&](const std::string& name) -> int {
    for (std::size_t i = 0; i < rules.stages.size(); ++i) {
      if (rules.stages[i].name == name) return static_cast<int>(i);
    }
    return -1;
  };
  for (std::size_t r = 0; r < roles.size(); ++r) {
    const Deviation& d = c.parties[r].deviation;
    const std::string where = "case '" + c.name + "', " + roles[r];
    if (!d.silent_at.empty() && d.silent_at != "start" && d.silent_at != "funding" && stage_index(d.silent_at) < 0)
      return Error{where + ": timeout_at names no stage of " + rules.name + ": '" + d.silent_at + "'"};
    if (d.abort_stage.empty()) continue;
    const int s = stage_index(d.abort_stage);
    if (s < 0) return Error{where + ": abort_at names no stage of " + rules.name + ": '" + d.abort_stage + "'"};
    const escrow::Transition* t = escrow::find_action(rules, static_cast<std::size_t>(s), d.abort_transition);
    if (!t) return Error{where + ": no transition '" + d.abort_transition + "' out of stage '" + d.abort_stage + "'"};
    if (t->actor != r)
      return Error{where + ": transition '" + d.abort_transition + "' is taken by " + rules.roles[t->actor] + ", not " +
                   roles[r]};
  }
  return {};
}

std::vector<ClosedForm> sybil_closed_forms(std::vector<ClosedForm> single, const SybilSpec& sybil) {
  if (!sybil.active()) return single;
  const double k = sybil.identities;
  const std::string ks = std::to_string(sybil.identities);
  std::vector<ClosedForm> out;
  for (ClosedForm& f : single) {
    if (f.whole_run) {
      out.push_back(std::move(f));
      continue;
    }
    const bool money = f.observable.rfind("payoff:", 0) == 0 || f.observable.rfind("ledger_net:", 0) == 0;
    if (sybil.until.empty()) {
      if (money) {  // one instance per identity, all played
        f.name = ks + " identities: " + f.name;
        f.formula = ks + " x (" + f.formula + ")";
        f.value *= k;
      }
      out.push_back(std::move(f));
      continue;
    }
    if (f.observable == "rate:" + sybil.until && f.applies) {
      const double p = f.value;
      const double reached = -std::expm1(k * std::log1p(-std::min(p, 1.0)));  // 1 - (1 - p)^k
      out.push_back({"P(one of " + ks + " identities reaches " + sybil.until + ")",
                     "1 - (1 - p)^k, p = " + f.name + " = " + f.formula, reached, f.observable, true,
                     "identities play one after another until one reaches " + sybil.until, false, true});
      out.push_back({"E[identities played]", "(1 - (1 - p)^k) / p (k when p = 0)", p > 0 ? reached / p : k,
                     "identities", true, "", false, true});
    }
    if (f.observable == "none") {  // a figure with nothing simulated beside it (an amount, a bound)
      out.push_back(std::move(f));
      continue;
    }
    f.applies = false;
    f.compare = false;
    f.note = "one instance's figure; this case plays up to " + ks + " identities until " + sybil.until +
             (f.note.empty() ? "" : " (" + f.note + ")");
    out.push_back(std::move(f));
  }
  return out;
}

Result<double> number_field(const nlohmann::json& j, const std::string& where, const std::string& key,
                            double fallback, double min, double max) {
  if (!j.contains(key)) return fallback;
  const auto& v = j[key];
  if (!v.is_number()) return Error{where + "." + key + ": expected a number, got " + v.dump()};
  const double x = v.get<double>();
  if (!(x >= min && x <= max))
    return Error{where + "." + key + ": " + v.dump() + " is outside [" + nlohmann::json(min).dump() + ", " +
                 nlohmann::json(max).dump() + "]"};
  return x;
}

Result<std::int64_t> integer_field(const nlohmann::json& j, const std::string& where, const std::string& key,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max) {
  if (!j.contains(key)) return fallback;
  const auto& v = j[key];
  if (!v.is_number_integer()) return Error{where + "." + key + ": expected an integer, got " + v.dump()};
  // A value that does not fit 64 bits is parsed as unsigned or refused by the parser.
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    return Error{where + "." + key + ": " + v.dump() + " is above " + std::to_string(max)};
  const std::int64_t x = v.get<std::int64_t>();
  if (x < min || x > max)
    return Error{where + "." + key + ": " + v.dump() + " is outside [" + std::to_string(min) + ", " +
                 std::to_string(max) + "]"};
  return x;
}

std::int64_t integer_or(const nlohmann::json& j, const std::string& key, std::int64_t fallback, std::int64_t min,
                        std::int64_t max) {
  std::int64_t v = fallback;
  if (j.is_object() && j.contains(key) && j[key].is_number_integer()) {
    const auto& x = j[key];
    v = x.is_number_unsigned() && x.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX
                                                                                                 : x.get<std::int64_t>();
  }
  return std::clamp(v, min, max);
}

Result<bool> bool_field(const nlohmann::json& j, const std::string& where, const std::string& key, bool fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_boolean()) return Error{where + "." + key + ": expected true or false, got " + j[key].dump()};
  return j[key].get<bool>();
}

Status only_fields(const nlohmann::json& j, const std::string& where, const std::vector<std::string>& known) {
  if (!j.is_object()) return Error{where + ": expected an object"};
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (const std::string& k : known) ok = ok || k == key;
    if (!ok) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return Error{where + ": unknown field '" + key + "' (known: " + list + ")"};
    }
  }
  return {};
}

Status check_case(const ProtocolInfo& info, const CaseSpec& c, const CostModel& cost) {
  if (info.check) return info.check(c, cost);
  auto sim = info.make(c, cost);
  if (!sim.ok()) return sim.error();
  return {};
}

Result<RunOutcome> finish_run(VirtualEscrow& escrow, std::vector<double> costs, std::int64_t start_ms) {
  auto end = escrow.end_run();
  if (!end.ok()) return end.error();
  RunOutcome out;
  out.terminal = escrow.opened() ? end->stage : "abandoned";
  // Every stage has a deadline and timeouts reach a terminal stage (escrow::analyze),
  // and an honest party claims them: an unsettled instance at the end is a stuck run.
  if (escrow.opened() && !end->settled) out.terminal = "unsettled:" + end->stage;
  for (std::size_t r = 0; r < escrow.roles(); ++r) out.ledger_net.push_back(escrow.net(r));
  costs.resize(escrow.roles(), 0.0);
  out.cost = std::move(costs);
  out.fees = escrow.fees();
  out.duration_ms = escrow.now_ms() - start_ms;
  out.escrow_ops = escrow.ops();
  return out;
}

std::array<std::uint8_t, 32> run_key(std::uint64_t seed, const std::string& case_name, std::uint64_t run_index) {
  codec::Sha256 h;
  h.update(std::string_view("verdict/sim/run/v1"));
  std::uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(seed >> (8 * i));
    b[8 + i] = static_cast<std::uint8_t>(run_index >> (8 * i));
  }
  h.update(std::span<const std::uint8_t>(b, 16));
  h.update(case_name);
  return h.finish();
}

}  // namespace verdict::sim

// ---- the protocols ----------------------------------------------------------------------

#ifdef VERDICT_SIM_accuracy
#include "sim/accuracy_sim.hpp"
#endif
#ifdef VERDICT_SIM_serving
#include "sim/serving_sim.hpp"
#endif
#ifdef VERDICT_SIM_retrieval
#include "sim/retrieval_sim.hpp"
#endif

namespace verdict::sim {

Result<ProtocolInfo> protocol_info(const std::string& name) {
#ifdef VERDICT_SIM_accuracy
  if (name == "accuracy") return accuracy_protocol();
#endif
#ifdef VERDICT_SIM_serving
  if (name == "serving") return serving_protocol();
#endif
#ifdef VERDICT_SIM_retrieval
  if (name == "retrieval") return retrieval_protocol();
#endif
  return Error{"unknown protocol '" + name + "' (accuracy, serving, retrieval)"};
}

}  // namespace verdict::sim
