#pragma once
// An accuracy-protocol agent as a process (docs/protocols.md, "Agents over ZeroMQ"): the
// driver around one machine of protocols/accuracy (MpMachine, McMachine or
// VerifierMachine). It owns the sockets, the keys, the transcript and the clock; the
// machine decides everything.
//
//   peers     one ZeroMQ PULL socket bound at the agent's endpoint; one PUSH socket
//             connected to each other party. A message is a signed envelope (sender,
//             recipient, the pair's stream id, seq, prev) plus one frame holding the
//             encoded message (peer_messages.hpp). A received envelope is accepted only
//             from a known party, addressed to this agent, correctly signed, with its
//             frame digest matching and as the next of its stream (wire::ReplayGuard);
//             anything else is dropped and logged.
//   escrow    an escrowd::EscrowClient; the instance (derived from the session, known
//             once both commitments are seen) is polled every poll_ms and each new
//             history event is fed to the machine in ledger order.
//   timers    SetTimer effects, fired from the loop's poll timeout (system clock).
//   work      inspection, proving and verification are callbacks run on the agent's
//             thread (the loop waits; ZeroMQ queues what arrives meanwhile).
//   transcript every envelope sent or received, peers and escrow operations alike, is
//             appended to a hash-chained transcript (transcript.hpp).
//
// Deviations for tests and demonstrations: `withhold` names transitions the agent never
// submits; `corrupt` transitions it submits with the first bit of the evidence flipped
// (e.g. a wrong decryption key); `exit_at_stage` makes the process exit at once (as if killed) when its
// machine reaches that stage.

#include <array>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "parties/agents/driver.hpp"
#include "parties/wire/envelope.hpp"
#include "parties/wire/keys.hpp"
#include "protocols/accuracy/protocol.hpp"

namespace verdict::agents {

struct AgentConfig {
  accuracy::Role role = accuracy::Role::kMp;
  accuracy::Terms terms;
  const wire::KeyPair* key = nullptr;       // this agent's identity; outlives the run
  std::array<PartyAddress, 3> parties;      // by role (own entry: the endpoint to bind)
  std::string escrow_endpoint;
  wire::PublicKey escrow_key{};
  std::string transcript_path;
  int poll_ms = 100;
  std::int64_t max_run_ms = 3'600'000;      // give up (error) if not finished by then

  // MP
  accuracy::Digest model_commitment{};
  std::function<bool(const accuracy::InspectSubset&)> inspect;  // proceed?
  std::function<std::optional<std::vector<nn::ModelProof>>(const accuracy::ProveRest&)> prove;
  // MC
  std::vector<accuracy::Example> examples;
  // MC and verifier: the model commitment of their verifying key, and proof checking.
  std::optional<accuracy::Digest> expected_model;
  std::function<std::vector<bool>(const std::vector<nn::ModelProof>&)> verify;

  std::set<std::string> withhold;
  std::set<std::string> corrupt;  // transitions submitted with the evidence's first bit flipped
  std::string exit_at_stage;
  std::function<void(const std::string&)> log;  // progress lines
};

struct AgentResult {
  accuracy::Outcome outcome;
  std::uint64_t transcript_records = 0;
  accuracy::Digest transcript_head{};
};

// Runs the protocol to its end. Errors: bad configuration, sockets, the transcript, or
// no end within max_run_ms.
Result<AgentResult> run_agent(const AgentConfig& config);

// The stream id of accuracy messages from `from` to `to` (envelope instance field).
wire::InstanceId pair_stream(const wire::PublicKey& from, const wire::PublicKey& to);

}  // namespace verdict::agents
