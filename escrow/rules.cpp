#include "escrow/rules.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>

#include "base/codec.hpp"

namespace verdict::escrow {

bool valid_identifier(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

namespace {

bool valid_rule_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' || c == '-'))
      return false;
  }
  return true;
}

std::string where(const RuleSet& r, const Transition& t) {
  std::string from = t.from < r.stages.size() ? r.stages[t.from].name : std::to_string(t.from);
  return "transition '" + t.name + "' from stage '" + from + "'";
}

Status check_effects(const RuleSet& r, const std::vector<Effect>& effects, const std::string& ctx,
                     bool counted_allowed) {
  if (effects.size() > kMaxEffects) return Error{ctx + ": more than " + std::to_string(kMaxEffects) + " effects"};
  for (const Effect& e : effects) {
    if (e.from_role >= r.roles.size()) return Error{ctx + ": effect from unknown role " + std::to_string(e.from_role)};
    if (e.to != kToFee && e.to >= r.roles.size())
      return Error{ctx + ": effect to unknown role " + std::to_string(e.to)};
    switch (e.kind) {
      case EffectKind::kFixed:
      case EffectKind::kPerCount:
        if (e.amount <= 0) return Error{ctx + ": effect amount must be positive, got " + std::to_string(e.amount)};
        break;
      case EffectKind::kRest:
        if (e.amount != 0) return Error{ctx + ": a rest effect has no amount"};
        break;
      default:
        return Error{ctx + ": unknown effect kind"};
    }
    if (e.kind != EffectKind::kFixed && !counted_allowed)
      return Error{ctx + ": counted and rest effects are allowed only on transitions into terminal stages"};
  }
  return Status::ok_status();
}

// Applies effects to a hold vector with the instance count `count`; fails if a hold
// would go negative.
Result<std::vector<Amount>> apply_effects(const RuleSet& r, std::vector<Amount> holds,
                                          const std::vector<Effect>& effects, const std::string& ctx,
                                          std::uint32_t count) {
  for (const Effect& e : effects) {
    Amount& h = holds[e.from_role];
    Amount amount = e.amount;
    if (e.kind == EffectKind::kPerCount) {
      auto a = checked_mul(e.amount, static_cast<Amount>(count));
      if (!a) return Error{ctx + ": amount times count overflows"};
      amount = *a;
    } else if (e.kind == EffectKind::kRest) {
      amount = h;
    }
    if (h < amount) {
      return Error{ctx + " pays " + std::to_string(amount) + " out of role '" + r.roles[e.from_role] +
                   "', whose hold has only " + std::to_string(h) + " there" +
                   (e.kind == EffectKind::kPerCount ? " (at count " + std::to_string(count) + ")" : "")};
    }
    h -= amount;
  }
  return holds;
}

}  // namespace

