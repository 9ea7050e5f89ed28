#pragma once
// Verified prediction serving (paper section 5.3) as transport-free state machines: the
// types and commitments every machine shares. One escrow instance of "serving/v1"
// (rules.hpp) is one round of K predictions.
//
// Three machines, one per role: ServingMpMachine, ServingMcMachine and
// ServingVerifierMachine. Each is a pure object driven through handle(Input) -> Effects:
//
//   inputs   Start, a Received peer message, every EscrowEvent of the instance in ledger
//            order (own acts included), EscrowRefused, TimerFired{now} (time is passed
//            in, never read), and results of work the machine asked for: PredictionsDone
//            and ProofsDone (MP), VerificationDone (MC, verifier).
//   effects  Send, OpenEscrow (MC), SubmitAct{transition, evidence} (names of the table,
//            plus "deposit" and "timeout"), SetTimer, Predict and ProveContested (MP),
//            VerifyProofs (MC, verifier: no machine verifies a SNARK itself), Finished.
//
// A machine's stage is the escrow instance's stage, advanced only by EscrowEvents that
// the table allows (protocols::EscrowView). Any input that is malformed, out of order,
// replayed, from the wrong sender, or arrives after the end is answered with an Error and
// changes nothing (handle() works on a copy of the state). Randomness (MC's round id,
// seed and salts) comes only from the injected Rng.
//
// Round, step by step (H = SHA-256, every tag "verdict/serving/<what>/v1"):
//
//  setup    MP -> MC, verifier: ModelCommitment (nn::ModelVerifyingKey::model_commitment).
//           MC draws round id (16 bytes), seed (32 bytes) and one salt s_i per input
//           (uniform Fr), and sends RoundOpen{round id, seed commitment H(seed tag||seed)}.
//           session = H(session tag || rules digest || encode_terms || model commitment ||
//           round id || seed commitment); instance = first 16 bytes of
//           H(instance tag || session). MC relays MP's model commitment and MP relays
//           MC's RoundOpen to the verifier, which follows the candidate session whose
//           instance opens (verifier_machine.hpp). MC opens it; MP and MC deposit.
//  inputs   MC -> MP: Inputs{x_i, s_i}; MC -> verifier: InputCommitments{ic_i, seed
//           commitment}, ic_i = nn::input_commitment(x_i, s_i); MC posts commit_inputs(D_in),
//           D_in = H(inputs tag || u32 K || ic_0..ic_{K-1} (32-byte big-endian) || seed
//           commitment). Inputs go out only once MP's bond is in.
//  predict  MP recomputes D_in from the inputs it received. Equal: its driver runs the
//           model (Predict -> PredictionsDone) and MP sends Predictions{y_i} to MC and the
//           verifier, InputCommitments to the verifier, and posts post_predictions(D_out),
//           D_out = H(predictions tag || u32 K || per i: u32 len || y_i). Different, or no
//           inputs by half the window, or inputs the model cannot take (the driver answers
//           nullopt): reject_inputs (refund; MC's signed Inputs and its posted digest show
//           which side lied).
//  commit   MC, holding Predictions that match D_out, posts commit_transcript(root), root =
//           protocols::merkle_root over leaf_i = H(leaf tag || u32 i || ic_i || u32 len ||
//           y_i). MC without matching predictions posts nothing: the window times out to
//           settled_closed (an MP that withholds its answers earns nothing).
//  contest  MC (policy kAlways) reveals its seed: contest(seed) on the escrow and Contest
//           to MP and the verifier; or (kNever) close. The contested subset is
//           protocols::sample_indices(H(contest tag || session || root || seed), K, K1),
//           root and seed as posted on the escrow. MC's seed is committed before MP
//           predicts and the root is fixed before MC reveals: neither can bias the subset.
//  prove    MP's driver proves the contested items (hidden input, salt s_i) and MP sends
//           ProofBundle (increasing index order) to MC and the verifier and posts
//           submit_proofs(H(bundle tag || u64 n || per proof: u64 len || to_bytes)).
//  verdict  MC and the verifier ask their drivers to verify every proof, then apply
//           check_contest_proofs. MC concedes if everything holds (pays 2 K1 Z); the
//           verifier rules valid or invalid (invalid also when, by half the verdict
//           window, it lacks the bundle, the predictions or the input commitments that
//           match the posted digests: making them available is MP's job, and MP sends
//           all three to the verifier).
//
// Decisions where the paper is silent:
//  - MP checks MC's posted transcript root against the one it computes
//    (transcript_mismatch()). A mismatch does not stop it: the subset is derived from the
//    root as posted, and MP answers a contest with proofs of the predictions it posted;
//    a judge settles any dispute on the signed messages. Likewise a contest whose seed
//    does not open MC's commitment is answered on the subset its posted seed gives (the
//    table has no transition for it; it lets MC choose which items are checked, which
//    only matters to an MP whose outputs are wrong, and the price 2 K1 Z is the same).
//  - The verifier takes the input commitments from whichever of MC or MP delivers a set
//    matching D_in, and the predictions matching D_out: either party can make them
//    available, and an honest MP always does.
//  - reject_inputs is MP's free exit (each side loses eps): the escrow cannot tell an MC
//    whose inputs do not open its digest from an MP that claims so. It is MP's only way
//    out after seeing inputs, and it reveals no prediction; MC's signed Inputs and its
//    posted D_in let a judge tell who lied. Inputs go out only once both deposits are in.
//  - A proving failure (ProofsDone{nullopt}) is answered with silence: the table slashes
//    it at the proving deadline, as it would an invalid bundle.
//  - Neither MP nor MC can keep the verifier (the arbiter) out of the round: each relays
//    the other's session commitment to it, and it follows whichever candidate session's
//    instance opens. A verifier left out would be silent, which refunds: a cheating MP
//    would escape slashing, or MC would have its contest answered for free.
//  - MC opens the instance as soon as it holds MP's model commitment; if MP never got
//    the RoundOpen it cannot find the instance, funding times out, deposits come back.
//  - Every machine claims every timeout it sees pass, and claims again (with backoff)
//    when the escrow refuses the claim; before the instance opens each gives up after
//    response_timeout_ms: outcome "abandoned", no money moved.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "escrow/ids.hpp"
#include "protocols/common/escrow_view.hpp"
#include "protocols/common/machine.hpp"
#include "protocols/serving/rules.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::serving {

