#pragma once
// Verification of a ledger file: what `verdict escrow verify-log` runs.
//
// verify_ledger() reads the whole ledger in one read transaction and checks:
//   1. the audit chain: seq runs 1..n without gaps, every prev_hash is the previous row's
//      hash (zero for the first), every hash is SHA-256(prev_hash || record), every
//      record decodes and names its own seq, times never decrease;
//   2. the journal against the chain: the journal lines of entry seq are exactly the
//      postings recorded in audit row seq's result, and each entry sums to zero;
//   3. balances re-derived from the journal equal the accounts table; no account is
//      negative except world; all balances sum to zero;
//   4. a serial replay: every recorded request, applied in audit order at its recorded
//      time by its recorded actor to a fresh in-memory ledger, is applied (not refused)
//      with exactly the recorded result and audit hash, and the replayed ledger's state
//      digest equals the file's (accounts, journal, operations, audit, instances).
// Any failure is reported as a problem (the report is not ok); errors are reserved for
// a file that cannot be read at all.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/ledger.hpp"

namespace verdict::escrow {

struct AuditReport {
  std::uint64_t rows = 0;
  Digest head{};
  std::size_t accounts = 0;
  Amount money_in_system = 0;  // -balance(world)
  Digest state{};              // state digest of the file (without transport state)
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// Opens `path` read-only and verifies it.
Result<AuditReport> verify_ledger(const std::string& path);
// Verifies an open ledger (not inside a transaction).
Result<AuditReport> verify_ledger(Ledger& ledger);

}  // namespace verdict::escrow