Result<RuleAnalysis> analyze(const RuleSet& r) {
  if (!valid_rule_name(r.name)) return Error{"rule set name must be 1-64 of [a-z0-9_./-], got '" + r.name + "'"};
  if (r.roles.empty() || r.roles.size() > kMaxRoles)
    return Error{"a rule set has 1 to " + std::to_string(kMaxRoles) + " roles, got " + std::to_string(r.roles.size())};
  std::set<std::string> role_names;
  for (const std::string& role : r.roles) {
    if (!valid_identifier(role, 32)) return Error{"role name must be 1-32 of [a-z0-9_], got '" + role + "'"};
    if (!role_names.insert(role).second) return Error{"duplicate role '" + role + "'"};
  }
  if (r.deposits.size() != r.roles.size() || r.min_stakes.size() != r.roles.size())
    return Error{"deposits and min_stakes need one entry per role"};
  RuleAnalysis out;
  for (std::size_t i = 0; i < r.roles.size(); ++i) {
    if (r.deposits[i] < 0) return Error{"negative deposit for role '" + r.roles[i] + "'"};
    if (r.min_stakes[i] < 0) return Error{"negative minimum stake for role '" + r.roles[i] + "'"};
    if (r.min_stakes[i] > 0 && r.deposits[i] == 0)
      return Error{"role '" + r.roles[i] + "' has a minimum stake but no deposit (stakes are checked at deposit)"};
    auto sum = checked_add(out.total_deposits, r.deposits[i]);
    if (!sum) return Error{"total deposits overflow"};
    out.total_deposits = *sum;
  }
  if (r.funding_timeout_ms <= 0 || r.funding_timeout_ms > kMaxTimeoutMs)
    return Error{"funding timeout must be in (0, 10 years], got " + std::to_string(r.funding_timeout_ms) + " ms"};
  if (Status s = check_effects(r, r.on_funded, "on_funded", false); !s.ok()) return s.error();

  if (r.stages.empty() || r.stages.size() > kMaxStages)
    return Error{"a rule set has 1 to " + std::to_string(kMaxStages) + " stages"};
  std::set<std::string> stage_names;
  for (const Stage& s : r.stages) {
    if (!valid_identifier(s.name, kMaxNameLength))
      return Error{"stage name must be 1-64 of [a-z0-9_], got '" + s.name + "'"};
    if (s.name == "funding" || s.name == "unfunded") return Error{"stage name '" + s.name + "' is reserved"};
    if (!stage_names.insert(s.name).second) return Error{"duplicate stage '" + s.name + "'"};
    if (s.terminal && s.timeout_ms != 0) return Error{"terminal stage '" + s.name + "' cannot have a deadline"};
    if (!s.terminal && (s.timeout_ms <= 0 || s.timeout_ms > kMaxTimeoutMs))
      return Error{"stage '" + s.name + "' needs a deadline in (0, 10 years]"};
  }
  if (r.stages[0].terminal) return Error{"stage 0 must not be terminal"};

  if (r.transitions.size() > kMaxTransitions)
    return Error{"more than " + std::to_string(kMaxTransitions) + " transitions"};
  std::vector<int> timeouts(r.stages.size(), -1);
  std::set<std::pair<std::size_t, std::string>> action_names;
  for (std::size_t i = 0; i < r.transitions.size(); ++i) {
    const Transition& t = r.transitions[i];
    if (!valid_identifier(t.name, kMaxNameLength))
      return Error{"transition name must be 1-64 of [a-z0-9_], got '" + t.name + "'"};
    if (t.from >= r.stages.size() || t.to >= r.stages.size())
      return Error{"transition '" + t.name + "' names a stage that does not exist"};
    if (r.stages[t.from].terminal) return Error{where(r, t) + ": terminal stages have no transitions"};
    if (Status s = check_effects(r, t.effects, where(r, t), r.stages[t.to].terminal); !s.ok()) return s.error();
    if (t.count_max > kMaxCount) return Error{where(r, t) + ": count_max over the limit"};
    if (t.count_max > 0 && t.timeout) return Error{where(r, t) + ": a timeout cannot take a count"};
    out.count_max = std::max(out.count_max, t.count_max);
    if (t.timeout) {
      if (t.actor != kAnyParty) return Error{where(r, t) + ": a timeout is claimable by any party"};
      if (timeouts[t.from] >= 0) return Error{"stage '" + r.stages[t.from].name + "' has two timeout transitions"};
      timeouts[t.from] = static_cast<int>(i);
    } else {
      if (t.name == "deposit" || t.name == "timeout") return Error{"transition name '" + t.name + "' is reserved"};
      if (t.actor >= r.roles.size()) return Error{where(r, t) + ": actor must be a role"};
      if (!action_names.insert({t.from, t.name}).second) return Error{where(r, t) + " is defined twice"};
    }
  }
  for (std::size_t s = 0; s < r.stages.size(); ++s) {
    if (!r.stages[s].terminal && timeouts[s] < 0)
      return Error{"stage '" + r.stages[s].name + "' has a deadline but no timeout transition"};
  }

  // Money: propagate hold vectors from stage 0 over every transition.
  auto funded = apply_effects(r, r.deposits, r.on_funded, "on_funded", 0);
  if (!funded.ok()) return funded.error();
  out.funded_holds = *funded;
  std::vector<std::optional<std::vector<Amount>>> holds(r.stages.size());
  holds[0] = out.funded_holds;
  std::deque<std::size_t> queue{0};
  while (!queue.empty()) {
    std::size_t s = queue.front();
    queue.pop_front();
    for (const Transition& t : r.transitions) {
      if (t.from != s) continue;
      auto next = apply_effects(r, *holds[s], t.effects, where(r, t), 0);
      if (!next.ok()) return next.error();
      if (r.stages[t.to].terminal) {
        // Counted effects are linear in the count: the extremes cover every count.
        auto at_max = apply_effects(r, *holds[s], t.effects, where(r, t), out.count_max);
        if (!at_max.ok()) return at_max.error();
        for (std::size_t k = 0; k < r.roles.size(); ++k) {
          if ((*at_max)[k] != 0)
            return Error{where(r, t) + " leaves " + std::to_string((*at_max)[k]) + " in role '" + r.roles[k] +
                         "''s hold at count " + std::to_string(out.count_max)};
        }
      }
      if (!holds[t.to]) {
        holds[t.to] = std::move(*next);
        queue.push_back(t.to);
      } else if (*holds[t.to] != *next) {
        return Error{where(r, t) + " reaches stage '" + r.stages[t.to].name +
                     "' with different holds than another path does"};
      }
    }
  }
  for (std::size_t s = 0; s < r.stages.size(); ++s) {
    if (!holds[s]) return Error{"stage '" + r.stages[s].name + "' is unreachable from stage 0"};
    if (r.stages[s].terminal) {
      for (std::size_t k = 0; k < r.roles.size(); ++k) {
        if ((*holds[s])[k] != 0)
          return Error{"terminal stage '" + r.stages[s].name + "' leaves " + std::to_string((*holds[s])[k]) +
                       " in role '" + r.roles[k] + "''s hold"};
      }
    }
    out.stage_holds.push_back(*holds[s]);
  }
  // Liveness: timeouts alone lead every stage to a terminal one.
  for (std::size_t s = 0; s < r.stages.size(); ++s) {
    std::size_t cur = s;
    for (std::size_t steps = 0; !r.stages[cur].terminal; ++steps) {
      if (steps > r.stages.size())
        return Error{"following timeouts from stage '" + r.stages[s].name + "' never settles the instance"};
      cur = r.transitions[static_cast<std::size_t>(timeouts[cur])].to;
    }
  }
  return out;
}

