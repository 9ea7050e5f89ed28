#include "protocols/serving/rules.hpp"

#include <map>
#include <string>

namespace verdict::serving {

Result<ServingAmounts> serving_amounts(const ServingParams& p) {
  using escrow::checked_add;
  using escrow::checked_mul;
  if (p.k < 1 || p.k > kMaxRoundSize) return Error{"serving rules: k must be in [1, 2^20)"};
  if (p.k1 < 1 || p.k1 > p.k) return Error{"serving rules: k1 must be in [1, k]"};
  if (p.z <= 0) return Error{"serving rules: z must be positive"};
  if (p.beta < 2) return Error{"serving rules: beta must be at least 2"};
  if (p.eps < 0) return Error{"serving rules: eps must not be negative"};
  const std::pair<const char*, std::int64_t> timeouts[] = {{"funding_timeout_ms", p.funding_timeout_ms},
                                                           {"response_timeout_ms", p.response_timeout_ms},
                                                           {"proving_timeout_ms", p.proving_timeout_ms},
                                                           {"verdict_timeout_ms", p.verdict_timeout_ms}};
  for (const auto& [name, t] : timeouts) {
    if (t <= 0 || t > escrow::kMaxTimeoutMs)
      return Error{std::string("serving rules: ") + name + " must be in (0, 10 years]"};
  }
  const auto kz = checked_mul(p.k, p.z);
  const auto c = kz ? checked_mul(2, *kz) : std::nullopt;
  if (!c) return Error{"serving rules: z: 2*K*Z overflows 64 bits"};
  const auto b = checked_mul(p.beta, *kz);
  if (!b) return Error{"serving rules: beta: beta*K*Z overflows 64 bits"};
  // Every sum the ledger forms: each deposit, both deposits together, MC's slashed payout.
  const auto mc_dep = checked_add(*c, p.eps);
  const auto mp_dep = checked_add(*b, p.eps);
  const auto total = (mc_dep && mp_dep) ? checked_add(*mc_dep, *mp_dep) : std::nullopt;
  if (!total) return Error{"serving rules: eps: the deposits overflow 64 bits"};
  return ServingAmounts{*b, *c, 2 * escrow::Amount{p.k1} * p.z};  // 2*K1*Z <= 2*K*Z: no overflow
}

Result<escrow::RuleSet> serving_rule_set(const ServingParams& p) {
  auto amounts = serving_amounts(p);
  if (!amounts.ok()) return amounts.error();
  const escrow::Amount bond = amounts->mp_bond, owed = amounts->mc_escrow, pay = amounts->contest_pay;
  constexpr std::uint8_t mp = kServingMp, mc = kServingMc, verifier = kServingVerifier;

  escrow::RuleSet r;
  r.name = "serving/v1";
  r.roles = {"mp", "mc", "verifier"};
  r.deposits = {bond + p.eps, owed + p.eps, 0};
  r.min_stakes = {0, 0, 0};
  r.funding_timeout_ms = p.funding_timeout_ms;
  if (p.eps > 0) r.on_funded = {{mp, escrow::kToFee, p.eps}, {mc, escrow::kToFee, p.eps}};

  // Payments out of the holds (B with MP, C with MC); amounts of zero are left out.
  auto pay_out = [](std::initializer_list<escrow::Effect> effects) {
    std::vector<escrow::Effect> out;
    for (const escrow::Effect& e : effects) {
      if (e.amount > 0) out.push_back(e);
    }
    return out;
  };
  const auto refund = pay_out({{mp, mp, bond}, {mc, mc, owed}});
  const auto slashed = pay_out({{mp, mc, bond}, {mc, mc, owed}});
  const auto proven = pay_out({{mp, mp, bond}, {mc, mp, pay}, {mc, mc, owed - pay}});

  // Stages by name: non-terminal with their deadline, then the terminals.
  std::map<std::string, std::uint16_t> at;
  auto stage = [&](const char* name, std::int64_t timeout_ms) {
    at[name] = static_cast<std::uint16_t>(r.stages.size());
    r.stages.push_back(escrow::Stage{name, timeout_ms, timeout_ms == 0});
  };
  stage("awaiting_inputs", p.response_timeout_ms);
  stage("awaiting_predictions", p.response_timeout_ms);
  stage("awaiting_transcript", p.response_timeout_ms);
  stage("contest_window", p.response_timeout_ms);
  stage("contested", p.proving_timeout_ms);
  stage("proofs_submitted", p.verdict_timeout_ms);
  for (const char* t : {"settled_refund", "settled_closed", "settled_mp_slashed", "settled_proven"}) stage(t, 0);

  // actor == kAnyParty marks the stage's timeout.
  auto edge = [&](const char* from, const char* name, std::uint8_t actor, const char* to,
                  const std::vector<escrow::Effect>& effects = {}) {
    const bool timeout = actor == escrow::kAnyParty;
    r.transitions.push_back(escrow::Transition{name, at.at(from), at.at(to), actor, timeout, effects, 0});
  };
  constexpr std::uint8_t any = escrow::kAnyParty;
  edge("awaiting_inputs", "commit_inputs", mc, "awaiting_predictions");
  edge("awaiting_inputs", "mc_silent", any, "settled_refund", refund);

  edge("awaiting_predictions", "post_predictions", mp, "awaiting_transcript");
  edge("awaiting_predictions", "reject_inputs", mp, "settled_refund", refund);
  edge("awaiting_predictions", "mp_silent", any, "settled_mp_slashed", slashed);

  edge("awaiting_transcript", "commit_transcript", mc, "contest_window");
  edge("awaiting_transcript", "mc_silent", any, "settled_closed", refund);

  edge("contest_window", "close", mc, "settled_closed", refund);
  edge("contest_window", "contest", mc, "contested");
  edge("contest_window", "window_expired", any, "settled_closed", refund);

  edge("contested", "submit_proofs", mp, "proofs_submitted");
  edge("contested", "mp_silent", any, "settled_mp_slashed", slashed);

  edge("proofs_submitted", "valid", verifier, "settled_proven", proven);
  edge("proofs_submitted", "invalid", verifier, "settled_mp_slashed", slashed);
  edge("proofs_submitted", "concede", mc, "settled_proven", proven);
  edge("proofs_submitted", "verifier_silent", any, "settled_refund", refund);

  if (auto an = escrow::analyze(r); !an.ok()) return an.error().context("serving rules (internal)");
  return r;
}

}  // namespace verdict::serving
