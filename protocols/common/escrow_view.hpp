#pragma once
// A protocol machine's view of its escrow instance, shared by every protocol of
// protocols/ (accuracy, serving, retrieval). The view is advanced only by events that the
// instance's rule table allows:
//
//   "open" (evidence = the rules digest)                      -> "funding"
//   "deposit" by each role whose deposit in the table is > 0, once each, before the
//   funding deadline                                          -> stage 0 after the last
//   a timeout at or after a deadline (while funding the ledger names it
//   "funding_timeout", landing in "unfunded"; later the stage's timeout transition,
//   by its name or as "timeout")
//   otherwise an action out of the current stage, by its actor's role, before the
//   deadline, landing in the stage the table names.
//
// Anything else (another instance, a replayed or out-of-order seq, an event after
// settlement, a wrong role, a wrong landing stage) is refused and changes nothing.
// Roles are the rule set's role indices; a protocol's EscrowEventOf<Role> carries its own
// role enum (whose values must equal those indices) and converts on apply().

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "escrow/ids.hpp"
#include "escrow/rules.hpp"

namespace verdict::protocols {

// One event of an instance's history (escrow::InstanceEvent, the actor as a role).
template <class Role>
struct EscrowEventOf {
  escrow::InstanceId instance{};
  std::uint64_t seq = 0;   // the ledger's audit seq: strictly increasing
  std::string transition;  // "open", "deposit", "timeout"/"funding_timeout" or a table transition
  Role actor{};
  escrow::Digest evidence{};
  std::string stage_after;
  std::int64_t time_ms = 0;  // the escrow's time of the event
};

class EscrowView {
 public:
  EscrowView() = default;
  explicit EscrowView(escrow::RuleSet rules);

  // The instance whose events to accept (known once the session is).
  void expect(const escrow::InstanceId& instance) { instance_ = instance; }

  template <class Role>
  Status apply(const EscrowEventOf<Role>& e) {
    return apply_event(e.instance, e.seq, e.transition, static_cast<std::uint8_t>(e.actor), e.evidence,
                       e.stage_after, e.time_ms);
  }

  bool opened() const { return !stage_.empty(); }
  bool settled() const;  // a terminal stage, or "unfunded"
  const std::string& stage() const { return stage_; }
  std::uint64_t last_seq() const { return last_seq_; }
  std::int64_t entered_ms() const { return entered_ms_; }
  std::int64_t deadline_ms() const { return deadline_ms_; }  // 0 once settled
  std::int64_t stage_timeout_ms() const;                     // of the current stage
  const escrow::RuleSet& rules() const { return rules_; }

 private:
  Status apply_event(const escrow::InstanceId& instance, std::uint64_t seq, const std::string& transition,
                     std::uint8_t actor, const escrow::Digest& evidence, const std::string& stage_after,
                     std::int64_t time_ms);

  escrow::RuleSet rules_;
  std::optional<escrow::InstanceId> instance_;
  std::string stage_;  // "" before "open"
  int index_ = -1;     // table index of a table stage
  std::uint64_t last_seq_ = 0;
  std::int64_t entered_ms_ = 0;
  std::int64_t deadline_ms_ = 0;
  std::uint32_t deposited_ = 0;  // bit per role
};

}  // namespace verdict::protocols