namespace {
void put_effects(codec::Writer& w, const std::vector<Effect>& effects) {
  w.u32(static_cast<std::uint32_t>(effects.size()));
  for (const Effect& e : effects) {
    w.u8(e.from_role);
    w.u8(e.to);
    w.i64(e.amount);
    w.u8(static_cast<std::uint8_t>(e.kind));
  }
}

std::vector<Effect> get_effects(codec::Reader& r) {
  std::uint32_t n = r.count(kMaxEffects, 11);
  std::vector<Effect> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    Effect e;
    e.from_role = r.u8();
    e.to = r.u8();
    e.amount = r.i64();
    std::uint8_t kind = r.u8();
    if (r.ok() && kind > 2) r.fail("unknown effect kind " + std::to_string(kind));
    e.kind = static_cast<EffectKind>(kind);
    out.push_back(e);
  }
  return out;
}

bool get_bool(codec::Reader& r) {
  std::uint8_t b = r.u8();
  if (b > 1) r.fail("boolean byte must be 0 or 1");
  return b == 1;
}
}  // namespace

std::vector<std::uint8_t> encode_rules(const RuleSet& rules) {
  codec::Writer w;
  w.u8(1);  // format version
  w.str(rules.name);
  w.u32(static_cast<std::uint32_t>(rules.roles.size()));
  for (std::size_t i = 0; i < rules.roles.size(); ++i) {
    w.str(rules.roles[i]);
    w.i64(i < rules.deposits.size() ? rules.deposits[i] : 0);
    w.i64(i < rules.min_stakes.size() ? rules.min_stakes[i] : 0);
  }
  w.i64(rules.funding_timeout_ms);
  put_effects(w, rules.on_funded);
  w.u32(static_cast<std::uint32_t>(rules.stages.size()));
  for (const Stage& s : rules.stages) {
    w.str(s.name);
    w.i64(s.timeout_ms);
    w.u8(s.terminal ? 1 : 0);
  }
  w.u32(static_cast<std::uint32_t>(rules.transitions.size()));
  for (const Transition& t : rules.transitions) {
    w.str(t.name);
    w.u16(t.from);
    w.u16(t.to);
    w.u8(t.actor);
    w.u8(t.timeout ? 1 : 0);
    put_effects(w, t.effects);
    w.u32(t.count_max);
  }
  return w.take();
}

Result<RuleSet> decode_rules(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  RuleSet out;
  if (std::uint8_t v = r.u8(); r.ok() && v != 1) r.fail("unknown rule set format version " + std::to_string(v));
  out.name = r.str(kMaxNameLength);
  std::uint32_t nroles = r.count(kMaxRoles, 20);
  for (std::uint32_t i = 0; i < nroles && r.ok(); ++i) {
    out.roles.push_back(r.str(32));
    out.deposits.push_back(r.i64());
    out.min_stakes.push_back(r.i64());
  }
  out.funding_timeout_ms = r.i64();
  out.on_funded = get_effects(r);
  std::uint32_t nstages = r.count(kMaxStages, 13);
  for (std::uint32_t i = 0; i < nstages && r.ok(); ++i) {
    Stage s;
    s.name = r.str(kMaxNameLength);
    s.timeout_ms = r.i64();
    s.terminal = get_bool(r);
    out.stages.push_back(std::move(s));
  }
  std::uint32_t ntrans = r.count(kMaxTransitions, 18);
  for (std::uint32_t i = 0; i < ntrans && r.ok(); ++i) {
    Transition t;
    t.name = r.str(kMaxNameLength);
    t.from = r.u16();
    t.to = r.u16();
    t.actor = r.u8();
    t.timeout = get_bool(r);
    t.effects = get_effects(r);
    t.count_max = r.u32();
    out.transitions.push_back(std::move(t));
  }
  if (Status s = r.finish(); !s.ok()) return s.error().context("rule set");
  return out;
}

Digest rules_digest(const RuleSet& rules) {
  return codec::Sha256().update("verdict/escrow/rules/v1").update(encode_rules(rules)).finish();
}

const Transition* find_action(const RuleSet& rules, std::size_t stage, std::string_view name) {
  for (const Transition& t : rules.transitions) {
    if (!t.timeout && t.from == stage && t.name == name) return &t;
  }
  return nullptr;
}

const Transition* find_timeout(const RuleSet& rules, std::size_t stage) {
  for (const Transition& t : rules.transitions) {
    if (t.timeout && t.from == stage) return &t;
  }
  return nullptr;
}

}  // namespace verdict::escrow
