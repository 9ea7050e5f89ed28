// Crash safety, against the real `verdict escrow serve` binary: several clients stream
// operations (transfers that race, stakes, accuracy instances driven to settlement)
// while the service is SIGKILLed at random moments, at least 200 times, and restarted
// on the same ledger file and port; the clients retry until answered. Then:
//   - every acknowledged operation is in the audit log exactly once, with the result the
//     client was given (acknowledged before a kill and answered again after as a
//     duplicate included);
//   - nothing acknowledged is lost, and nothing unacknowledged was applied: the balances
//     equal the sum of the postings of the acknowledged operations, exactly;
//   - money is conserved (money in the system = what was minted), nothing is negative;
//   - the audit chain verifies and replays serially to the same state
//     (verify_ledger, and `verdict escrow verify-log` exits 0).
// Seed: VERDICT_SEED (printed). VERDICT_CRASH_KILLS overrides the number of kills.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "escrow/accuracy_rules.hpp"
#include "escrow/audit.hpp"
#include "escrow/sqlite.hpp"
#include "escrow/testing.hpp"
#include "parties/escrowd/client.hpp"

extern char** environ;

namespace verdict::escrowd {
namespace {

using escrow::testing::random_id;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    std::abort();
  ::close(fd);
  return ntohs(a.sin_port);
}

// Runs `argv` with stdout and stderr appended to `log`; returns its pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Ack {
  wire::PublicKey actor{};
  escrow::OpId op{};
  std::uint64_t audit_seq = 0;
  std::vector<std::uint8_t> result;
  bool duplicate = false;
};

