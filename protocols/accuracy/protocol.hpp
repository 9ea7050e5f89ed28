#pragma once
// Accuracy verification (paper section 5.2 and Appendix B) as transport-free state
// machines: the types every machine shares. docs/protocols.md ("Accuracy verification")
// has the state diagram, the abort paths with their payouts and the deviations.
//
// Three machines, one per role of escrow/accuracy_rules.hpp: MpMachine, McMachine and
// VerifierMachine (the arbiter whose claims carry the outcome of key contests and of
// the proof check). Each is a pure object driven through handle(Input) -> Effects:
//
//   inputs   Start, a Received message from a peer, an EscrowEvent (every event of the
//            instance, in ledger order, own acts included), EscrowRefused, TimerFired
//            (the current time is passed in), and the results of work the machine asked
//            for: InspectionDone (MP), ProofsDone (MP), VerificationDone (MC, verifier).
//   effects  Send a message, OpenEscrow (MC), SubmitAct (a transition of the rule set by
//            name, with its 32-byte evidence; "deposit" and "timeout" included),
//            SetTimer, InspectSubset / ProveRest (MP), VerifyProofs (MC, verifier:
//            machines never verify a SNARK themselves), Finished.
//
// A machine follows the escrow: its protocol stage is the instance's stage, advanced only
// by EscrowEvents, each checked against the rule table (the transition must leave the
// current stage, be taken by its role, land where the table says, and respect the
// deadline). An input that is malformed, out of order, replayed or from the wrong sender
// is answered with an Error and changes no state (handle() works on a copy).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "escrow/accuracy_rules.hpp"
#include "escrow/ids.hpp"
#include "protocols/common/escrow_view.hpp"
#include "protocols/common/machine.hpp"
#include "protocols/accuracy/test_set.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::accuracy {

// Equal to the role indices of the accuracy rule set.
enum class Role : std::uint8_t { kMp = 0, kMc = 1, kVerifier = 2 };
const char* role_name(Role role);

// What all three parties agreed before the start: the escrow parameters and the accuracy
// target a = target_num / target_den on the N2 proved examples.
struct Terms {
  escrow::AccuracyParams params;
  std::uint32_t target_num = 0;
  std::uint32_t target_den = 1;
};
// Checks the parameters (accuracy_rule_set() accepts them, N < 2^31, 0 <= a <= 1).
Status check_terms(const Terms& terms);
std::uint32_t total_examples(const Terms& terms);  // N = N1 + N2
// Canonical encoding (every parameter, big-endian; docs/formats.md); decode checks the terms.
std::vector<std::uint8_t> encode_terms(const Terms& terms);
Result<Terms> decode_terms(std::span<const std::uint8_t> bytes);
// correct / N2 >= a.
bool target_met(const Terms& terms, std::uint32_t correct);

// ---- Messages between the parties ----

// Step 1, MP -> MC and verifier: the model commitment of the verifying key.
struct ModelCommitment {
  Digest model_commitment{};
};
// Step 1, MC -> MP and verifier: the test-set root, N, and the commitment to MC's seed.
struct TestSetCommitment {
  Digest root{};
  std::uint32_t n = 0;
  Digest seed_commitment{};
};
// MC -> verifier -> MP (the verifier relays once the escrow holds the sealed bytes'
// digest): MC's seed and the sealed N1 subset.
struct SubsetBatch {
  Digest mc_seed{};
  std::vector<std::uint8_t> sealed;
};
// MC -> verifier -> MP: the sealed N2 rest.
struct RestBatch {
  std::vector<std::uint8_t> sealed;
};
// MP -> MC and verifier: one proof per rest example, in increasing index order.
struct ProofBundle {
  std::vector<nn::ModelProof> proofs;
};
using Message = std::variant<ModelCommitment, TestSetCommitment, SubsetBatch, RestBatch, ProofBundle>;

Digest sealed_digest(std::span<const std::uint8_t> sealed);  // evidence of send_*
Digest bundle_digest(const ProofBundle& bundle);             // evidence of submit_proofs

// The session: SHA-256 over the terms and both commitments. The instance id is its
// first 16 bytes under another tag, so a deposit can only go to the instance of these
// commitments.
Digest session_digest(const Terms& terms, const ModelCommitment& mp, const TestSetCommitment& mc);
escrow::InstanceId session_instance(const Digest& session);

// ---- Inputs ----

using Start = protocols::Start;
struct Received {
  Role from = Role::kMp;
  Message message;
};
// One event of the instance's history (escrow::InstanceEvent, with the actor as a role).
using EscrowEvent = protocols::EscrowEventOf<Role>;
using EscrowRefused = protocols::EscrowRefused;
using TimerFired = protocols::TimerFired;
struct InspectionDone {
  bool proceed = false;
};
struct ProofsDone {
  std::optional<std::vector<nn::ModelProof>> proofs;  // nullopt: proving failed
};
using VerificationDone = protocols::VerificationDone;
using Input = std::variant<Start, Received, EscrowEvent, EscrowRefused, TimerFired, InspectionDone, ProofsDone,
                           VerificationDone>;

// ---- Effects ----

struct Send {
  Role to = Role::kMp;
  Message message;
};
// MC: open the instance `instance` with accuracy_rule_set(terms.params) and the parties.
using OpenEscrow = protocols::OpenEscrow;
using SubmitAct = protocols::SubmitAct;
using SetTimer = protocols::SetTimer;
// MP: run the model on the N1 subset and decide whether to proceed (step 4).
struct InspectSubset {
  std::vector<std::uint32_t> indices;
  std::vector<Example> examples;
};
// MP: prove the N2 rest (hidden input, with each example's salt).
struct ProveRest {
  std::vector<std::uint32_t> indices;
  std::vector<Example> examples;
};
// MC, verifier: verify each proof with the model's verifying key (nn::verify).
struct VerifyProofs {
  std::vector<nn::ModelProof> proofs;
};
// Net change of each party's money over the whole protocol (deposits and fees
// included): MC + MP + 2 eps = 0 once funded.
struct Outcome {
  std::string stage;  // a terminal stage of the table, "unfunded", or "abandoned"
  escrow::Amount mp_net = 0;
  escrow::Amount mc_net = 0;
};
Outcome outcome_of(const Terms& terms, const std::string& terminal_stage);
struct Finished {
  Outcome outcome;
};
using Effect = std::variant<Send, OpenEscrow, SubmitAct, SetTimer, InspectSubset, ProveRest, VerifyProofs, Finished>;
using Effects = std::vector<Effect>;

// protocols/common/machine.hpp over this protocol's effects.
template <class State, class Step>
Result<Effects> step_transactionally(State& state, const char* machine, Step&& step) {
  return protocols::step_transactionally<Effects>(state, machine, std::forward<Step>(step));
}
template <class State>
void submit_act(State& s, const std::string& transition, const Digest& evidence, Effects& out) {
  protocols::submit_act<SubmitAct>(s, transition, evidence, out);
}

// The check MC and the verifier share on a proof bundle: every proof valid, for this
// model, hidden input, its input commitment the one committed for that rest example.
// Returns the number of correct predictions (argmax of the output bytes, first maximum,
// equal to the label), or an error naming the first bad proof.
Result<std::uint32_t> count_correct(const ProofBundle& bundle, std::span<const Example> rest,
                                    const Digest& model_commitment, const std::vector<bool>& valid);
std::uint32_t predicted_class(std::span<const std::uint8_t> output);

}  // namespace verdict::accuracy
