#include "escrow/ledger.hpp"

#include <gtest/gtest.h>

#include "escrow/audit.hpp"
#include "escrow/sqlite.hpp"
#include "escrow/testing.hpp"

namespace verdict::escrow {
namespace {

using testing::party;
using testing::random_id;
using testing::TempDir;

const PartyId kOperator = party(1);
const PartyId kAlice = party(2);
const PartyId kBob = party(3);

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    ledger_.reset();
    auto l = Ledger::open(Ledger::Options{dir_.file("ledger.db"), &clock_, kOperator, false});
    ASSERT_TRUE(l.ok()) << l.error().message;
    ledger_ = std::move(*l);
  }
  Outcome submit(const PartyId& actor, Body body, std::optional<OpId> op = std::nullopt) {
    return ledger_->apply(Submission{actor, Request{op ? *op : random_id<16>(rng_), std::move(body)}, std::nullopt});
  }
  Amount bal(const PartyId& p) { return *ledger_->balance(party_account(p)); }
  Digest digest() { return *ledger_->state_digest(true); }
  void expect_refused(const Outcome& o, Code code) {
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.rejection().code, code) << o.rejection().reason;
    EXPECT_FALSE(o.rejection().reason.empty());
  }

  TempDir dir_;
  ManualClock clock_;
  ChaChaRng rng_{7};
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, MoneyMovesAsBalancedJournalEntries) {
  Outcome m = submit(kOperator, Mint{kAlice, 1000});
  ASSERT_TRUE(m.ok()) << m.rejection().reason;
  EXPECT_EQ(m.applied().result.postings, (std::vector<Posting>{{"world", -1000}, {party_account(kAlice), 1000}}));
  EXPECT_EQ(m.applied().audit_seq, 1u);
  ASSERT_TRUE(submit(kAlice, Transfer{kBob, 300}).ok());
  ASSERT_TRUE(submit(kBob, Stake{100}).ok());
  ASSERT_TRUE(submit(kBob, Unstake{40}).ok());
  ASSERT_TRUE(submit(kAlice, Withdraw{200}).ok());
  EXPECT_EQ(bal(kAlice), 500);
  EXPECT_EQ(bal(kBob), 240);
  EXPECT_EQ(*ledger_->balance(stake_account(kBob)), 60);
  EXPECT_EQ(*ledger_->balance("world"), -800);
  auto s = ledger_->summary(kBob);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->available, 240);
  EXPECT_EQ(s->staked, 60);
  auto report = verify_ledger(*ledger_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems[0];
  EXPECT_EQ(report->rows, 5u);
  EXPECT_EQ(report->money_in_system, 800);
}

TEST_F(LedgerTest, RetriesReturnTheFirstResult) {
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, 1000}).ok());
  const OpId op = random_id<16>(rng_);
  Outcome first = submit(kAlice, Transfer{kBob, 10}, op);
  ASSERT_TRUE(first.ok());
  const Digest after_first = digest();
  Outcome again = submit(kAlice, Transfer{kBob, 10}, op);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.applied().duplicate);
  EXPECT_EQ(again.applied().result, first.applied().result);
  EXPECT_EQ(again.applied().audit_seq, first.applied().audit_seq);
  EXPECT_EQ(again.applied().audit_hash, first.applied().audit_hash);
  EXPECT_EQ(bal(kBob), 10);
  EXPECT_EQ(digest(), after_first);
  // Survives a restart.
  reopen();
  Outcome after_restart = submit(kAlice, Transfer{kBob, 10}, op);
  ASSERT_TRUE(after_restart.ok());
  EXPECT_TRUE(after_restart.applied().duplicate);
  EXPECT_EQ(bal(kBob), 10);
  // Same op id, different request: refused. The same op id from another actor is
  // another operation.
  expect_refused(submit(kAlice, Transfer{kBob, 11}, op), Code::kOpIdReused);
  Outcome bob = submit(kBob, Transfer{kAlice, 1}, op);
  ASSERT_TRUE(bob.ok());
  EXPECT_FALSE(bob.applied().duplicate);
}

TEST_F(LedgerTest, RefusedRequestsBindNothing) {
  const OpId op = random_id<16>(rng_);
  expect_refused(submit(kAlice, Transfer{kBob, 10}, op), Code::kInsufficientFunds);
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, 1000}).ok());
  Outcome later = submit(kAlice, Transfer{kBob, 10}, op);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later.applied().duplicate);
}

