#include "protocols/retrieval/judge_machine.hpp"

namespace verdict::retrieval {

JudgeMachine::JudgeMachine(const Terms& terms) : terms_(terms) {
  s_.escrow = protocols::EscrowView(*retrieval_rule_set(terms.params));
}

Result<Effects> JudgeMachine::handle(const Input& input) {
  return step_transactionally(s_, "judge", [&](State& s, Effects& out) { return step(s, input, out); });
}

Status JudgeMachine::step(State& s, const Input& input, Effects& out) {
  if (s.outcome && !std::holds_alternative<TimerFired>(input) && !std::holds_alternative<EscrowRefused>(input)) {
    return Error{"the protocol has finished"};
  }
  if (const auto* st = std::get_if<Start>(&input)) {
    if (s.started) return Error{"started twice"};
    s.started = true;
    s.setup_deadline_ms = st->now_ms + terms_.params.response_timeout_ms;
    out.push_back(SetTimer{s.setup_deadline_ms});
    return {};
  }
  if (!s.started) return Error{"not started"};
  if (const auto* r = std::get_if<Received>(&input)) return on_message(s, r->from, r->message, out);
  if (const auto* e = std::get_if<EscrowEvent>(&input)) return on_escrow(s, *e, out);
  if (std::holds_alternative<EscrowRefused>(input)) return {};
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (s.outcome) return {};
    if (!s.escrow.opened()) {
      if (t->now_ms >= s.setup_deadline_ms) {
        s.outcome = outcome_of(terms_, "abandoned");
        out.push_back(Finished{*s.outcome});
      }
      return {};
    }
    if (claim_timeout(s, t->now_ms, out) || s.escrow.settled()) return {};
    if (s.escrow.stage() == "disputed" && t->now_ms >= s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2) {
      maybe_audit(s, true, out);
    }
    return {};
  }
  if (const auto* a = std::get_if<AuditDone>(&input)) {
    if (!s.awaiting_audit || s.escrow.stage() != "disputed") return Error{"no audit pending"};
    s.awaiting_audit = false;
    submit_act(s, a->uphold ? "uphold" : "dismiss", Digest{}, out);
    return {};
  }
  return Error{"input not for the judge"};
}

Status JudgeMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (const auto* c = std::get_if<CorpusCommitment>(&m)) {
    if (from != Role::kResponder) return Error{"corpus commitment not from the responder"};
    if (s.corpus) return Error{"second corpus commitment"};
    if (c->m != terms_.params.m) return Error{"corpus commitment with the wrong m"};
    s.corpus = *c;
  } else if (const auto* q = std::get_if<Request>(&m)) {
    if (from != Role::kRequester) return Error{"request not from the requester"};
    if (s.model_commitment) return Error{"second request"};
    if (q->positive_class != terms_.positive_class) return Error{"request for another positive class"};
    s.model_commitment = q->model_commitment;
    s.seed_commitment = q->seed_commitment;
  } else if (const auto* d = std::get_if<Dispute>(&m)) {
    if (from != Role::kRequester) return Error{"dispute not from the requester"};
    const std::string& st = s.escrow.stage();
    if (st != "responded" && st != "opened" && st != "disputed") return Error{"dispute out of order"};
    if (s.dispute) return Error{"second dispute"};
    if (s.dispute_posted && dispute_digest(s.session, *d) != *s.dispute_posted) {
      return Error{"dispute differs from the posted digest"};
    }
    s.dispute = *d;
    maybe_audit(s, false, out);
    return {};
  } else {
    return Error{"message not for the judge"};
  }
  if (s.corpus && s.model_commitment) {
    s.session = session_digest(terms_, *s.model_commitment, s.corpus->root, s.corpus->m, *s.seed_commitment);
    s.escrow.expect(session_instance(s.session));
  }
  return {};
}

void JudgeMachine::maybe_audit(State& s, bool force, Effects& out) {
  if (s.escrow.stage() != "disputed" || s.awaiting_audit || s.acted_seq == s.escrow.last_seq()) return;
  if (!s.dispute && !force) return;
  s.awaiting_audit = true;
  out.push_back(Audit{AuditCase{s.session, *s.model_commitment, *s.corpus, *s.seed_commitment, s.response_posted,
                                s.seed, s.openings_posted, s.dispute}});
}

Status JudgeMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  if (stage == "responded") {
    s.response_posted = e.evidence;
  } else if (stage == "sampled") {
    s.seed = e.evidence;
  } else if (stage == "opened") {
    s.openings_posted = e.evidence;
  } else if (stage == "disputed") {
    s.dispute_posted = e.evidence;
    if (s.dispute && dispute_digest(s.session, *s.dispute) != e.evidence) s.dispute.reset();
    out.push_back(SetTimer{s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2});
    maybe_audit(s, false, out);
  }
  return {};
}

}  // namespace verdict::retrieval
