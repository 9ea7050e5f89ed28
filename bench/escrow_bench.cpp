// bench_escrow: end-to-end throughput and latency of the escrow service.
//
// Starts the real `verdict escrow serve` binary on a fresh ledger file (SQLite, WAL,
// synchronous=FULL) on loopback TCP, funds N client keys, then runs N client threads
// (each its own key and DEALER socket) that each submit signed transfers back to back,
// waiting for each acknowledgement (which the service sends only after the commit that
// made the operation durable). Reports durable operations per second over the measured
// window and the latency percentiles of one request (sign, send, verify, group commit,
// reply, verify reply), then verifies the ledger.
//
//   bench_escrow [--clients 8] [--seconds 10] [--warmup 1] [--verdict PATH] [--dir DIR]
//                [--inproc]
// --inproc runs the service on a thread of this process instead of the binary.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "escrow/audit.hpp"
#include "escrow/ledger.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/escrowd/server.hpp"
#include "parties/wire/keys.hpp"

extern char** environ;

namespace {

using namespace verdict;
using Clock = std::chrono::steady_clock;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    std::abort();
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string self_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

int usage() {
  std::fprintf(
      stderr, "usage: bench_escrow [--clients N] [--seconds S] [--warmup S] [--verdict PATH] [--dir DIR] [--inproc]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 8;
  double seconds = 10, warmup = 1;
  std::string verdict_bin = self_dir() + "/verdict", dir_arg;
  bool inproc = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--clients" && (v = next()))
      clients = std::atoi(v);
    else if (a == "--seconds" && (v = next()))
      seconds = std::atof(v);
    else if (a == "--warmup" && (v = next()))
      warmup = std::atof(v);
    else if (a == "--verdict" && (v = next()))
      verdict_bin = v;
    else if (a == "--dir" && (v = next()))
      dir_arg = v;
    else if (a == "--inproc")
      inproc = true;
    else
      return usage();
  }
  if (clients < 1 || seconds <= 0) return usage();

  std::string dir = dir_arg;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bench-escrow-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return 3;
    dir = tmpl;
  }
  const std::string db = dir + "/bench.db", log = dir + "/serve.log";
  std::filesystem::remove(db);
  OsRng rng;
  wire::KeyPair server_key = wire::KeyPair::generate(rng), op_key = wire::KeyPair::generate(rng);
  std::filesystem::remove(dir + "/service.key");
  std::filesystem::remove(dir + "/operator.pub");
  if (!wire::write_secret_key(dir + "/service.key", server_key).ok() ||
      !wire::write_public_key(dir + "/operator.pub", op_key.public_key()).ok())
    return 3;
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());

  zmq::context_t ctx;
  escrow::SystemClock clock;
  pid_t server_pid = -1;
  std::unique_ptr<escrow::Ledger> ledger;
  std::unique_ptr<escrowd::EscrowServer> server;
  std::thread server_thread;
  if (inproc) {
    auto l = escrow::Ledger::open(escrow::Ledger::Options{db, &clock, op_key.public_key(), false});
    if (!l.ok()) {
      std::fprintf(stderr, "bench_escrow: %s\n", l.error().message.c_str());
      return 3;
    }
    ledger = std::move(l).value();
    escrowd::ServerOptions o;
    o.bind = endpoint;
    auto s = escrowd::EscrowServer::create(ctx, *ledger, clock, wire::KeyPair::from_seed(server_key.seed()).value(), o);
    if (!s.ok()) return 3;
    server = std::move(*s);
    server_thread = std::thread([&] { (void)server->run(); });
  } else {
    std::vector<std::string> args{verdict_bin,
                                  "escrow",
                                  "serve",
                                  "--db",
                                  db,
                                  "--bind",
                                  endpoint,
                                  "--key",
                                  dir + "/service.key",
                                  "--operator",
                                  dir + "/operator.pub"};
    std::vector<char*> cargs;
    for (auto& s : args) cargs.push_back(s.data());
    cargs.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&server_pid, verdict_bin.c_str(), &fa, nullptr, cargs.data(), environ) != 0) {
      std::fprintf(stderr, "bench_escrow: cannot start %s (use --verdict PATH or --inproc)\n", verdict_bin.c_str());
      return 3;
    }
    posix_spawn_file_actions_destroy(&fa);
  }

  escrowd::ClientOptions co;
  co.endpoint = endpoint;
  co.timeout_ms = 2000;
  co.max_attempts = 10;
  std::vector<wire::KeyPair> keys;
  for (int i = 0; i < clients; ++i) keys.push_back(wire::KeyPair::generate(rng));
  {
    escrowd::EscrowClient op(ctx, op_key, server_key.public_key(), clock, co);
    for (const auto& k : keys) {
      escrow::Request r;
      rng.fill(r.op_id);
      r.body = escrow::Mint{k.public_key(), 1'000'000'000'000};
      auto rep = op.submit(r);
      if (!rep.ok() || rep->status != escrowd::ReplyStatus::kApplied) {
        std::fprintf(stderr, "bench_escrow: funding failed\n");
        return 3;
      }
    }
  }

  std::atomic<bool> go{false}, stop{false};
  std::mutex mu;
  std::vector<double> latencies_us;
  std::uint64_t measured = 0, failures = 0;
  const auto start = Clock::now() + std::chrono::milliseconds(100);
  const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const auto measure_to =
      measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      escrowd::EscrowClient cl(ctx, keys[c], server_key.public_key(), clock, co);
      ChaChaRng r(static_cast<std::uint64_t>(c) + 1);
      const auto& to = keys[(c + 1) % clients].public_key();
      std::vector<double> mine;
      std::uint64_t n = 0, bad = 0;
      while (!go.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
      while (!stop.load()) {
        escrow::Request req;
        r.fill(req.op_id);
        req.body = clients > 1 ? escrow::Body(escrow::Transfer{to, 1}) : escrow::Body(escrow::Stake{1});
        const auto t0 = Clock::now();
        auto rep = cl.submit(req);
        const auto t1 = Clock::now();
        if (!rep.ok() || rep->status != escrowd::ReplyStatus::kApplied) {
          ++bad;
          continue;
        }
        if (t0 >= measure_from && t1 <= measure_to) {
          mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
          ++n;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
      measured += n;
      failures += bad;
    });
  }
  std::this_thread::sleep_until(start);
  go = true;
  std::this_thread::sleep_until(measure_to);
  stop = true;
  for (auto& t : threads) t.join();

  std::string server_stats;
  double server_cpu_s = 0;
  if (inproc) {
    server->stop();
    server_thread.join();
    auto s = server->stats();
    server_stats = std::to_string(s.applied) + " applied in " + std::to_string(s.batches) + " batches";
    server.reset();
    ledger.reset();
  } else {
    ::kill(server_pid, SIGTERM);
    int status = 0;
    rusage ru{};
    ::wait4(server_pid, &status, 0, &ru);
    server_cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::ifstream f(log);
    std::string line;
    while (std::getline(f, line)) {
      if (line.find("stopped after") != std::string::npos) server_stats = line.substr(line.find("stopped after") + 14);
    }
  }
  auto report = escrow::verify_ledger(db);
  const bool verified = report.ok() && report->ok();

  const double ops_per_s = static_cast<double>(measured) / seconds;
  std::vector<double> l = latencies_us;
  const double p50 = percentile(l, 0.50), p90 = percentile(l, 0.90), p99 = percentile(l, 0.99),
               p999 = percentile(l, 0.999), max = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
  std::printf("escrow service, %s, %d clients over loopback TCP, %.1f s measured after %.1f s warm-up\n",
              inproc ? "in-process" : "verdict escrow serve", clients, seconds, warmup);
  std::printf("  durable operations      %llu (signed transfers; %llu failed)\n",
              static_cast<unsigned long long>(measured), static_cast<unsigned long long>(failures));
  std::printf("  throughput              %.0f ops/s\n", ops_per_s);
  std::printf("  latency p50 / p90 / p99 / p99.9 / max   %.0f / %.0f / %.0f / %.0f / %.0f us\n", p50, p90, p99, p999,
              max);
  std::printf("  server                  %s\n", server_stats.c_str());
  if (!inproc) {
    std::printf("  server CPU              %.2f s in total, %.0f us per applied operation\n", server_cpu_s,
                report.ok() && report->rows ? server_cpu_s * 1e6 / static_cast<double>(report->rows) : 0.0);
  }
  std::printf("  ledger verify-log       %s (%llu audit rows)\n", verified ? "ok" : "FAILED",
              report.ok() ? static_cast<unsigned long long>(report->rows) : 0ULL);
  std::printf(
      "{\"bench\":\"escrow\",\"clients\":%d,\"ops_per_s\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f,\"verified\":%s}\n",
      clients, ops_per_s, p50, p99, verified ? "true" : "false");
  if (dir_arg.empty()) std::filesystem::remove_all(dir);
  return verified && failures == 0 ? 0 : 1;
}
