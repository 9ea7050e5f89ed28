#pragma once
// A machine's view of its escrow instance, advanced only by events that the accuracy
// rule table allows: "open" (evidence = the rules digest) -> "funding"; "deposit" by mp
// and mc, once each, before the funding deadline -> "funded" after both; a timeout at
// or after a deadline (the ledger names it "funding_timeout" while funding, which lands
// in "unfunded", else by the stage's timeout transition, e.g. "mc_silent");
// otherwise an action out of the current stage, by its actor's role, before the
// deadline, landing in the stage the table names. Anything else is refused unchanged.

#include <cstdint>
#include <optional>
#include <string>

#include "escrow/rules.hpp"
#include "protocols/accuracy/protocol.hpp"

namespace verdict::accuracy {

class EscrowView {
 public:
  EscrowView() = default;
  explicit EscrowView(escrow::RuleSet rules);

  // The instance whose events to accept (known once both commitments are in).
  void expect(const escrow::InstanceId& instance) { instance_ = instance; }

  Status apply(const EscrowEvent& event);

  bool opened() const { return !stage_.empty(); }
  bool settled() const;  // a terminal stage, or "unfunded"
  const std::string& stage() const { return stage_; }
  std::uint64_t last_seq() const { return last_seq_; }
  std::int64_t entered_ms() const { return entered_ms_; }
  std::int64_t deadline_ms() const { return deadline_ms_; }  // 0 once settled
  std::int64_t stage_timeout_ms() const;                     // of the current stage
  const escrow::RuleSet& rules() const { return rules_; }

 private:
  escrow::RuleSet rules_;
  std::optional<escrow::InstanceId> instance_;
  std::string stage_;  // "" before "open"
  int index_ = -1;     // table index of a table stage
  std::uint64_t last_seq_ = 0;
  std::int64_t entered_ms_ = 0;
  std::int64_t deadline_ms_ = 0;
  std::uint32_t deposited_ = 0;
};

}  // namespace verdict::accuracy