TEST_F(LedgerTest, HostileAmountsAndActorsAreRefusedWithoutStateChange) {
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, 1000}).ok());
  const Digest before = digest();
  expect_refused(submit(kAlice, Transfer{kBob, -5}), Code::kInvalidAmount);
  expect_refused(submit(kAlice, Transfer{kBob, 0}), Code::kInvalidAmount);
  expect_refused(submit(kAlice, Transfer{kBob, 1001}), Code::kInsufficientFunds);
  expect_refused(submit(kAlice, Transfer{kAlice, 1}), Code::kInvalidRequest);
  expect_refused(submit(kAlice, Withdraw{std::numeric_limits<Amount>::min()}), Code::kInvalidAmount);
  expect_refused(submit(kAlice, Mint{kAlice, 5}), Code::kUnauthorized);
  expect_refused(submit(kAlice, CollectFees{1}), Code::kUnauthorized);
  expect_refused(submit(kOperator, Mint{kBob, kMaxAmount}), Code::kOverflow);  // 1000 already in
  expect_refused(submit(kBob, Unstake{1}), Code::kInsufficientFunds);
  expect_refused(submit(kAlice, Act{random_id<16>(rng_), "deposit", {}}), Code::kUnknownInstance);
  EXPECT_EQ(digest(), before);
}

TEST_F(LedgerTest, BalanceOverflowIsRefused) {
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, kMaxAmount - 10}).ok());
  expect_refused(submit(kOperator, Mint{kBob, 11}), Code::kOverflow);
  ASSERT_TRUE(submit(kOperator, Mint{kBob, 10}).ok());
  EXPECT_EQ(*ledger_->balance("world"), -kMaxAmount);
}

TEST_F(LedgerTest, EnvelopeChainsRejectReplaysAndGaps) {
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, 1000}).ok());
  auto chained = [&](std::uint64_t seq, Digest prev, Digest hash, Amount amount) {
    return ledger_->apply(Submission{kAlice, Request{random_id<16>(rng_), Transfer{kBob, amount}},
                                     ChainStep{InstanceId{}, seq, prev, hash}});
  };
  const Digest h1{1}, h2{2};
  ASSERT_TRUE(chained(1, Digest{}, h1, 1).ok());
  expect_refused(chained(1, Digest{}, h2, 1), Code::kReplay);  // seq reused
  expect_refused(chained(3, h1, h2, 1), Code::kReplay);        // gap
  expect_refused(chained(2, h2, h2, 1), Code::kReplay);        // wrong previous hash
  ASSERT_TRUE(chained(2, h1, h2, 1).ok());
  auto head = ledger_->chain_head(kAlice, InstanceId{});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 2u);
  EXPECT_EQ(head->hash, h2);
  // The envelope's instance must be the request's.
  Outcome o = ledger_->apply(
      Submission{kAlice, Request{random_id<16>(rng_), Transfer{kBob, 1}}, ChainStep{InstanceId{9}, 1, Digest{}, h1}});
  expect_refused(o, Code::kInvalidRequest);
}

TEST_F(LedgerTest, BatchesApplyEachRequestOrRefuseItAlone) {
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, 100}).ok());
  std::vector<Submission> batch;
  batch.push_back({kAlice, Request{random_id<16>(rng_), Transfer{kBob, 60}}, std::nullopt});
  batch.push_back({kAlice, Request{random_id<16>(rng_), Transfer{kBob, 60}}, std::nullopt});  // overdraft now
  batch.push_back({kBob, Request{random_id<16>(rng_), Transfer{kAlice, 10}}, std::nullopt});
  batch.push_back(batch[0]);  // a retry inside the same batch
  std::vector<Outcome> out = ledger_->apply_batch(batch);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(out[0].ok());
  ASSERT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].rejection().code, Code::kInsufficientFunds);
  EXPECT_TRUE(out[2].ok());
  ASSERT_TRUE(out[3].ok());
  EXPECT_TRUE(out[3].applied().duplicate);
  EXPECT_EQ(bal(kAlice), 50);
  EXPECT_EQ(bal(kBob), 50);
  EXPECT_EQ(ledger_->audit_head()->seq, 3u);
  auto report = verify_ledger(*ledger_);
  EXPECT_TRUE(report->ok());
}

TEST_F(LedgerTest, TimeNeverRunsBackwards) {
  ASSERT_TRUE(submit(kOperator, Mint{kAlice, 100}).ok());
  const std::int64_t t1 = clock_.now_ms();
  clock_.advance(-60'000);
  Outcome o = submit(kAlice, Transfer{kBob, 1});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.applied().time_ms, t1);
}