TEST(Crash, KilledAtRandomTheServiceLosesNothingAndAppliesEverythingOnce) {
  const std::uint64_t seed = escrow::testing::test_seed(0xc4a5);
  const char* kills_env = std::getenv("VERDICT_CRASH_KILLS");
  const int kKills = kills_env ? std::atoi(kills_env) : 200;
  constexpr int kClients = 4;
  std::printf("crash: seed %llu, %d kills, %d clients, binary %s\n", static_cast<unsigned long long>(seed), kKills,
              kClients, VERDICT_BIN);
  escrow::testing::TempDir dir;
  ChaChaRng rng(seed);
  const std::string db = dir.file("escrow.db"), log = dir.file("serve.log");
  wire::KeyPair server_key = wire::KeyPair::generate(rng), op_key = wire::KeyPair::generate(rng);
  ASSERT_TRUE(wire::write_secret_key(dir.file("service.key"), server_key).ok());
  ASSERT_TRUE(wire::write_public_key(dir.file("operator.pub"), op_key.public_key()).ok());
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());
  const std::vector<std::string> argv{VERDICT_BIN,
                                      "escrow",
                                      "serve",
                                      "--db",
                                      db,
                                      "--bind",
                                      endpoint,
                                      "--key",
                                      dir.file("service.key"),
                                      "--operator",
                                      dir.file("operator.pub")};
  pid_t server = spawn(argv, log);
  ASSERT_GT(server, 0);

  zmq::context_t ctx;
  escrow::SystemClock clock;
  ClientOptions co;
  co.endpoint = endpoint;
  co.timeout_ms = 80;
  co.max_attempts = 0;  // retry until answered
  co.reconnect_ivl_ms = 5;

  std::vector<wire::KeyPair> keys;  // per client: main, mc, verifier
  for (int i = 0; i < 3 * kClients; ++i) keys.push_back(wire::KeyPair::generate(rng));
  constexpr escrow::Amount kFunding = 1'000'000;
  std::mutex mu;
  std::vector<Ack> acks;
  auto record = [&](const wire::KeyPair& who, const escrow::Request& r, const Reply& rep) {
    if (rep.status != ReplyStatus::kApplied && rep.status != ReplyStatus::kDuplicate) return;
    std::lock_guard<std::mutex> lock(mu);
    acks.push_back(Ack{who.public_key(), r.op_id, rep.audit_seq, rep.body, rep.status == ReplyStatus::kDuplicate});
  };
  {
    EscrowClient op(ctx, op_key, server_key.public_key(), clock, co);
    for (const auto& k : keys) {
      escrow::Request r{random_id<16>(rng), escrow::Mint{k.public_key(), kFunding}};
      auto rep = op.submit(r);
      ASSERT_TRUE(rep.ok());
      ASSERT_EQ(rep->status, ReplyStatus::kApplied) << rep->reason;
      record(op_key, r, *rep);
    }
  }
  escrow::AccuracyParams p = escrow::testing::small_params(2, 8, 100, 10, 20, 5);
  p.mp_min_stake = 1000;
  const escrow::RuleSet rules = *escrow::accuracy_rule_set(p);
  const escrow::Digest consent = escrow::rules_digest(rules);

  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::atomic<std::uint64_t> submitted{0}, retransmissions{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      ChaChaRng r(seed * 31 + static_cast<std::uint64_t>(c));
      const wire::KeyPair& me = keys[3 * c];
      const wire::KeyPair& mc = keys[3 * c + 1];
      const wire::KeyPair& ver = keys[3 * c + 2];
      EscrowClient cme(ctx, me, server_key.public_key(), clock, co), cmc(ctx, mc, server_key.public_key(), clock, co),
          cver(ctx, ver, server_key.public_key(), clock, co);
      auto run = [&](EscrowClient& cl, const wire::KeyPair& who, escrow::Body body) {
        escrow::Request req{random_id<16>(r), std::move(body)};
        submitted += 1;
        auto rep = cl.submit(req);
        if (!rep.ok()) {
          errors += 1;
          return;
        }
        record(who, req, *rep);
      };
      const char* path[] = {"choose_subset", "send_subset", "ack_subset",       "publish_subset_key", "proceed",
                            "send_rest",     "ack_rest",    "publish_rest_key", "submit_proofs"};
      escrow::InstanceId id{};
      int step = -1;  // -1: no instance; 0: open; 1, 2: deposits; 3..: path
      while (!done.load()) {
        const std::uint64_t kind = r.uniform(10);
        if (kind < 5) {
          const auto& to = keys[3 * r.uniform(kClients)].public_key();
          if (to != me.public_key())
            run(cme, me, escrow::Transfer{to, static_cast<escrow::Amount>(1 + r.uniform(900))});
        } else if (kind < 7) {
          run(cme, me,
              r.uniform(2) ? escrow::Body(escrow::Stake{static_cast<escrow::Amount>(1 + r.uniform(2000))})
                           : escrow::Body(escrow::Unstake{static_cast<escrow::Amount>(1 + r.uniform(2000))}));
        } else {
          if (step < 0) {
            id = random_id<16>(r);
            run(cmc, mc, escrow::OpenInstance{id, rules, {me.public_key(), mc.public_key(), ver.public_key()}});
          } else if (step == 0) {
            run(cme, me, escrow::Act{id, "deposit", consent});
          } else if (step == 1) {
            run(cmc, mc, escrow::Act{id, "deposit", consent});
          } else if (step - 2 < 9) {
            run((step - 2) % 2 == 0 ? cme : cmc, (step - 2) % 2 == 0 ? me : mc,
                escrow::Act{id, path[step - 2], escrow::Digest{9}});
          } else {
            run(cver, ver, escrow::Act{id, r.uniform(2) ? "pass" : "fail", escrow::Digest{8}});
          }
          step = step >= 11 ? -1 : step + 1;
        }
      }
      retransmissions += cme.stats().retransmissions + cmc.stats().retransmissions + cver.stats().retransmissions;
    });
  }

  // The killer.
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2 + rng.uniform(60)));
    ASSERT_EQ(::kill(server, SIGKILL), 0);
    EXPECT_EQ(wait_exit(server), 128 + SIGKILL);
    if (rng.uniform(4) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(rng.uniform(30)));
    server = spawn(argv, log);
    ASSERT_GT(server, 0);
  }
  // Let the clients finish what they are doing against a live service, then stop them.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  done = true;
  for (auto& t : clients) t.join();
  ASSERT_EQ(::kill(server, SIGTERM), 0);
  EXPECT_EQ(wait_exit(server), 0) << "graceful stop";
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(errors.load(), 0);

  std::size_t dups = 0;
  for (const Ack& a : acks) dups += a.duplicate ? 1 : 0;
  std::printf(
      "crash: %d kills in %.1f s; %llu requests, %zu acknowledged as applied (%zu of them only as a "
      "duplicate after a kill), %llu retransmissions\n",
      kKills, secs, static_cast<unsigned long long>(submitted.load()), acks.size(), dups,
      static_cast<unsigned long long>(retransmissions.load()));

  // 1. The audit chain verifies and replays to the same state.
  auto report = escrow::verify_ledger(db);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_TRUE(report->ok()) << report->problems[0];
  EXPECT_EQ(report->money_in_system, kFunding * static_cast<escrow::Amount>(keys.size()));
  EXPECT_EQ(wait_exit(spawn({VERDICT_BIN, "escrow", "verify-log", "--db", db}, dir.file("verify.log"))), 0);

  // 2. Exactly once: each acknowledged op is one audit row with the acknowledged result;
  //    no audit row is an op nobody was told about.
  auto ro = escrow::Ledger::open(escrow::Ledger::Options{db, nullptr, std::nullopt, true});
  ASSERT_TRUE(ro.ok());
  std::map<std::pair<wire::PublicKey, escrow::OpId>, std::vector<std::uint64_t>> rows_of;
  std::map<std::uint64_t, std::vector<std::uint8_t>> result_of;
  {
    auto st = (*ro)->db().prepare("SELECT record FROM audit ORDER BY seq");
    ASSERT_TRUE(st.ok());
    while (*(*st)->step()) {
      auto rec = escrow::decode_audit_record((*st)->blob_at(0));
      ASSERT_TRUE(rec.ok());
      rows_of[{rec->actor, escrow::decode_request(rec->request)->op_id}].push_back(rec->seq);
      result_of[rec->seq] = rec->result;
    }
  }
  std::map<std::pair<wire::PublicKey, escrow::OpId>, const Ack*> unique;
  for (const Ack& a : acks) {
    auto key = std::make_pair(a.actor, a.op);
    auto it = rows_of.find(key);
    ASSERT_NE(it, rows_of.end()) << "an acknowledged operation is missing from the audit log";
    ASSERT_EQ(it->second.size(), 1u) << "an operation was applied more than once";
    EXPECT_EQ(it->second[0], a.audit_seq);
    EXPECT_EQ(result_of[a.audit_seq], a.result) << "a retry returned another result than the first";
    unique[key] = &a;
  }
  EXPECT_EQ(unique.size(), rows_of.size()) << "an operation nobody acknowledged was applied";

  // 3. Balances are exactly the acknowledged postings; nothing negative; sum zero.
  std::map<std::string, escrow::Amount> expect;
  for (const auto& [key, a] : unique) {
    auto result = escrow::decode_result(a->result);
    ASSERT_TRUE(result.ok());
    for (const auto& posting : result->postings) expect[posting.account] += posting.delta;
  }
  auto balances = (*ro)->balances();
  ASSERT_TRUE(balances.ok());
  escrow::Amount sum = 0;
  for (const auto& [name, b] : *balances) {
    EXPECT_EQ(b, expect[name]) << name;
    if (name != escrow::kWorldAccount) {
      EXPECT_GE(b, 0) << name;
    }
    sum += b;
  }
  EXPECT_EQ(sum, 0);
  EXPECT_GT(acks.size(), static_cast<std::size_t>(kKills) / 2) << "the clients made too little progress to mean much";
}

}  // namespace
}  // namespace verdict::escrowd