using Digest = std::array<std::uint8_t, 32>;
using RoundId = std::array<std::uint8_t, 16>;
using Bytes = std::vector<std::uint8_t>;

// Equal to the role indices of the serving rule set.
enum class Role : std::uint8_t { kMp = 0, kMc = 1, kVerifier = 2 };
const char* role_name(Role role);

// What all three parties agreed before the round.
struct Terms {
  ServingParams params;
};
Status check_terms(const Terms& terms);  // serving_rule_set() accepts the parameters
// Canonical: u32 k, u32 k1, i64 z, beta, eps, then the four timeouts (funding, response,
// proving, verdict) as i64.
Bytes encode_terms(const Terms& terms);
// The inverse of encode_terms; errors on truncation, trailing bytes or terms check_terms refuses.
Result<Terms> decode_terms(std::span<const std::uint8_t> bytes);

// ---- Messages between the parties (codec in messages.hpp) ----

// MP -> MC, verifier.
struct ModelCommitment {
  Digest model_commitment{};
};
// MC -> MP, verifier.
struct RoundOpen {
  RoundId round_id{};
  Digest seed_commitment{};
};
// MC -> MP: the K inputs and their salts.
struct Inputs {
  std::vector<Bytes> inputs;
  std::vector<field::Fr> salts;
};
// MC -> verifier, and MP -> verifier: the K input commitments and MC's seed commitment.
struct InputCommitments {
  std::vector<field::Fr> commitments;
  Digest seed_commitment{};
};
// MP -> MC, verifier: the model's output bytes for each input.
struct Predictions {
  std::vector<Bytes> outputs;
};
// MC -> MP, verifier: MC's seed, revealed (also the evidence of "contest").
struct Contest {
  Digest seed{};
};
// MP -> MC, verifier: one proof per contested item, in increasing index order.
struct ProofBundle {
  std::vector<nn::ModelProof> proofs;
};
using Message = std::variant<ModelCommitment, RoundOpen, Inputs, InputCommitments, Predictions, Contest, ProofBundle>;

// ---- Commitments ----

Digest seed_commitment(const Digest& seed);
// D_in. Requires commitments.size() < 2^32.
Digest inputs_digest(std::span<const field::Fr> commitments, const Digest& seed_commitment);
// ic_i = nn::input_commitment(x_i, s_i). Requires inputs.size() == salts.size().
std::vector<field::Fr> input_commitments(std::span<const Bytes> inputs, std::span<const field::Fr> salts);
Digest predictions_digest(std::span<const Bytes> outputs);  // D_out
Digest transcript_leaf(std::uint32_t index, const field::Fr& input_commitment, std::span<const std::uint8_t> output);
// Requires commitments.size() == outputs.size() >= 1.
Digest transcript_root(std::span<const field::Fr> commitments, std::span<const Bytes> outputs);
Digest bundle_digest(const ProofBundle& bundle);  // evidence of submit_proofs
Digest session_digest(const Terms& terms, const Digest& model_commitment, const RoundOpen& round);
escrow::InstanceId session_instance(const Digest& session);
// The K1 contested indices, sorted.
std::vector<std::uint32_t> contested_indices(const Terms& terms, const Digest& session, const Digest& transcript_root,
                                             const Digest& mc_seed);

