#pragma once
// Verified prediction serving's agents (paper 5.3; protocols/serving) as processes: MP,
// MC and the verifier around their machines, on the shared driver (driver.hpp: ZeroMQ,
// escrow, transcripts with signed checkpoints).
//
// Rounds: one process runs R rounds one after the other, each a fresh machine, a fresh
// escrow instance (MC draws a new round id) and a fresh driver: new sockets bound at
// that round's endpoints (`endpoints[r]`), new streams, and its own transcript
// `transcript_path + ".r<N>"` (N = 1..R). Distinct endpoints per round keep a message of
// round r+1, sent by a party that finished round r first, away from a peer still in
// round r (its driver would drop it as out of order); one transcript per round is one
// run for the judge (judge::audit covers one escrow instance).
//
// What the drivers do that the machines leave to them (protocol.hpp):
//   - MP's work: Predict runs `predict` (the model, or a deviation); ProveContested runs
//     `prove`. MC's and the verifier's: VerifyProofs runs `verify` (nn::verify).
//   - The instance to poll: MP's once it accepted MC's RoundOpen, MC's once it opens it;
//     the verifier rotates its machine's candidate_instances() until one opens.
//   - An escrow event the machine refuses "before the session is known" is kept and
//     offered again after the next message the machine accepts.
//   - MC and the verifier refuse a model commitment other than `expected_model`.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parties/agents/driver.hpp"
#include "protocols/serving/mc_machine.hpp"
#include "protocols/serving/protocol.hpp"

namespace verdict::agents {

struct ServingRoundResult {
  serving::Outcome outcome;
  std::string transcript;
  std::uint64_t transcript_records = 0;
  Digest transcript_head{};
  std::vector<std::uint32_t> contested;  // the contested indices, once known
  std::optional<std::string> rejection;  // MC, verifier: why the bundle was not accepted
};

struct ServingAgentConfig {
  serving::Role role = serving::Role::kMp;
  serving::Terms terms;
  // driver.role is set from `role`; driver.transcript_path is the prefix of the per-round
  // transcripts; driver.parties[*].endpoint is replaced by endpoints[r] in round r.
  DriverConfig driver;
  std::uint32_t rounds = 1;
  std::vector<std::array<std::string, 3>> endpoints;  // one per round: where each role listens

  // MP
  serving::Digest model_commitment{};
  // The outputs for round r's inputs (nullopt: not inputs of this model).
  std::function<std::optional<std::vector<serving::Bytes>>(std::uint32_t round, const std::vector<serving::Bytes>&)> predict;
  std::function<std::optional<std::vector<nn::ModelProof>>(const serving::ProveContested&)> prove;
  // MC: round r's K inputs.
  std::function<std::vector<serving::Bytes>(std::uint32_t round)> inputs;
  serving::ContestPolicy policy = serving::ContestPolicy::kAlways;
  // MC, verifier
  std::optional<serving::Digest> expected_model;
  std::function<std::vector<bool>(const std::vector<nn::ModelProof>&)> verify;
  // Called after every round (for logs and result files).
  std::function<void(std::uint32_t round, const ServingRoundResult&)> on_round;
};

struct ServingAgentResult {
  std::vector<ServingRoundResult> rounds;
};

// The transcript of round r (0-based) for a prefix: prefix + ".r" + (r + 1).
std::string serving_transcript_path(const std::string& prefix, std::uint32_t round);

// Errors: bad configuration (terms, endpoints), or a round that did not end (its error,
// naming the round; the rounds before are lost to the caller but on_round saw them).
Result<ServingAgentResult> run_serving_agent(const ServingAgentConfig& config);

}  // namespace verdict::agents
