#pragma once
// The ledger: accounts, stakes, escrow instances and their holds, a balanced
// double-entry journal, idempotent operations and a hash-chained audit log, all in one
// SQLite file (WAL, synchronous=FULL). docs/escrow.md explains the design,
// docs/formats.md ("Escrow and parties") the schema and the audit-row format.
//
// Contract of every write:
//   - apply() runs one request in one IMMEDIATE transaction; apply_batch() runs several
//     in one transaction, each inside its own savepoint (group commit). Either way, when
//     the call returns, every applied request is durable (COMMIT with synchronous=FULL
//     has returned), and every refused request changed nothing at all.
//   - An applied request produces exactly one audit row, one journal entry whose lines
//     sum to zero, and one operations row keyed by (actor, op id).
//   - Refusals are values (Outcome with a Rejection): bad input never throws or aborts.
//   - The actor is trusted to be authenticated: the message layer (parties/wire)
//     verifies signatures; the ledger decides what that actor may do.
//
// Order of checks on a request: (1) dedupe by (actor, op id): a retry returns the first
// result; (2) the envelope chain step, if given (sequence number and previous-envelope
// hash per (actor, instance)); (3) authorization, amounts, rules, deadlines; (4) writes.
//
// Time: each applied request is stamped max(clock, time of the previous audit row), so
// the escrow's time never runs backwards even if the wall clock does; deadlines are
// judged on that time.
//
// Thread safety: none; one Ledger per thread. Several processes must not write the
// same file (the service is the only writer; readers may open it read-only).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "escrow/clock.hpp"
#include "escrow/instance_engine.hpp"
#include "escrow/ops.hpp"
#include "escrow/rules.hpp"

namespace verdict::escrow {

namespace sql {
class Db;
}

// Replay protection of the message layer, stored atomically with the operation: the
// envelope carrying a request is the next one of its (actor, instance) stream.
struct ChainStep {
  InstanceId instance{};
  std::uint64_t seq = 0;  // 1 for the first envelope of a stream
  Digest prev{};          // hash of the previous accepted envelope (zero for the first)
  Digest hash{};          // hash of this envelope
};

struct Submission {
  PartyId actor{};
  Request request;
  std::optional<ChainStep> chain;
};

struct Applied {
  OpResult result;
  std::uint64_t audit_seq = 0;
  Digest audit_hash{};
  std::int64_t time_ms = 0;
  bool duplicate = false;  // a retry: the first result, nothing applied now
};

class Outcome {
 public:
  Outcome(Applied a) : v_(std::move(a)) {}    // NOLINT: implicit by design
  Outcome(Rejection r) : v_(std::move(r)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  const Applied& applied() const { return std::get<0>(v_); }
  const Rejection& rejection() const { return std::get<1>(v_); }

 private:
  std::variant<Applied, Rejection> v_;
};


struct InstanceEvent {
  std::uint64_t audit_seq = 0;
  std::int64_t time_ms = 0;
  std::string transition;  // "open", "deposit", a table transition name
  PartyId actor{};
  Digest evidence{};
  std::string stage_after;
};

struct InstanceView {
  InstanceId id{};
  RuleSet rules;
  Digest rules_digest{};
  std::vector<PartyId> parties;
  int stage = kFundingStage;
  std::string stage_name;
  std::uint32_t deposited = 0;  // bit r: role r has deposited
  std::uint32_t count = 0;      // set by a transition with count_max > 0
  std::int64_t opened_ms = 0;
  std::int64_t stage_entered_ms = 0;
  std::int64_t deadline_ms = 0;  // 0 once settled
  bool settled = false;
  std::vector<Amount> holds;  // per role
  std::vector<InstanceEvent> history;
};

struct PartySummary {
  Amount available = 0;
  Amount staked = 0;
  Amount held = 0;  // in the holds of its unsettled instances
};

struct Head {
  std::uint64_t seq = 0;
  Digest hash{};
};

class Ledger {
 public:
  struct Options {
    std::string path;                     // a file, or ":memory:"
    const Clock* clock = nullptr;         // required for writes; outlives the Ledger
    std::optional<PartyId> operator_key;  // recorded on first use; must match afterwards
    bool read_only = false;               // open an existing file for reading only
  };

  // Opens or creates the ledger. Errors: the file cannot be opened, has another schema
  // version, or was created for another operator key.
  static Result<std::unique_ptr<Ledger>> open(const Options& options);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  Outcome apply(const Submission& submission);
  std::vector<Outcome> apply_batch(std::span<const Submission> batch);
  // Applies at an explicit time (the audit-log replay uses the recorded times).
  Outcome apply_at(std::int64_t time_ms, const Submission& submission);

  Result<bool> has_operation(const PartyId& actor, const OpId& op_id);
  Result<Amount> balance(const std::string& account);
  // Every account, sorted by name.
  Result<std::vector<std::pair<std::string, Amount>>> balances();
  Result<PartySummary> summary(const PartyId& party);
  // Error "unknown instance ..." if there is none.
  Result<InstanceView> instance(const InstanceId& id);
  // The last accepted envelope of (sender, instance); seq 0 if none.
  Result<Head> chain_head(const PartyId& sender, const InstanceId& instance);
  Result<Head> audit_head();
  // SHA-256 over a canonical dump of the ledger's tables; include_transport adds the
  // envelope-chain table (which a replay of the audit log does not rebuild).
  Result<Digest> state_digest(bool include_transport);
  const std::optional<PartyId>& operator_key() const { return operator_; }
  sql::Db& db() { return *db_; }

 private:
  struct Impl;
  Ledger() = default;
  std::unique_ptr<sql::Db> db_;
  const Clock* clock_ = nullptr;
  std::optional<PartyId> operator_;
  std::unique_ptr<Impl> impl_;
};

// Audit rows (docs/formats.md ("Escrow and parties")): record = encode(seq, time, actor, request, result);
// hash = SHA-256(prev_hash || record); the first prev_hash is 32 zero bytes.
struct AuditRecord {
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;
  PartyId actor{};
  std::vector<std::uint8_t> request;  // encode_request
  std::vector<std::uint8_t> result;   // encode_result
};
std::vector<std::uint8_t> encode_audit_record(const AuditRecord& record);
Result<AuditRecord> decode_audit_record(std::span<const std::uint8_t> bytes);
Digest audit_hash(const Digest& prev, std::span<const std::uint8_t> record);

}  // namespace verdict::escrow