// The check MC, the verifier and a judge share on a bundle answering a contest: one proof
// per contested index (sorted, each < K), in that order, each verifying (valid[j], the
// driver's nn::verify), for this model, a hidden-input proof, its input commitment
// ic_i and its public output y_i exactly as posted. The error names the first bad item
// and the rule it broke.
Status check_contest_proofs(const Terms& terms, const Digest& model_commitment, std::span<const field::Fr> ics,
                            std::span<const Bytes> predictions, std::span<const std::uint32_t> contested,
                            const ProofBundle& bundle, const std::vector<bool>& valid);

// ---- Inputs ----

using Start = protocols::Start;
struct Received {
  Role from = Role::kMp;
  Message message;
};
using EscrowEvent = protocols::EscrowEventOf<Role>;
using EscrowRefused = protocols::EscrowRefused;
using TimerFired = protocols::TimerFired;
// MP's driver ran the model on the K inputs. nullopt: the inputs are not inputs of this
// model (wrong size): MP rejects them. A lazy or malicious driver may return anything;
// MP posts what it gets.
struct PredictionsDone {
  std::optional<std::vector<Bytes>> outputs;
};
struct ProofsDone {
  std::optional<std::vector<nn::ModelProof>> proofs;  // nullopt: proving failed
};
using VerificationDone = protocols::VerificationDone;
using Input = std::variant<Start, Received, EscrowEvent, EscrowRefused, TimerFired, PredictionsDone, ProofsDone,
                           VerificationDone>;

// ---- Effects ----

struct Send {
  Role to = Role::kMp;
  Message message;
};
// MC: open `instance` with serving_rule_set(terms.params), parties in role order.
using OpenEscrow = protocols::OpenEscrow;
using SubmitAct = protocols::SubmitAct;
using SetTimer = protocols::SetTimer;
// MP: run the model on every input; answer PredictionsDone.
struct Predict {
  std::vector<Bytes> inputs;
};
// MP: prove each contested item (hidden input, with its salt); answer ProofsDone with
// the proofs in this order.
struct ProveContested {
  std::vector<std::uint32_t> indices;
  std::vector<Bytes> inputs;
  std::vector<field::Fr> salts;
};
// MC, verifier: nn::verify each proof with the model's verifying key.
struct VerifyProofs {
  std::vector<nn::ModelProof> proofs;
};
// Net change of each party's money over the round (deposits and fees included):
// MP + MC + 2 eps = 0 once funded.
struct Outcome {
  std::string stage;  // a terminal stage of the table, "unfunded" or "abandoned"
  escrow::Amount mp_net = 0;
  escrow::Amount mc_net = 0;
};
// Requires check_terms(terms).ok().
Outcome outcome_of(const Terms& terms, const std::string& terminal);
struct Finished {
  Outcome outcome;
};
using Effect = std::variant<Send, OpenEscrow, SubmitAct, SetTimer, Predict, ProveContested, VerifyProofs, Finished>;
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

// What every machine does on a timer: claims the stage's timeout once per stage at or
// after its deadline; before the instance opens, gives up at `setup_deadline_ms`
// ("abandoned").
template <class State>
void on_deadline(const Terms& terms, State& s, std::int64_t now, Effects& out) {
  if (s.outcome) return;
  if (!s.escrow.opened()) {
    if (now >= s.setup_deadline_ms) {
      s.outcome = outcome_of(terms, "abandoned");
      out.push_back(Finished{*s.outcome});
    }
    return;
  }
  if (!s.escrow.settled() && now >= s.escrow.deadline_ms() && s.timeout_claimed_seq != s.escrow.last_seq()) {
    s.timeout_claimed_seq = s.escrow.last_seq();
    out.push_back(SubmitAct{"timeout", Digest{}});
  }
}

// A refused timeout claim (the escrow's clock behind the machine's, a lost submission) is
// claimed again: the next timer fires at the deadline plus 1 s, 2 s, 4 s, ... (at most
// about 18 hours). Other refusals change nothing: the escrow's events decide.
template <class State>
void on_refused(State& s, const EscrowRefused& refused, Effects& out) {
  if (refused.transition != "timeout" || s.outcome || !s.escrow.opened() || s.escrow.settled()) return;
  if (s.timeout_claimed_seq != s.escrow.last_seq()) return;
  s.timeout_claimed_seq = 0;
  const int shift = s.timeout_retries < 16 ? s.timeout_retries : 16;
  ++s.timeout_retries;
  out.push_back(SetTimer{s.escrow.deadline_ms() + (std::int64_t{1000} << shift)});
}

}  // namespace verdict::serving
