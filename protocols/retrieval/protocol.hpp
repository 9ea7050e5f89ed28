#pragma once
// Trustless retrieval of items matching a predicate (paper section 5.4, FOIA-style) as
// transport-free state machines: the types the three machines share. corpus.hpp has the
// commitments, messages.hpp the messages, checks.hpp the checks, rules.hpp the escrow
// table "retrieval/v1".
//
// Three machines, one per role of the rule set: RequesterMachine (holds the model, wants
// every corpus document the model calls positive), ResponderMachine (holds the corpus of m
// source-attested documents) and JudgeMachine (rules on disputes). Each is a pure object
// driven by handle(Input) -> Result<Effects>, exactly like protocols/accuracy:
//
//   inputs   Start, a Received message, every EscrowEvent of the instance in ledger order
//            (own acts included), EscrowRefused, TimerFired (time is passed in, never
//            read), and results of work a machine asked its driver for:
//            RequestChecked (responder), CorpusProved (responder), VerificationDone
//            (requester), AuditDone (judge).
//   effects  Send, OpenEscrow (requester), SubmitAct (a table transition by name with its
//            32-byte evidence; "deposit" and "timeout" included), SetTimer, CheckRequest /
//            ProveCorpus (responder), VerifyProofs (requester), Audit (judge), Finished.
//
// The flow:
//   responder  Start: commits the corpus (CorpusCommitment to requester and judge).
//   requester  Start: draws its 32-byte audit seed (injected Rng). On the corpus commitment:
//              sends the Request (with the seed commitment) to responder and judge, opens
//              the instance named by the session (OpenEscrow) and deposits.
//   responder  On the Request: asks its driver to check the keys and model (CheckRequest);
//              deposits once the driver accepted and the instance is open. In "proving"
//              asks its driver to prove every document (ProveCorpus), sends the Response
//              (proofs + openings of the positives) and posts respond(H(response)).
//   requester  On the Response matching the posted digest: VerifyProofs, then
//              check_response: a violation -> dispute, else reveal_seed(seed). No
//              matching Response by half the window -> dispute (missing_response).
//   responder  On reveal_seed: if the seed opens the committed one, sends Openings of the
//              audit sample; otherwise (the requester chose the sample) sends no openings,
//              which the judge excuses (checks.hpp, decide). Posts open_sample(H(openings)).
//   requester  On the Openings matching the posted digest: check_openings: a violation ->
//              dispute, else accept. None by half the window -> dispute (missing_openings).
//              After acceptance retrieved() holds the positive documents.
//   judge      Follows the instance from both commitments; on "disputed", once the
//              requester's Dispute matching the posted digest arrived or half the judge
//              window passed, asks its driver to Audit (decide() on the transcripts) and
//              posts uphold or dismiss.
// Every machine claims every timeout it sees pass. Before the instance opens, each gives
// up after response_timeout_ms: outcome "abandoned", no money moved.
//
// A machine follows the escrow: its stage is the instance's stage, advanced only by
// EscrowEvents the table allows (protocols/common/escrow_view.hpp). An input that is
// malformed, out of order, replayed, from the wrong sender or after the end is answered
// with an Error and changes no state (step_transactionally).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "escrow/ids.hpp"
#include "protocols/common/escrow_view.hpp"
#include "protocols/common/machine.hpp"
#include "protocols/retrieval/checks.hpp"
#include "protocols/retrieval/messages.hpp"

namespace verdict::retrieval {

// Equal to the role indices of the rule set.
enum class Role : std::uint8_t { kRequester = 0, kResponder = 1, kJudge = 2 };
const char* role_name(Role role);

// ---- Inputs ----

using Start = protocols::Start;
struct Received {
  Role from = Role::kRequester;
  Message message;
};
using EscrowEvent = protocols::EscrowEventOf<Role>;
using EscrowRefused = protocols::EscrowRefused;
using TimerFired = protocols::TimerFired;
// Responder: the driver's verdict on the Request's keys and model (CheckRequest).
struct RequestChecked {
  bool accept = false;
};
// Responder: one proof per document, in index order (nullopt: proving failed; the
// responder then stays silent and the proving timeout slashes it).
struct CorpusProved {
  std::optional<std::vector<nn::ModelProof>> proofs;
};
// Requester: nn::verify on each proof of the VerifyProofs request.
using VerificationDone = protocols::VerificationDone;
// Judge: the driver's ruling (decide()).
struct AuditDone {
  bool uphold = false;
  std::string reason;
};
using Input = std::variant<Start, Received, EscrowEvent, EscrowRefused, TimerFired, RequestChecked, CorpusProved,
                           VerificationDone, AuditDone>;

// ---- Effects ----

struct Send {
  Role to = Role::kRequester;
  Message message;
};
// Requester: open `instance` with retrieval_rule_set(terms.params) and the three parties.
using OpenEscrow = protocols::OpenEscrow;
using SubmitAct = protocols::SubmitAct;
using SetTimer = protocols::SetTimer;
// Responder: check that request.proving_key / verifying_key / model belong to
// request.model_commitment (and that proving works) before depositing.
struct CheckRequest {
  Request request;
};
// Responder: prove inputs[i] with hidden input and salt salts[i], with the requester's
// proving key; one nn::ModelProof per document.
struct ProveCorpus {
  std::vector<std::vector<std::uint8_t>> inputs;
  std::vector<field::Fr> salts;
};
// Requester: nn::verify each proof with the requester's verifying key.
struct VerifyProofs {
  std::vector<nn::ModelProof> proofs;
};
// Judge: rule on the dispute (decide(), on the Response and Openings matching the
// case's digests, from either party's transcript).
struct Audit {
  AuditCase audit;
};
// Net change of each party's money over the whole protocol (deposits and fees included).
struct Outcome {
  std::string stage;  // a terminal stage of the table, "unfunded", or "abandoned"
  escrow::Amount requester_net = 0;
  escrow::Amount responder_net = 0;
};
//   settled_paid               requester -m z - eps    responder  m z - eps
//   settled_responder_slashed  requester  bond - eps   responder -bond - eps
//   settled_refund             requester -eps          responder -eps
//   unfunded, abandoned        0                       0
Outcome outcome_of(const Terms& terms, const std::string& terminal_stage);
struct Finished {
  Outcome outcome;
};
using Effect = std::variant<Send, OpenEscrow, SubmitAct, SetTimer, CheckRequest, ProveCorpus, VerifyProofs, Audit,
                            Finished>;
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

// The timer every machine handles alike once the instance is open: claims the stage's
// timeout once per escrow event when its deadline passed. True iff it claimed.
template <class State>
bool claim_timeout(State& s, std::int64_t now, Effects& out) {
  if (!s.escrow.opened() || s.escrow.settled() || now < s.escrow.deadline_ms()) return false;
  if (s.timeout_claimed_seq == s.escrow.last_seq()) return false;
  s.timeout_claimed_seq = s.escrow.last_seq();
  out.push_back(SubmitAct{"timeout", Digest{}});
  return true;
}

}  // namespace verdict::retrieval
