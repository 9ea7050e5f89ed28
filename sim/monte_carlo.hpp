#pragma once
// Monte Carlo over a case: `runs` independent runs, run i seeded from (seed, case name,
// i) (protocol_sim.hpp run_key), played on `threads` worker threads. Each worker takes
// blocks of kMinBlockRuns to kBlockRuns consecutive runs and builds a fresh ProtocolSim
// (and so a fresh escrow) per block; results land in per-run slots and are summarised in run
// order, so the result is the same for any number of threads (and block size). A run that fails
// (conservation, a machine disagreeing with the ledger, a stuck loop) fails the whole
// case with its run index and seed: it is a bug, never a statistic.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "sim/protocol_sim.hpp"
#include "sim/statistics.hpp"

namespace verdict::sim {

inline constexpr std::uint64_t kBlockRuns = 4096;
inline constexpr std::uint64_t kMinBlockRuns = 64;

struct RoleResult {
  std::string role;
  std::string strategy;
  std::string owner;
  Summary payoff;      // ledger net minus work cost
  Summary ledger_net;
  Summary cost;
  Proportion ahead;    // runs with payoff > 0
};

// Parties with the same owner (a coalition: colluding roles, one operator's identities):
// their payoffs summed per run.
struct CoalitionResult {
  std::string owner;
  std::vector<std::string> roles;
  Summary payoff;
  Proportion ahead;
};

struct CaseResult {
  CaseSpec spec;
  std::uint64_t runs = 0;
  std::vector<RoleResult> roles;
  Summary fees;
  Summary duration_s;  // virtual seconds per run
  Summary escrow_ops;
  std::vector<CoalitionResult> coalitions;         // owners shared by two roles or more
  std::map<std::string, std::uint64_t> terminals;  // stage -> runs
  Summary identities;  // a Sybil case's identities played per run (1 otherwise)
  std::vector<ClosedForm> closed_forms;
};

struct MonteCarloOptions {
  std::uint64_t runs = 10'000;
  std::uint64_t seed = 1;
  unsigned threads = 0;  // 0: the machine's hardware threads
};

// One run of a case: one instance, or a Sybil's sequence of instances (SybilSpec),
// instance j of run i played as sim run i * identities + j on the run's rng.
Result<RunOutcome> play_run(ProtocolSim& sim, const SybilSpec& sybil, std::uint64_t run_index, Rng& rng);

Result<CaseResult> simulate_case(const ProtocolInfo& protocol, const CaseSpec& spec, const CostModel& cost,
                                 const MonteCarloOptions& options);

}  // namespace verdict::sim
