#include "sim/monte_carlo.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace verdict::sim {

Result<RunOutcome> play_run(ProtocolSim& sim, const SybilSpec& sybil, std::uint64_t run_index, Rng& rng) {
  if (!sybil.active()) return sim.run(run_index, rng);
  RunOutcome total;
  for (std::uint32_t j = 0; j < sybil.identities; ++j) {
    auto out = sim.run(run_index * sybil.identities + j, rng);
    if (!out.ok()) return out.error().context("identity " + std::to_string(j));
    if (j == 0) {
      total = std::move(*out);
    } else {
      for (std::size_t r = 0; r < total.ledger_net.size(); ++r) {
        total.ledger_net[r] += out->ledger_net[r];
        total.cost[r] += out->cost[r];
      }
      total.fees += out->fees;
      total.duration_ms += out->duration_ms;
      total.escrow_ops += out->escrow_ops;
      total.terminal = std::move(out->terminal);
    }
    total.identities = j + 1;
    if (!sybil.until.empty() && total.terminal == sybil.until) break;
  }
  return total;
}

Result<CaseResult> simulate_case(const ProtocolInfo& protocol, const CaseSpec& spec, const CostModel& cost,
                                 const MonteCarloOptions& options) {
  const std::uint64_t runs = options.runs;
  if (runs == 0 || runs > kMaxRunsPerCase)
    return Error{"case '" + spec.name + "': runs must be 1 to " + std::to_string(kMaxRunsPerCase)};
  // Every instance has its own run index (and virtual start time).
  if (runs > kMaxRunsPerCase / std::max<std::uint64_t>(spec.sybil.identities, 1))
    return Error{"case '" + spec.name + "': runs x sybil identities (" + std::to_string(runs) + " x " +
                 std::to_string(spec.sybil.identities) + ") above " + std::to_string(kMaxRunsPerCase)};
  std::vector<RunOutcome> outcomes(runs);
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // About eight blocks per thread (load balance), each large enough to amortise building
  // a simulator. A run's outcome does not depend on its block (each run has a fresh
  // instance and its own time base), so neither do the results.
  const std::uint64_t block = std::clamp<std::uint64_t>(runs / (8 * std::uint64_t{threads}), kMinBlockRuns, kBlockRuns);
  const std::uint64_t blocks = (runs + block - 1) / block;
  threads = static_cast<unsigned>(std::min<std::uint64_t>(threads, blocks));

  std::atomic<std::uint64_t> next_block{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<std::pair<std::uint64_t, Error>> first_error;  // the lowest failing run
  auto report = [&](std::uint64_t run, const Error& e) {
    std::lock_guard<std::mutex> lock(error_mutex);
    if (!first_error || run < first_error->first) first_error.emplace(run, e);
    failed = true;
  };
  auto worker = [&] {
    for (;;) {
      const std::uint64_t b = next_block.fetch_add(1);
      if (b >= blocks || failed) return;
      auto sim = protocol.make(spec, cost);
      if (!sim.ok()) {
        report(b * block, sim.error());
        return;
      }
      const std::uint64_t end = std::min(runs, (b + 1) * block);
      for (std::uint64_t i = b * block; i < end; ++i) {
        ChaChaRng rng(run_key(options.seed, spec.name, i));
        auto out = play_run(**sim, spec.sybil, i, rng);
        if (!out.ok()) {
          report(i, out.error());
          return;
        }
        outcomes[i] = std::move(*out);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error)
    return first_error->second.context("case '" + spec.name + "', run " + std::to_string(first_error->first) +
                                       " (seed " + std::to_string(options.seed) + ")");

  CaseResult result;
  result.spec = spec;
  result.runs = runs;
  const std::size_t roles = protocol.roles.size();
  std::vector<double> payoff(runs), net(runs), spent(runs);
  for (std::size_t r = 0; r < roles; ++r) {
    RoleResult rr;
    rr.role = protocol.roles[r];
    rr.strategy = spec.parties[r].strategy;
    rr.owner = spec.parties[r].owner.empty() ? rr.role : spec.parties[r].owner;
    rr.ahead.n = runs;
    for (std::uint64_t i = 0; i < runs; ++i) {
      payoff[i] = outcomes[i].payoff(r);
      net[i] = static_cast<double>(outcomes[i].ledger_net[r]);
      spent[i] = outcomes[i].cost[r];
      if (payoff[i] > 0) ++rr.ahead.k;
    }
    rr.payoff = summarize(payoff);
    rr.ledger_net = summarize(net);
    rr.cost = summarize(spent);
    result.roles.push_back(std::move(rr));
  }
  // Coalitions: an owner label shared by several roles.
  std::map<std::string, std::vector<std::size_t>> by_owner;
  for (std::size_t r = 0; r < roles; ++r) by_owner[result.roles[r].owner].push_back(r);
  for (const auto& [owner, members] : by_owner) {
    if (members.size() < 2) continue;
    CoalitionResult c;
    c.owner = owner;
    c.ahead.n = runs;
    for (std::size_t r : members) c.roles.push_back(protocol.roles[r]);
    for (std::uint64_t i = 0; i < runs; ++i) {
      payoff[i] = 0;
      for (std::size_t r : members) payoff[i] += outcomes[i].payoff(r);
      if (payoff[i] > 0) ++c.ahead.k;
    }
    c.payoff = summarize(payoff);
    result.coalitions.push_back(std::move(c));
  }
  std::vector<double> fees(runs), duration(runs), ops(runs), identities(runs);
  for (std::uint64_t i = 0; i < runs; ++i) {
    fees[i] = static_cast<double>(outcomes[i].fees);
    duration[i] = static_cast<double>(outcomes[i].duration_ms) / 1000.0;
    ops[i] = static_cast<double>(outcomes[i].escrow_ops);
    identities[i] = outcomes[i].identities;
    ++result.terminals[outcomes[i].terminal];
  }
  result.fees = summarize(fees);
  result.duration_s = summarize(duration);
  result.escrow_ops = summarize(ops);
  result.identities = summarize(identities);
  if (protocol.closed_forms) result.closed_forms = sybil_closed_forms(protocol.closed_forms(spec, cost), spec.sybil);
  return result;
}

}  // namespace verdict::sim
