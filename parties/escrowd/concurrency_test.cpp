// Concurrency: 10 clients at once (each its own thread, key and socket) hammer one
// escrow service with contending operations: transfers among themselves (so overdrafts
// race), stakes, and accuracy instances they drive to settlement together. Afterwards:
//   - every acknowledged result equals the result recorded in the audit log for that
//     (actor, op id), and every audit row was acknowledged to someone;
//   - verify_ledger() replays the audit log serially into a fresh ledger and gets the
//     same results and the same state (accounts, journal, operations, instances);
//   - money is conserved.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <mutex>

#include "escrow/audit.hpp"
#include "escrow/sqlite.hpp"
#include "parties/escrowd/testing.hpp"

namespace verdict::escrowd {
namespace {

using testing::expect_applied;

class Concurrency : public testing::ServiceTest {
 protected:
  // Timestamps and deadlines on the wall clock: the clients run concurrently.
  const escrow::Clock* server_clock() override { return &wall_; }
  escrow::SystemClock wall_;
};

struct Ack {
  wire::PublicKey actor{};
  escrow::OpId op{};
  std::uint64_t audit_seq = 0;
  std::vector<std::uint8_t> result;
};

TEST_F(Concurrency, TenClientsEqualASerialReplay) {
  constexpr int kClients = 10;
  constexpr int kOpsPerClient = 120;
  const std::uint64_t seed = escrow::testing::test_seed(0xc0c0);
  std::printf("concurrency: seed %llu\n", static_cast<unsigned long long>(seed));

  std::vector<wire::KeyPair> keys;
  for (int i = 0; i < 3 * kClients; ++i) keys.push_back(new_key());  // per client: main, mc, verifier
  {
    auto op = client(operator_);
    for (const auto& k : keys) expect_applied(op->submit(req(escrow::Mint{k.public_key(), 50'000})));
  }
  escrow::AccuracyParams p = escrow::testing::small_params(2, 8, 100, 10, 20, 5);
  p.mp_min_stake = 1000;
  const escrow::RuleSet rules = *escrow::accuracy_rule_set(p);
  const escrow::Digest consent = escrow::rules_digest(rules);

  std::mutex mu;
  std::vector<Ack> acks;
  std::map<std::string, int> outcomes;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      ChaChaRng rng(seed + static_cast<std::uint64_t>(c));
      const wire::KeyPair& me = keys[3 * c];
      const wire::KeyPair& mc = keys[3 * c + 1];
      const wire::KeyPair& ver = keys[3 * c + 2];
      auto cme = client(me), cmc = client(mc), cver = client(ver);
      auto run = [&](EscrowClient& cl, escrow::Body body) {
        escrow::Request r{escrow::testing::random_id<16>(rng), std::move(body)};
        auto rep = cl.submit(r);
        std::lock_guard<std::mutex> lock(mu);
        if (!rep.ok()) {
          failures += 1;
          return std::optional<Reply>();
        }
        outcomes[rep->status == ReplyStatus::kRejected ? escrow::code_name(rep->code) : status_name(rep->status)] += 1;
        if (rep->status == ReplyStatus::kApplied)
          acks.push_back(Ack{cl.public_key(), r.op_id, rep->audit_seq, rep->body});
        return std::optional<Reply>(*rep);
      };
      int i = 0;
      while (i < kOpsPerClient) {
        const std::uint64_t kind = rng.uniform(10);
        if (kind < 6) {  // contending transfers, some overdrafts
          const auto& to = keys[3 * rng.uniform(kClients)].public_key();
          if (to == me.public_key()) continue;
          run(*cme,
              escrow::Transfer{to, static_cast<escrow::Amount>(1 + rng.uniform(rng.uniform(4) == 0 ? 90'000 : 2'000))});
          i += 1;
        } else if (kind < 8) {
          run(*cme, rng.uniform(2) ? escrow::Body(escrow::Stake{static_cast<escrow::Amount>(1 + rng.uniform(3000))})
                                   : escrow::Body(escrow::Unstake{static_cast<escrow::Amount>(1 + rng.uniform(3000))}));
          i += 1;
        } else {  // an accuracy instance, me as MP, driven to a settlement
          const escrow::InstanceId id = escrow::testing::random_id<16>(rng);
          run(*cmc, escrow::OpenInstance{id, rules, {me.public_key(), mc.public_key(), ver.public_key()}});
          run(*cme, escrow::Act{id, "deposit", consent});
          run(*cmc, escrow::Act{id, "deposit", consent});
          const char* path[] = {"choose_subset", "send_subset", "ack_subset",       "publish_subset_key", "proceed",
                                "send_rest",     "ack_rest",    "publish_rest_key", "submit_proofs"};
          EscrowClient* who[] = {cme.get(), cmc.get(), cme.get(), cmc.get(), cme.get(),
                                 cmc.get(), cme.get(), cmc.get(), cme.get()};
          const std::size_t n = 1 + rng.uniform(9);
          for (std::size_t k = 0; k < n; ++k) run(*who[k], escrow::Act{id, path[k], escrow::Digest{1}});
          if (n == 9)
            run(*cver, escrow::Act{id, rng.uniform(2) ? "pass" : "fail", escrow::Digest{2}});
          else
            run(*cme, escrow::Act{id, "abort", {}});
          i += static_cast<int>(n) + 4;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  const ServerStats stats = server_->stats();
  stop();
  for (const auto& [k, n] : outcomes) std::printf("  %s: %d\n", k.c_str(), n);
  std::printf("concurrency: %llu applied in %llu batches (%.2f per batch)\n",
              static_cast<unsigned long long>(stats.applied), static_cast<unsigned long long>(stats.batches),
              static_cast<double>(stats.applied + stats.rejected + stats.queries) / static_cast<double>(stats.batches));

  // The serial replay of the audit log reproduces every result and the final state.
  auto report = escrow::verify_ledger(db_path());
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_TRUE(report->ok()) << report->problems[0];
  // Every acknowledgement matches its audit row; every audit row was acknowledged.
  auto ro = escrow::Ledger::open(escrow::Ledger::Options{db_path(), nullptr, std::nullopt, true});
  ASSERT_TRUE(ro.ok());
  std::map<std::uint64_t, escrow::AuditRecord> rows;
  {
    auto st = (*ro)->db().prepare("SELECT record FROM audit ORDER BY seq");
    ASSERT_TRUE(st.ok());
    while (*(*st)->step()) {
      auto rec = escrow::decode_audit_record((*st)->blob_at(0));
      ASSERT_TRUE(rec.ok());
      rows[rec->seq] = *rec;
    }
  }
  const std::size_t funding = keys.size();
  EXPECT_EQ(rows.size(), acks.size() + funding);
  for (const Ack& a : acks) {
    auto it = rows.find(a.audit_seq);
    ASSERT_NE(it, rows.end());
    EXPECT_EQ(it->second.actor, a.actor);
    EXPECT_EQ(escrow::decode_request(it->second.request)->op_id, a.op);
    EXPECT_EQ(it->second.result, a.result);
  }
  EXPECT_EQ(report->money_in_system, static_cast<escrow::Amount>(funding) * 50'000);
  EXPECT_GT(stats.batches, 0u);
  EXPECT_LT(stats.batches, stats.applied + stats.rejected + stats.queries) << "no two requests ever shared a commit";
  start();  // TearDown stops it again
}

}  // namespace
}  // namespace verdict::escrowd
