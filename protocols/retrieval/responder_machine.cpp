#include "protocols/retrieval/responder_machine.hpp"

#include "snark/nn/model_circuit.hpp"

namespace verdict::retrieval {

Result<ResponderMachine> ResponderMachine::create(const Terms& terms, std::vector<Document> corpus, Rng& rng,
                                                  ResponderDeviations deviations) {
  if (Status st = check_terms(terms); !st.ok()) return st.error().context("responder");
  if (corpus.size() != terms.params.m) return Error{"responder: the corpus must have exactly m documents"};
  for (const Document& d : corpus) {
    if (d.input.size() != terms.input_size) return Error{"responder: a document is not input_size bytes"};
  }
  return ResponderMachine(terms, std::move(corpus), rng, deviations);
}

ResponderMachine::ResponderMachine(const Terms& terms, std::vector<Document> corpus, Rng& rng,
                                   ResponderDeviations deviations)
    : terms_(terms), documents_(std::move(corpus)), deviations_(deviations) {
  salts_.reserve(documents_.size());
  leaves_.reserve(documents_.size());
  for (std::uint32_t i = 0; i < documents_.size(); ++i) {
    salts_.push_back(field::Fr::random(rng));
    leaves_.push_back(corpus_leaf(i, nn::input_commitment(documents_[i].input, salts_[i])));
  }
  corpus_ = CorpusCommitment{protocols::merkle_root(leaves_), terms.params.m};
  s_.escrow = protocols::EscrowView(*retrieval_rule_set(terms.params));
}

Result<Effects> ResponderMachine::handle(const Input& input) {
  return step_transactionally(s_, "responder", [&](State& s, Effects& out) { return step(s, input, out); });
}

Opening ResponderMachine::opening(std::uint32_t i) const {
  return Opening{i, documents_[i].input, documents_[i].attestation, salts_[i], protocols::merkle_path(leaves_, i)};
}

void ResponderMachine::maybe_deposit(State& s, Effects& out) {
  if (s.accepted && !s.deposited && s.escrow.stage() == "funding") {
    s.deposited = true;
    submit_act(s, "deposit", escrow::rules_digest(s.escrow.rules()), out);
  }
}

Status ResponderMachine::step(State& s, const Input& input, Effects& out) {
  if (s.outcome && !std::holds_alternative<TimerFired>(input) && !std::holds_alternative<EscrowRefused>(input)) {
    return Error{"the protocol has finished"};
  }
  if (const auto* st = std::get_if<Start>(&input)) {
    if (s.started) return Error{"started twice"};
    s.started = true;
    s.setup_deadline_ms = st->now_ms + terms_.params.response_timeout_ms;
    out.push_back(Send{Role::kRequester, corpus_});
    out.push_back(Send{Role::kJudge, corpus_});
    out.push_back(SetTimer{s.setup_deadline_ms});
    return {};
  }
  if (!s.started) return Error{"not started"};
  if (const auto* r = std::get_if<Received>(&input)) {
    const auto* q = std::get_if<Request>(&r->message);
    if (!q) return Error{"message not for the responder"};
    if (r->from != Role::kRequester) return Error{"request not from the requester"};
    if (s.request) return Error{"second request"};
    if (q->positive_class != terms_.positive_class) return Error{"request for another positive class"};
    s.request = *q;
    s.session = session_digest(terms_, q->model_commitment, corpus_.root, corpus_.m, q->seed_commitment);
    s.escrow.expect(session_instance(s.session));
    s.awaiting_check = true;
    out.push_back(CheckRequest{*q});
    return {};
  }
  if (const auto* e = std::get_if<EscrowEvent>(&input)) return on_escrow(s, *e, out);
  if (std::holds_alternative<EscrowRefused>(input)) return {};  // the escrow's events decide
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (s.outcome) return {};
    if (!s.escrow.opened()) {
      if (t->now_ms >= s.setup_deadline_ms) {
        s.outcome = outcome_of(terms_, "abandoned");
        out.push_back(Finished{*s.outcome});
      }
      return {};
    }
    claim_timeout(s, t->now_ms, out);
    return {};
  }
  if (const auto* c = std::get_if<RequestChecked>(&input)) {
    if (!s.awaiting_check) return Error{"no request check pending"};
    s.awaiting_check = false;
    s.accepted = c->accept;  // refused: never deposits; the instance ends unfunded
    maybe_deposit(s, out);
    return {};
  }
  if (const auto* p = std::get_if<CorpusProved>(&input)) {
    if (!s.awaiting_proofs || s.escrow.stage() != "proving") return Error{"no proving pending"};
    if (p->proofs && p->proofs->size() != terms_.params.m) return Error{"one proof per document expected"};
    s.awaiting_proofs = false;
    if (!p->proofs) return {};  // cannot prove: silence, slashed at the proving deadline
    Response response;
    response.proofs = *p->proofs;
    bool withheld = false;
    for (std::uint32_t i = 0; i < terms_.params.m; ++i) {
      if (!is_positive(terms_, response.proofs[i])) continue;
      if (deviations_.withhold_positive && !withheld) {
        withheld = true;
        continue;
      }
      response.openings.push_back(opening(i));
    }
    if (deviations_.mismatch_opening && !response.openings.empty()) response.openings[0].input[0] ^= 1;
    const Digest d = response_digest(s.session, response);
    s.response = response;
    s.response_posted = d;
    out.push_back(Send{Role::kRequester, std::move(response)});
    submit_act(s, "respond", d, out);
    return {};
  }
  return Error{"input not for the responder"};
}

Status ResponderMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  if (e.transition == "open") {
    maybe_deposit(s, out);
  } else if (stage == "proving" && e.transition == "deposit") {
    s.awaiting_proofs = true;
    std::vector<std::vector<std::uint8_t>> inputs;
    inputs.reserve(documents_.size());
    for (const Document& d : documents_) inputs.push_back(d.input);
    out.push_back(ProveCorpus{std::move(inputs), salts_});
  } else if (stage == "responded") {
    s.response_posted = e.evidence;  // the escrow's record is what counts
  } else if (stage == "sampled") {
    Openings openings;
    if (seed_commitment(e.evidence) == s.request->seed_commitment) {
      for (std::uint32_t i : audit_sample(terms_, s.session, s.response_posted, e.evidence)) {
        openings.openings.push_back(opening(i));
      }
      if (deviations_.mismatch_opening && !openings.openings.empty()) openings.openings[0].input[0] ^= 1;
    }
    const Digest d = openings_digest(s.session, openings);
    out.push_back(Send{Role::kRequester, std::move(openings)});
    submit_act(s, "open_sample", d, out);
  }
  return {};
}

}  // namespace verdict::retrieval
