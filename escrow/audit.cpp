#include "escrow/audit.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <map>

#include "escrow/sqlite.hpp"

namespace verdict::escrow {

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> to_array(const std::vector<std::uint8_t>& v) {
  std::array<std::uint8_t, N> a{};
  if (v.size() == N) std::copy(v.begin(), v.end(), a.begin());
  return a;
}

// A clock that is never read: the replay passes recorded times explicitly.
class NoClock final : public Clock {
 public:
  std::int64_t now_ms() const override { return 0; }
};

constexpr std::size_t kMaxProblems = 20;

}  // namespace

Result<AuditReport> verify_ledger(const std::string& path) {
  auto ledger = Ledger::open(Ledger::Options{path, nullptr, std::nullopt, true});
  if (!ledger.ok()) return ledger.error();
  return verify_ledger(**ledger);
}

Result<AuditReport> verify_ledger(Ledger& ledger) {
  sql::Db& db = ledger.db();
  AuditReport rep;
  auto problem = [&](std::string p) {
    if (rep.problems.size() < kMaxProblems) rep.problems.push_back(std::move(p));
  };
  if (Status s = db.exec("BEGIN"); !s.ok()) return s.error();
  struct Txn {
    sql::Db& db;
    ~Txn() { (void)db.exec("COMMIT"); }
  } txn{db};

  NoClock no_clock;
  auto replay = Ledger::open(Ledger::Options{":memory:", &no_clock, ledger.operator_key(), false});
  if (!replay.ok()) return replay.error();

  // 1-2: the chain, the journal against it, and 4: the replay, row by row.
  std::map<std::string, Amount> derived;
  Digest prev{};
  std::int64_t last_time = std::numeric_limits<std::int64_t>::min();
  std::uint64_t expect_seq = 1;
  bool replay_ok = true;
  {
    auto st = db.prepare("SELECT seq, time_ms, prev_hash, record, hash FROM audit ORDER BY seq");
    if (!st.ok()) return st.error();
    auto journal = db.prepare("SELECT line, account, delta FROM journal WHERE seq = ? ORDER BY line");
    if (!journal.ok()) return journal.error();
    for (;;) {
      auto row = (*st)->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      const std::uint64_t seq = static_cast<std::uint64_t>((*st)->int_at(0));
      const std::int64_t time_ms = (*st)->int_at(1);
      const std::vector<std::uint8_t> prev_col = (*st)->blob_at(2);
      const std::vector<std::uint8_t> record = (*st)->blob_at(3);
      const std::vector<std::uint8_t> hash_col = (*st)->blob_at(4);
      const std::string at = "audit row " + std::to_string(seq) + ": ";
      rep.rows += 1;
      if (seq != expect_seq) problem(at + "expected seq " + std::to_string(expect_seq));
      expect_seq = seq + 1;
      if (prev_col.size() != 32 || to_array<32>(prev_col) != prev)
        problem(at + "prev_hash does not link to the previous row");
      const Digest computed = audit_hash(to_array<32>(prev_col), record);
      if (hash_col.size() != 32 || to_array<32>(hash_col) != computed) problem(at + "hash does not match its record");
      prev = to_array<32>(hash_col);
      rep.head = prev;
      if (time_ms < last_time) problem(at + "time runs backwards");
      last_time = time_ms;
      auto rec = decode_audit_record(record);
      if (!rec.ok()) {
        problem(at + rec.error().message);
        replay_ok = false;
        continue;
      }
      if (rec->seq != seq || rec->time_ms != time_ms) problem(at + "record names another seq or time");
      auto result = decode_result(rec->result);
      if (!result.ok()) {
        problem(at + result.error().message);
        replay_ok = false;
        continue;
      }
      // The journal entry is exactly the recorded postings, and balanced.
      std::vector<Posting> lines;
      (*journal)->reset();
      (*journal)->bind(1, static_cast<std::int64_t>(seq));
      for (;;) {
        auto j = (*journal)->step();
        if (!j.ok()) return j.error();
        if (!*j) break;
        lines.push_back(Posting{(*journal)->text_at(1), (*journal)->int_at(2)});
      }
      if (lines != result->postings) problem(at + "journal entry differs from the recorded postings");
      Amount sum = 0;
      for (const Posting& p : lines) {
        auto s = checked_add(sum, p.delta);
        auto d = checked_add(derived[p.account], p.delta);
        if (!s || !d) {
          problem(at + "journal amounts overflow");
          break;
        }
        sum = *s;
        derived[p.account] = *d;
      }
      if (sum != 0) problem(at + "journal entry is not balanced (sums to " + std::to_string(sum) + ")");
      // Serial replay.
      if (!replay_ok) continue;
      auto req = decode_request(rec->request);
      if (!req.ok()) {
        problem(at + req.error().message);
        replay_ok = false;
        continue;
      }
      Outcome o = (*replay)->apply_at(time_ms, Submission{rec->actor, std::move(*req), std::nullopt});
      if (!o.ok()) {
        problem(at + "replay refuses the request: " + o.rejection().reason);
        replay_ok = false;
      } else if (o.applied().duplicate || o.applied().audit_seq != seq ||
                 encode_result(o.applied().result) != rec->result || o.applied().audit_hash != computed) {
        problem(at + "replay gives a different result");
        replay_ok = false;
      }
    }
  }
  // Journal entries without an audit row.
  {
    auto st = db.prepare("SELECT COUNT(*) FROM journal WHERE seq < 1 OR seq > ?");
    if (!st.ok()) return st.error();
    (*st)->bind(1, static_cast<std::int64_t>(rep.rows));
    auto row = (*st)->step();
    if (!row.ok()) return row.error();
    if ((*st)->int_at(0) != 0) problem("journal has entries with no audit row");
  }
  // 3: balances.
  auto balances = ledger.balances();
  if (!balances.ok()) return balances.error();
  rep.accounts = balances->size();
  Amount total = 0;
  for (const auto& [name, bal] : *balances) {
    auto it = derived.find(name);
    Amount d = it == derived.end() ? 0 : it->second;
    if (d != bal)
      problem("account " + name + " holds " + std::to_string(bal) + " but its journal sums to " + std::to_string(d));
    if (name == kWorldAccount) {
      if (bal > 0) problem("world is positive");
      rep.money_in_system = -bal;
    } else if (bal < 0) {
      problem("account " + name + " is negative");
    }
    auto t = checked_add(total, bal);
    if (!t) {
      problem("balances overflow");
      break;
    }
    total = *t;
  }
  for (const auto& [account, d] : derived) {
    const std::string& name = account;  // (clang 14 cannot capture structured bindings)
    if (d != 0 && std::none_of(balances->begin(), balances->end(), [&](const auto& b) { return b.first == name; }))
      problem("account " + name + " is missing; its journal sums to " + std::to_string(d));
  }
  if (total != 0) problem("balances sum to " + std::to_string(total) + ", not zero");
  // 4: the replayed state equals the file's.
  auto mine = ledger.state_digest(false);
  if (!mine.ok()) return mine.error();
  rep.state = *mine;
  if (replay_ok) {
    auto theirs = (*replay)->state_digest(false);
    if (!theirs.ok()) return theirs.error();
    if (*theirs != *mine) problem("the serial replay of the audit log gives a different ledger state");
  }
  return rep;
}

}  // namespace verdict::escrow
