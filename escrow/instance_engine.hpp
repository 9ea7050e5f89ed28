#pragma once
// The rule engine of one escrow instance: what a request does to an instance, as a pure
// function of the rule table, the instance's state and the request. Every check of the
// rules (funding, consent, stakes, stages, actors, deadlines, counts) and every effect
// (deposits, on_funded, transition effects, refunds) is decided here, once; the ledger
// (ledger.hpp) persists what the engine returns in SQLite, and the economic simulator
// (sim/) applies it to in-memory balances. rules.hpp describes the semantics.
//
// The engine reads balances through InstanceFunds (the depositor's available money and
// stake, and the instance's holds) and returns the moves between accounts; it never
// writes. A refusal is a Rejection value and leaves nothing to apply.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "escrow/amount.hpp"
#include "escrow/ids.hpp"
#include "escrow/ops.hpp"
#include "escrow/rules.hpp"

namespace verdict::escrow {

inline constexpr int kFundingStage = -1;   // waiting for deposits
inline constexpr int kUnfundedStage = -2;  // funding deadline passed; deposits refunded

// "funding", "unfunded", a stage of the table, or "?".
std::string stage_name(const RuleSet& rules, int stage);

// What is stored per instance besides its rules, parties and balances.
struct InstanceState {
  int stage = kFundingStage;
  std::uint32_t deposited = 0;  // bit r: role r has deposited
  std::uint32_t count = 0;      // set by a transition with count_max > 0
  std::int64_t opened_ms = 0;
  std::int64_t entered_ms = 0;
  bool settled = false;
  // The deadline of the current phase (funding or stage); 0 once settled; saturates.
  std::int64_t deadline(const RuleSet& rules) const;
};

// An account the engine moves money between: a role's party account, a role's hold in
// this instance, or the escrow's fee account.
struct Endpoint {
  enum class Kind : std::uint8_t { kParty, kHold, kFee };
  Kind kind = Kind::kParty;
  std::uint8_t role = 0;
};
struct Move {
  Endpoint from;
  Endpoint to;
  Amount amount = 0;  // > 0
};

// Balances the engine reads (errors are storage failures).
class InstanceFunds {
 public:
  virtual Result<Amount> available(std::uint8_t role) = 0;  // the role's party account
  virtual Result<Amount> staked(std::uint8_t role) = 0;     // the role's party's stake
  virtual Result<Amount> held(std::uint8_t role) = 0;       // the role's hold in the instance

 protected:
  ~InstanceFunds() = default;
};

struct InstanceStep {
  InstanceState next;
  std::vector<Move> moves;
  std::string taken;  // the transition the instance's history records
};
using StepOutcome = std::variant<InstanceStep, Rejection>;

// Opening at `now` (the rule set must have passed analyze()): funding, or stage 0 at
// once when no role deposits. Its history records "open".
InstanceStep open_step(const RuleSet& rules, std::int64_t now);

// The request `transition` ("deposit", "timeout" or an action of the table) by `role`
// with `evidence` and `count`, at `now`. `rules_digest` is rules_digest(rules) (a
// deposit's evidence must equal it).
StepOutcome act_step(const RuleSet& rules, const Digest& rules_digest, const InstanceState& state, std::uint8_t role,
                     const std::string& transition, const Digest& evidence, std::uint32_t count, std::int64_t now,
                     InstanceFunds& funds);

}  // namespace verdict::escrow