TEST_F(LedgerTest, TheOperatorIsPinnedToTheFile) {
  ledger_.reset();
  auto other = Ledger::open(Ledger::Options{dir_.file("ledger.db"), &clock_, kAlice, false});
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("belongs to operator"), std::string::npos);
  auto same = Ledger::open(Ledger::Options{dir_.file("ledger.db"), &clock_, std::nullopt, false});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)->operator_key(), kOperator);
}

// Tampering with the file, as someone with write access to it could, is detected.
class Tamper : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(submit(kOperator, Mint{kAlice, 1000}).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(submit(kAlice, Transfer{kBob, 10 + i}).ok());
    ASSERT_TRUE(verify_ledger(dir_.file("ledger.db"))->ok());
  }
  std::vector<std::string> problems_after(const std::string& sql) {
    ledger_.reset();
    {
      auto db = sql::Db::open(dir_.file("ledger.db"), 2 /* SQLITE_OPEN_READWRITE */);
      EXPECT_TRUE(db.ok());
      Status s = (*db)->exec(
          "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER journal_no_update; "
          "DROP TRIGGER journal_no_delete; DROP TRIGGER operations_no_update; DROP TRIGGER operations_no_delete; " +
          sql);
      EXPECT_TRUE(s.ok()) << s.error().message;
    }
    auto report = verify_ledger(dir_.file("ledger.db"));
    EXPECT_TRUE(report.ok());
    return report->problems;
  }
};

TEST_F(Tamper, TheTriggersRefuseRewritingHistory) {
  Status s = ledger_->db().exec("DELETE FROM audit WHERE seq = 3");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("append-only"), std::string::npos);
  EXPECT_FALSE(ledger_->db().exec("UPDATE journal SET delta = 0").ok());
}

TEST_F(Tamper, ABalanceChangedBehindTheJournal) {
  auto p = problems_after("UPDATE accounts SET balance = balance + 5 WHERE name = '" + party_account(kBob) + "'");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p[0].find("journal sums to"), std::string::npos) << p[0];
}

TEST_F(Tamper, AJournalLineChanged) {
  auto p = problems_after("UPDATE journal SET delta = delta + 1 WHERE seq = 3 AND line = 1");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p[0].find("differs from the recorded postings"), std::string::npos) << p[0];
}

TEST_F(Tamper, AnAuditRecordChanged) {
  auto p =
      problems_after("UPDATE audit SET record = substr(record, 1, 20) || x'ff' || substr(record, 22) WHERE seq = 2");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p[0].find("hash does not match"), std::string::npos) << p[0];
}

TEST_F(Tamper, AnAuditRowRemoved) {
  auto p = problems_after("DELETE FROM audit WHERE seq = 4");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p[0].find("expected seq 4"), std::string::npos) << p[0];
}

TEST_F(Tamper, AChainRecomputedOverAForgedRecordStillFailsTheReplay) {
  // An attacker rewrites row 6's request (transfer 14 -> 1000) and recomputes its hash;
  // the chain then links, but the replay refuses (Alice cannot pay 1000) or differs.
  ledger_.reset();
  {
    auto db = sql::Db::open(dir_.file("ledger.db"), 2);
    ASSERT_TRUE(db.ok());
    auto st = (*db)->prepare("SELECT prev_hash, record FROM audit WHERE seq = 6");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*(*st)->step());
    std::vector<std::uint8_t> prev = (*st)->blob_at(0);
    auto rec = decode_audit_record((*st)->blob_at(1));
    ASSERT_TRUE(rec.ok());
    auto req = decode_request(rec->request);
    ASSERT_TRUE(req.ok());
    std::get<Transfer>(req->body).amount = 1000;
    rec->request = encode_request(*req);
    std::vector<std::uint8_t> record = encode_audit_record(*rec);
    Digest p{};
    std::copy(prev.begin(), prev.end(), p.begin());
    Digest h = audit_hash(p, record);
    ASSERT_TRUE((*db)->exec("DROP TRIGGER audit_no_update").ok());
    auto up = (*db)->prepare("UPDATE audit SET record = ?, hash = ? WHERE seq = 6");
    ASSERT_TRUE(up.ok());
    (*up)->bind(1, record).bind(2, h);
    ASSERT_TRUE((*up)->run().ok());
  }
  auto report = verify_ledger(dir_.file("ledger.db"));
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->ok());
  bool replay_problem = false;
  for (const auto& p : report->problems) replay_problem |= p.find("replay") != std::string::npos;
  EXPECT_TRUE(replay_problem);
}

}  // namespace
}  // namespace verdict::escrow
