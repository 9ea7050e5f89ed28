#include "escrow/instance_engine.hpp"

#include <limits>
#include <map>
#include <optional>

namespace verdict::escrow {
namespace {

Rejection reject(Code c, std::string reason) { return Rejection{c, std::move(reason)}; }
Rejection storage(const Error& e) { return Rejection{Code::kStorage, e.message}; }

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::numeric_limits<std::int64_t>::max();
  return r;
}

Endpoint party(std::uint8_t role) { return {Endpoint::Kind::kParty, role}; }
Endpoint hold(std::uint8_t role) { return {Endpoint::Kind::kHold, role}; }

// Moves money out of the holds by `effects`. Counted effects use the instance's count; a
// rest effect takes what is left in the hold at that point (including what this request
// already moved into it).
std::optional<Rejection> apply_effects(const std::vector<Effect>& effects, const InstanceState& inst,
                                       InstanceFunds& funds, std::vector<Move>& moves) {
  std::map<std::uint8_t, Amount> left;  // hold balances as the effects run
  for (const Effect& e : effects) {
    if (!left.count(e.from_role)) {
      auto b = funds.held(e.from_role);
      if (!b.ok()) return storage(b.error());
      Amount pending = *b;
      for (const Move& m : moves) {
        if (m.to.kind == Endpoint::Kind::kHold && m.to.role == e.from_role) pending += m.amount;
        if (m.from.kind == Endpoint::Kind::kHold && m.from.role == e.from_role) pending -= m.amount;
      }
      left[e.from_role] = pending;
    }
    Amount amount = e.amount;
    if (e.kind == EffectKind::kPerCount) {
      auto a = checked_mul(e.amount, static_cast<Amount>(inst.count));
      if (!a) return reject(Code::kOverflow, "amount times count overflows");
      amount = *a;
    } else if (e.kind == EffectKind::kRest) {
      amount = left[e.from_role];
    }
    if (amount == 0) continue;
    left[e.from_role] -= amount;  // the ledger refuses the whole request if a hold would go negative
    const Endpoint to = e.to == kToFee ? Endpoint{Endpoint::Kind::kFee, 0} : party(e.to);
    moves.push_back({hold(e.from_role), to, amount});
  }
  return std::nullopt;
}

}  // namespace

std::string stage_name(const RuleSet& rules, int stage) {
  if (stage == kFundingStage) return "funding";
  if (stage == kUnfundedStage) return "unfunded";
  if (stage >= 0 && static_cast<std::size_t>(stage) < rules.stages.size()) return rules.stages[stage].name;
  return "?";
}

std::int64_t InstanceState::deadline(const RuleSet& rules) const {
  if (settled) return 0;
  if (stage == kFundingStage) return saturating_add(opened_ms, rules.funding_timeout_ms);
  return saturating_add(entered_ms, rules.stages[static_cast<std::size_t>(stage)].timeout_ms);
}

InstanceStep open_step(const RuleSet& rules, std::int64_t now) {
  InstanceStep s;
  s.next.opened_ms = s.next.entered_ms = now;
  s.next.stage = kFundingStage;
  s.taken = "open";
  Amount total = 0;
  for (Amount d : rules.deposits) total += d;
  // Without deposits the instance is funded at once; analyze() allows no effect on
  // empty holds, so on_funded is empty.
  if (total == 0) s.next.stage = 0;
  return s;
}

