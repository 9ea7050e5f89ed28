#include "protocols/retrieval/requester_machine.hpp"

namespace verdict::retrieval {

Result<RequesterMachine> RequesterMachine::create(const Terms& terms, ModelOffer offer, Rng& rng) {
  if (Status st = check_terms(terms); !st.ok()) return st.error().context("requester");
  return RequesterMachine(terms, std::move(offer), rng);
}

RequesterMachine::RequesterMachine(const Terms& terms, ModelOffer offer, Rng& rng)
    : terms_(terms), offer_(std::move(offer)), rng_(&rng) {
  s_.escrow = protocols::EscrowView(*retrieval_rule_set(terms.params));
}

Result<Effects> RequesterMachine::handle(const Input& input) {
  return step_transactionally(s_, "requester", [&](State& s, Effects& out) { return step(s, input, out); });
}

Request RequesterMachine::request(const State& s) const {
  return Request{offer_.model_commitment, terms_.positive_class, seed_commitment(s.seed), offer_.verifying_key,
                 offer_.proving_key, offer_.model};
}

void RequesterMachine::dispute(State& s, std::vector<Violation> violations, Effects& out) {
  Dispute d{std::move(violations)};
  const Digest digest = dispute_digest(s.session, d);
  s.disputed = d.violations;
  out.push_back(Send{Role::kJudge, std::move(d)});
  submit_act(s, "dispute", digest, out);
}

Status RequesterMachine::step(State& s, const Input& input, Effects& out) {
  if (s.outcome && !std::holds_alternative<TimerFired>(input) && !std::holds_alternative<EscrowRefused>(input)) {
    return Error{"the protocol has finished"};
  }
  if (const auto* st = std::get_if<Start>(&input)) {
    if (s.started) return Error{"started twice"};
    s.started = true;
    rng_->fill(s.seed);
    s.setup_deadline_ms = st->now_ms + terms_.params.response_timeout_ms;
    out.push_back(SetTimer{s.setup_deadline_ms});
    return {};
  }
  if (!s.started) return Error{"not started"};
  if (const auto* r = std::get_if<Received>(&input)) return on_message(s, r->from, r->message, out);
  if (const auto* e = std::get_if<EscrowEvent>(&input)) return on_escrow(s, *e, out);
  if (std::holds_alternative<EscrowRefused>(input)) return {};
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (!s.outcome) on_timer(s, t->now_ms, out);
    return {};
  }
  if (const auto* v = std::get_if<VerificationDone>(&input)) {
    if (!s.awaiting_verification || s.escrow.stage() != "responded") return Error{"no verification pending"};
    if (v->valid.size() != s.response->proofs.size()) return Error{"one verification result per proof expected"};
    s.awaiting_verification = false;
    std::vector<Violation> vs = check_response(terms_, offer_.model_commitment, *s.corpus, *s.response, v->valid);
    if (!vs.empty()) {
      dispute(s, std::move(vs), out);
    } else {
      submit_act(s, "reveal_seed", s.seed, out);
    }
    return {};
  }
  return Error{"input not for the requester"};
}

Status RequesterMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (from != Role::kResponder) return Error{"message not from the responder"};
  if (const auto* c = std::get_if<CorpusCommitment>(&m)) {
    if (s.corpus) return Error{"second corpus commitment"};
    if (c->m != terms_.params.m) return Error{"corpus commitment with the wrong m"};
    s.corpus = *c;
    const Request q = request(s);
    s.session = session_digest(terms_, q.model_commitment, c->root, c->m, q.seed_commitment);
    const escrow::InstanceId id = session_instance(s.session);
    s.escrow.expect(id);
    out.push_back(Send{Role::kResponder, q});
    out.push_back(Send{Role::kJudge, q});
    out.push_back(OpenEscrow{id});
    return {};
  }
  if (const auto* p = std::get_if<Response>(&m)) {
    const std::string& st = s.escrow.stage();
    if (st != "proving" && st != "responded") return Error{"response out of order"};
    if (s.response) return Error{"second response"};
    if (p->proofs.size() != terms_.params.m) return Error{"response with the wrong number of proofs"};
    if (s.response_posted && response_digest(s.session, *p) != *s.response_posted) {
      return Error{"response differs from the posted digest"};
    }
    s.response = *p;
    maybe_verify(s, out);
    return {};
  }
  if (const auto* o = std::get_if<Openings>(&m)) {
    const std::string& st = s.escrow.stage();
    if (st != "sampled" && st != "opened") return Error{"openings out of order"};
    if (s.openings) return Error{"second openings"};
    if (s.openings_posted && openings_digest(s.session, *o) != *s.openings_posted) {
      return Error{"openings differ from the posted digest"};
    }
    s.openings = *o;
    maybe_check_openings(s, out);
    return {};
  }
  return Error{"message not for the requester"};
}

void RequesterMachine::maybe_verify(State& s, Effects& out) {
  if (s.escrow.stage() != "responded" || !s.response || s.awaiting_verification) return;
  if (s.acted_seq == s.escrow.last_seq()) return;
  s.awaiting_verification = true;
  out.push_back(VerifyProofs{s.response->proofs});
}

void RequesterMachine::maybe_check_openings(State& s, Effects& out) {
  if (s.escrow.stage() != "opened" || !s.openings || s.acted_seq == s.escrow.last_seq()) return;
  if (!s.response || !s.response_posted || !s.seed_posted) return;  // not reachable by an honest requester
  const std::vector<std::uint32_t> sample = audit_sample(terms_, s.session, *s.response_posted, *s.seed_posted);
  std::vector<Violation> vs = check_openings(terms_, *s.corpus, *s.response, sample, *s.openings);
  if (!vs.empty()) {
    dispute(s, std::move(vs), out);
  } else {
    s.retrieved = s.response->openings;
    submit_act(s, "accept", Digest{}, out);
  }
}

Status RequesterMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  const std::int64_t half = s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2;
  if (e.transition == "open") {
    s.deposited = true;
    submit_act(s, "deposit", escrow::rules_digest(s.escrow.rules()), out);
  } else if (stage == "responded") {
    s.response_posted = e.evidence;
    if (s.response && response_digest(s.session, *s.response) != e.evidence) s.response.reset();
    out.push_back(SetTimer{half});
    maybe_verify(s, out);
  } else if (stage == "sampled") {
    s.seed_posted = e.evidence;  // the escrow's record is what the sample uses
  } else if (stage == "opened") {
    s.openings_posted = e.evidence;
    if (s.openings && openings_digest(s.session, *s.openings) != e.evidence) s.openings.reset();
    out.push_back(SetTimer{half});
    maybe_check_openings(s, out);
  }
  return {};
}

void RequesterMachine::on_timer(State& s, std::int64_t now, Effects& out) {
  if (!s.escrow.opened()) {
    if (now >= s.setup_deadline_ms) {
      s.outcome = outcome_of(terms_, "abandoned");
      out.push_back(Finished{*s.outcome});
    }
    return;
  }
  if (claim_timeout(s, now, out) || s.escrow.settled() || now >= s.escrow.deadline_ms()) return;
  if (now < s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2 || s.acted_seq == s.escrow.last_seq()) return;
  const std::string& stage = s.escrow.stage();
  if (stage == "responded" && !s.response) {
    dispute(s, {Violation{Rule::kMissingResponse, kNoIndex}}, out);
  } else if (stage == "opened" && !s.openings) {
    dispute(s, {Violation{Rule::kMissingOpenings, kNoIndex}}, out);
  }
}

}  // namespace verdict::retrieval
