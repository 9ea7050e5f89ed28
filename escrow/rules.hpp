#pragma once
// Rule sets: the data table that says what an escrow instance may do.
//
// An instance is opened from a RuleSet and a list of parties, one per role. It starts
// in the built-in FUNDING phase: each role with deposits[r] > 0 deposits exactly that
// amount (the "deposit" action, whose evidence must be the rule set's digest: the
// depositor's signed consent to these rules) before funding_timeout_ms has passed.
// When the last deposit arrives the on_funded effects are applied (typically the
// escrow's fee) and the instance enters stage 0. If the funding deadline passes first,
// any party may claim "timeout", which refunds every deposit in full.
//
// From then on the instance is in exactly one stage. A stage is either terminal (the
// instance is settled; nothing more may happen) or has a deadline: timeout_ms after
// the moment it was entered. Before the deadline the transitions out of the stage whose
// actor is a given role may be taken by that role's party ("actions"); at or after the
// deadline only the stage's single timeout transition may be taken, by any party, by
// naming it "timeout". A transition's effects move money out of the instance's holds:
// from hold[from_role] to a role's available balance or to the escrow's fee account.
//
// analyze() checks a table statically, before any instance is opened from it:
//   - structure: names, sizes, indices, limits; every non-terminal stage has a deadline
//     and exactly one timeout transition; no transitions out of terminal stages;
//   - money: starting from the holds after funding, every path through the table gives
//     each stage the same hold vector (so a stage's holds are known from the table),
//     no effect pays more out of a hold than it contains (solvency), and every terminal
//     stage leaves every hold at exactly zero (conservation: every unit deposited ends
//     with a party or as a fee);
//   - liveness: every stage is reachable from stage 0, and following timeouts from any
//     stage reaches a terminal stage (no instance can be stuck with money in it).
// The ledger therefore never has to trust a table: money can neither appear nor be left
// behind, whatever order the parties act in.
//
// docs/escrow.md describes the format and the accuracy rule set; docs/formats.md ("Escrow and parties")
// gives the canonical encoding.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "escrow/amount.hpp"
#include "escrow/ids.hpp"

namespace verdict::escrow {

// Effect target meaning "the escrow's fee account".
inline constexpr std::uint8_t kToFee = 0xff;
// Transition actor meaning "any party of the instance" (timeouts only).
inline constexpr std::uint8_t kAnyParty = 0xff;

// Limits on tables (checked by analyze() and by the decoder).
inline constexpr std::size_t kMaxRoles = 8;
inline constexpr std::size_t kMaxStages = 256;
inline constexpr std::size_t kMaxTransitions = 1024;
inline constexpr std::size_t kMaxEffects = 32;
inline constexpr std::size_t kMaxNameLength = 64;
inline constexpr std::uint32_t kMaxCount = 1u << 20;
// Deadlines are at most ten years after a stage is entered.
inline constexpr std::int64_t kMaxTimeoutMs = 10LL * 366 * 24 * 3600 * 1000;

enum class EffectKind : std::uint8_t {
  kFixed = 0,     // pay `amount` (> 0)
  kPerCount = 1,  // pay amount * the instance's count (amount > 0); terminal transitions only
  kRest = 2,      // pay all that is left in the hold (amount = 0); terminal transitions only
};

struct Effect {
  std::uint8_t from_role = 0;  // debits the hold of this role
  std::uint8_t to = 0;         // credits this role's party, or the fee account (kToFee)
  Amount amount = 0;
  EffectKind kind = EffectKind::kFixed;
  bool operator==(const Effect&) const = default;
};

struct Stage {
  std::string name;
  std::int64_t timeout_ms = 0;  // > 0 for non-terminal stages, 0 for terminal ones
  bool terminal = false;
  bool operator==(const Stage&) const = default;
};

struct Transition {
  std::string name;  // not "deposit" or "timeout" (the engine's reserved action names)
  std::uint16_t from = 0;
  std::uint16_t to = 0;
  std::uint8_t actor = 0;  // the role that may take it; kAnyParty iff timeout
  bool timeout = false;
  std::vector<Effect> effects;
  std::uint32_t count_max = 0;  // > 0: the actor gives a count in [1, count_max] (not on timeouts)
  bool operator==(const Transition&) const = default;
};

struct RuleSet {
  std::string name;                // e.g. "accuracy/v1"
  std::vector<std::string> roles;  // names used in hold account names: [a-z0-9_]{1,32}
  std::vector<Amount> deposits;    // per role, >= 0
  std::vector<Amount> min_stakes;  // per role, >= 0; > 0 only where deposits > 0
  std::int64_t funding_timeout_ms = 0;
  std::vector<Effect> on_funded;
  std::vector<Stage> stages;  // stage 0 is entered when funding completes
  std::vector<Transition> transitions;
  bool operator==(const RuleSet&) const = default;
};

// What analyze() derives from a valid table.
struct RuleAnalysis {
  std::vector<Amount> funded_holds;              // per role, after on_funded
  std::vector<std::vector<Amount>> stage_holds;  // per stage, per role
  Amount total_deposits = 0;
  std::uint32_t count_max = 0;  // the largest count any transition takes
};

// Validates a table (see the header comment). The error names the first problem.
Result<RuleAnalysis> analyze(const RuleSet& rules);

// Canonical encoding (docs/formats.md ("Escrow and parties")). decode_rules checks syntax and limits
// only; call analyze() for the semantics.
std::vector<std::uint8_t> encode_rules(const RuleSet& rules);
Result<RuleSet> decode_rules(std::span<const std::uint8_t> bytes);

// SHA-256("verdict/escrow/rules/v1" || encode_rules(rules)): what a depositor signs.
Digest rules_digest(const RuleSet& rules);

// The action `name` out of `stage`, or nullptr. Never returns a timeout transition.
const Transition* find_action(const RuleSet& rules, std::size_t stage, std::string_view name);
// The timeout transition out of a non-terminal stage, or nullptr.
const Transition* find_timeout(const RuleSet& rules, std::size_t stage);

// [a-z0-9_]{1,max}.
bool valid_identifier(std::string_view s, std::size_t max);

}  // namespace verdict::escrow