StepOutcome act_step(const RuleSet& rules, const Digest& rules_digest, const InstanceState& state, std::uint8_t role,
                     const std::string& transition, const Digest& evidence, std::uint32_t count, std::int64_t now,
                     InstanceFunds& funds) {
  InstanceStep out;
  InstanceState& inst = out.next;
  inst = state;
  if (inst.settled)
    return reject(Code::kWrongStage, "instance is settled (stage '" + stage_name(rules, inst.stage) + "')");
  const std::int64_t deadline = inst.deadline(rules);
  const std::string here = stage_name(rules, inst.stage);
  out.taken = transition;

  if (inst.stage == kFundingStage) {
    if (count != 0) return reject(Code::kInvalidRequest, "funding actions take no count");
    if (transition == "deposit") {
      const Amount amount = rules.deposits[role];
      if (amount == 0) return reject(Code::kInvalidRequest, "role '" + rules.roles[role] + "' makes no deposit");
      if (inst.deposited & (1u << role))
        return reject(Code::kWrongStage, "role '" + rules.roles[role] + "' has already deposited");
      if (now >= deadline)
        return reject(Code::kDeadlinePassed, "the funding deadline passed at " + std::to_string(deadline));
      if (evidence != rules_digest)
        return reject(Code::kBadConsent, "a deposit's evidence must be the rule set's digest " + to_hex(rules_digest));
      const Amount min_stake = rules.min_stakes[role];
      if (min_stake > 0) {
        auto staked = funds.staked(role);
        if (!staked.ok()) return storage(staked.error());
        if (*staked < min_stake)
          return reject(Code::kStakeTooLow, "role '" + rules.roles[role] + "' needs a stake of " +
                                                std::to_string(min_stake) + ", have " + std::to_string(*staked));
      }
      auto available = funds.available(role);
      if (!available.ok()) return storage(available.error());
      if (*available < amount)
        return reject(Code::kInsufficientFunds, "the account of role '" + rules.roles[role] + "' holds " +
                                                    std::to_string(*available) + ", needs " + std::to_string(amount));
      out.moves.push_back({party(role), hold(role), amount});
      inst.deposited |= 1u << role;
      bool all = true;
      for (std::size_t i = 0; i < rules.roles.size(); ++i) {
        if (rules.deposits[i] > 0 && !(inst.deposited & (1u << i))) all = false;
      }
      if (all) {
        if (auto rej = apply_effects(rules.on_funded, inst, funds, out.moves)) return *rej;
        inst.stage = 0;
        inst.entered_ms = now;
      }
    } else if (transition == "timeout") {
      if (now < deadline)
        return reject(Code::kDeadlineNotReached,
                      "the funding deadline is " + std::to_string(deadline) + ", now is " + std::to_string(now));
      for (std::size_t i = 0; i < rules.roles.size(); ++i) {
        if (inst.deposited & (1u << i)) {
          const auto r = static_cast<std::uint8_t>(i);
          out.moves.push_back({hold(r), party(r), rules.deposits[i]});
        }
      }
      inst.stage = kUnfundedStage;
      inst.settled = true;
      out.taken = "funding_timeout";
    } else {
      return reject(Code::kWrongStage, "instance is still funding; only 'deposit' or 'timeout' apply");
    }
    return out;
  }

  const std::size_t stage = static_cast<std::size_t>(inst.stage);
  const Transition* t = nullptr;
  if (transition == "timeout") {
    if (count != 0) return reject(Code::kInvalidRequest, "a timeout takes no count");
    t = find_timeout(rules, stage);
    if (!t) return reject(Code::kWrongStage, "stage '" + here + "' has no timeout");
    if (now < deadline)
      return reject(Code::kDeadlineNotReached, "stage '" + here + "' has its deadline at " + std::to_string(deadline) +
                                                   ", now is " + std::to_string(now));
  } else {
    t = find_action(rules, stage, transition);
    if (!t) return reject(Code::kWrongStage, "no transition '" + transition + "' from stage '" + here + "'");
    if (t->actor != role)
      return reject(Code::kUnauthorized, "transition '" + t->name + "' is for role '" + rules.roles[t->actor] +
                                             "', not '" + rules.roles[role] + "'");
    if (now >= deadline)
      return reject(Code::kDeadlinePassed, "stage '" + here + "' had its deadline at " + std::to_string(deadline));
    if (t->count_max > 0) {
      if (count < 1 || count > t->count_max)
        return reject(Code::kInvalidRequest, "transition '" + t->name + "' takes a count in [1, " +
                                                 std::to_string(t->count_max) + "], got " + std::to_string(count));
      inst.count = count;
    } else if (count != 0) {
      return reject(Code::kInvalidRequest, "transition '" + t->name + "' takes no count");
    }
  }
  if (auto rej = apply_effects(t->effects, inst, funds, out.moves)) return *rej;
  inst.stage = t->to;
  inst.entered_ms = now;
  inst.settled = rules.stages[t->to].terminal;
  out.taken = t->name;
  return out;
}

}  // namespace verdict::escrow
