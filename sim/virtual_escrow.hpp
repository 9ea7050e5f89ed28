#pragma once
// The escrow of a simulated run, under a virtual clock, with one of two backends:
//
//   kEngine  the escrow's rule engine (escrow/instance_engine.hpp: the code the ledger
//            runs for every instance request) on in-memory balances: every open,
//            deposit, action and timeout is accepted or refused, and moves money, by the
//            same function as in production; only persistence (SQLite, the journal, the
//            audit chain) is left out. The default: about ten times faster.
//   kLedger  the whole ledger (escrow::Ledger on an in-memory SQLite database, exactly
//            the escrow service's code). Tests run runs on both and require identical
//            outcomes.
//
// One VirtualEscrow serves many runs of one worker thread, one instance per run: its
// parties (one per role) are minted a large float once; a run's money is measured per
// run, and end_run() checks that the run's movements net to zero over parties, fees and
// holds, that a settled instance holds nothing, and (ledger backend) that the events
// the machines were given are the instance's recorded history.
//
// Time: set_time() moves the virtual clock; every request is stamped with the clock
// (never earlier than the previous request), so runs of one escrow must use increasing
// times (Monte Carlo gives run i the base time i * kRunSpacingMs).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/clock.hpp"
#include "escrow/ledger.hpp"
#include "protocols/common/escrow_view.hpp"

namespace verdict::sim {

using escrow::Amount;

// A run's virtual time starts at its index times this (about 35 years): no rule table
// has deadlines that long (escrow::kMaxTimeoutMs is ten years per stage).
inline constexpr std::int64_t kRunSpacingMs = std::int64_t{1} << 40;
// Run indices below this keep every virtual time within 64 bits.
inline constexpr std::uint64_t kMaxRunsPerCase = 8'000'000;

class VirtualEscrow {
 public:
  enum class Backend { kEngine, kLedger };
  // `roles` parties, each minted `float_per_party`; stakes[r] > 0 is staked once.
  static Result<std::unique_ptr<VirtualEscrow>> create(std::size_t roles, Amount float_per_party,
                                                       const std::vector<Amount>& stakes,
                                                       Backend backend = Backend::kEngine);

  void set_time(std::int64_t ms) { clock_.set(ms); }
  std::int64_t now_ms() const { return clock_.now_ms(); }

  // Starts a run: forgets the previous instance and zeroes the run's money counters.
  void begin_run();

  // Opens `instance` with `rules`, actor `role`, parties in role order.
  escrow::Outcome open(std::size_t role, const escrow::InstanceId& instance, const escrow::RuleSet& rules);
  // An act of `role` on the run's instance (its transition by name, "deposit"/"timeout" included).
  escrow::Outcome act(std::size_t role, const std::string& transition, const escrow::Digest& evidence,
                      std::uint32_t count = 0);

  // The instance's events not yet returned, in ledger order, the actor as a role.
  template <class Role>
  Result<std::vector<protocols::EscrowEventOf<Role>>> new_events() {
    std::vector<protocols::EscrowEventOf<Role>> out;
    auto raw = new_raw_events();
    if (!raw.ok()) return raw.error();
    for (const RawEvent& e : *raw)
      out.push_back({instance_, e.seq, e.transition, static_cast<Role>(e.role), e.evidence, e.stage_after, e.time_ms});
    return out;
  }

  bool opened() const { return opened_; }
  const escrow::InstanceId& instance() const { return instance_; }

  // The run's net change of each role's party account, and of the fee account.
  Amount net(std::size_t role) const { return nets_[role]; }
  Amount fees() const { return fees_; }
  std::size_t roles() const { return parties_.size(); }
  std::uint64_t ops() const { return ops_; }

  // The end of a run, from one read of the instance: money is conserved (parties' nets,
  // fees and holds sum to zero; a settled instance holds nothing; an error names the
  // imbalance), and on the ledger backend the events the run delivered (new_events,
  // built from the ledger's replies) are exactly the instance's recorded history.
  // Returns the final stage ("" if never opened) and whether it is settled.
  struct RunEnd {
    std::string stage;
    bool settled = false;
  };
  Result<RunEnd> end_run();

 private:
  struct RawEvent {
    std::uint64_t seq = 0;
    std::string transition;
    std::size_t role = 0;
    escrow::Digest evidence{};
    std::string stage_after;
    std::int64_t time_ms = 0;
  };
  VirtualEscrow() = default;
  escrow::Outcome submit(std::size_t role, escrow::Body body);
  escrow::Outcome engine_open(std::size_t role, const escrow::InstanceId& instance, const escrow::RuleSet& rules);
  escrow::Outcome engine_act(std::size_t role, const std::string& transition, const escrow::Digest& evidence,
                             std::uint32_t count);
  std::int64_t stamp();
  void account(const escrow::Outcome& o);
  void record_event(std::size_t role, const escrow::Outcome& o, const std::string& transition,
                    const escrow::Digest& evidence);
  Result<std::vector<RawEvent>> new_raw_events();

  escrow::ManualClock clock_{0};
  std::unique_ptr<escrow::Ledger> ledger_;
  std::vector<escrow::PartyId> parties_;
  std::vector<std::string> party_accounts_;
  escrow::PartyId operator_{};
  std::uint64_t next_op_ = 0;
  std::uint64_t ops_ = 0;
  escrow::InstanceId instance_{};
  bool opened_ = false;
  std::vector<RawEvent> pending_;    // built from the ledger's replies, not yet returned
  std::vector<RawEvent> delivered_;  // every event returned this run
  std::vector<Amount> nets_;
  Amount fees_ = 0;
  Amount holds_moved_ = 0;

  // The engine backend: balances and the run's instance in memory.
  class Funds;
  Backend backend_ = Backend::kEngine;
  std::vector<Amount> available_, staked_;
  std::vector<Amount> holds_;
  escrow::RuleSet rules_;
  escrow::Digest rules_digest_{};
  std::optional<escrow::Digest> analyzed_;  // the digest of the last rule set analyze() accepted
  escrow::InstanceState state_;
  std::uint64_t seq_ = 0;
  std::int64_t last_ms_ = 0;
};

}  // namespace verdict::sim
