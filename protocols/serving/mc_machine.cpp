#include "protocols/serving/mc_machine.hpp"

namespace verdict::serving {

Result<ServingMcMachine> ServingMcMachine::create(const Terms& terms, std::vector<Bytes> inputs, Rng& rng,
                                                  ContestPolicy policy) {
  if (Status st = check_terms(terms); !st.ok()) return st.error().context("mc");
  if (inputs.size() != terms.params.k) return Error{"mc: exactly K inputs expected"};
  return ServingMcMachine(terms, std::move(inputs), rng, policy);
}

ServingMcMachine::ServingMcMachine(const Terms& terms, std::vector<Bytes> inputs, Rng& rng, ContestPolicy policy)
    : terms_(terms), inputs_(std::move(inputs)), rng_(&rng), policy_(policy) {
  s_.escrow = protocols::EscrowView(*serving_rule_set(terms.params));
}

Result<Effects> ServingMcMachine::handle(const Input& input) {
  return step_transactionally(s_, "mc", [&](State& s, Effects& out) { return step(s, input, out); });
}

Status ServingMcMachine::step(State& s, const Input& input, Effects& out) {
  if (s.outcome && !std::holds_alternative<TimerFired>(input) && !std::holds_alternative<EscrowRefused>(input)) {
    return Error{"the protocol has finished"};
  }
  if (const auto* st = std::get_if<Start>(&input)) {
    if (s.started) return Error{"started twice"};
    s.started = true;
    rng_->fill(s.round.round_id);
    rng_->fill(s.seed);
    s.round.seed_commitment = seed_commitment(s.seed);
    s.salts.clear();
    for (std::size_t i = 0; i < inputs_.size(); ++i) s.salts.push_back(field::Fr::random(*rng_));
    s.ics = input_commitments(inputs_, s.salts);
    s.setup_deadline_ms = st->now_ms + terms_.params.response_timeout_ms;
    out.push_back(Send{Role::kMp, s.round});
    out.push_back(Send{Role::kVerifier, s.round});
    out.push_back(SetTimer{s.setup_deadline_ms});
    return {};
  }
  if (!s.started) return Error{"not started"};
  if (const auto* r = std::get_if<Received>(&input)) return on_message(s, r->from, r->message, out);
  if (const auto* e = std::get_if<EscrowEvent>(&input)) return on_escrow(s, *e, out);
  if (const auto* refused = std::get_if<EscrowRefused>(&input)) {
    on_refused(s, *refused, out);
    return {};
  }
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    on_deadline(terms_, s, t->now_ms, out);
    return {};
  }
  if (const auto* v = std::get_if<VerificationDone>(&input)) {
    if (!s.awaiting_verification || s.escrow.stage() != "proofs_submitted") return Error{"no verification pending"};
    if (v->valid.size() != s.bundle->proofs.size()) return Error{"one verification result per proof expected"};
    s.awaiting_verification = false;
    Status ok =
        check_contest_proofs(terms_, *s.model_commitment, s.ics, s.predictions, s.contested, *s.bundle, v->valid);
    if (ok.ok()) {
      submit_act(s, "concede", *s.bundle_posted, out);
    } else {
      s.rejection = ok.error().message;  // the verifier rules invalid
    }
    return {};
  }
  return Error{"input not for MC"};
}

Status ServingMcMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (const auto* c = std::get_if<ModelCommitment>(&m)) {
    if (from != Role::kMp) return Error{"model commitment not from MP"};
    if (s.model_commitment) return Error{"second model commitment"};
    s.model_commitment = c->model_commitment;
    s.session = session_digest(terms_, c->model_commitment, s.round);
    const escrow::InstanceId id = session_instance(s.session);
    s.escrow.expect(id);
    out.push_back(Send{Role::kVerifier, *c});  // relayed: MP cannot keep the verifier out
    out.push_back(OpenEscrow{id});
    return {};
  }
  if (const auto* p = std::get_if<Predictions>(&m)) {
    if (from != Role::kMp) return Error{"predictions not from MP"};
    const std::string& st = s.escrow.stage();
    if (st != "awaiting_predictions" && st != "awaiting_transcript") return Error{"predictions out of order"};
    if (!s.predictions.empty()) return Error{"second predictions"};
    if (p->outputs.size() != terms_.params.k) return Error{"predictions: one output per input expected"};
    if (s.predictions_posted && predictions_digest(p->outputs) != *s.predictions_posted) {
      return Error{"predictions differ from the posted digest"};
    }
    s.predictions = p->outputs;
    maybe_commit(s, out);
    return {};
  }
  if (const auto* b = std::get_if<ProofBundle>(&m)) {
    if (from != Role::kMp) return Error{"proof bundle not from MP"};
    const std::string& st = s.escrow.stage();
    if (st != "contested" && st != "proofs_submitted") return Error{"proof bundle out of order"};
    if (s.bundle) return Error{"second proof bundle"};
    if (b->proofs.size() != terms_.params.k1) return Error{"proof bundle with the wrong number of proofs"};
    if (s.bundle_posted && bundle_digest(*b) != *s.bundle_posted)
      return Error{"proof bundle differs from the posted digest"};
    s.bundle = *b;
    maybe_verify(s, out);
    return {};
  }
  return Error{"message not for MC"};
}

void ServingMcMachine::maybe_commit(State& s, Effects& out) {
  if (s.escrow.stage() != "awaiting_transcript" || s.predictions.empty() || s.acted_seq == s.escrow.last_seq()) return;
  submit_act(s, "commit_transcript", transcript_root(s.ics, s.predictions), out);
}

void ServingMcMachine::maybe_verify(State& s, Effects& out) {
  if (s.escrow.stage() != "proofs_submitted" || !s.bundle || s.awaiting_verification) return;
  if (s.acted_seq == s.escrow.last_seq()) return;
  s.awaiting_verification = true;
  out.push_back(VerifyProofs{s.bundle->proofs});
}

Status ServingMcMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  if (e.transition == "open") {
    submit_act(s, "deposit", escrow::rules_digest(s.escrow.rules()), out);
  } else if (stage == "awaiting_inputs") {  // funded: MP's bond is in
    out.push_back(Send{Role::kMp, Inputs{inputs_, s.salts}});
    out.push_back(Send{Role::kVerifier, InputCommitments{s.ics, s.round.seed_commitment}});
    submit_act(s, "commit_inputs", inputs_digest(s.ics, s.round.seed_commitment), out);
  } else if (stage == "awaiting_transcript") {
    s.predictions_posted = e.evidence;
    if (!s.predictions.empty() && predictions_digest(s.predictions) != e.evidence) s.predictions.clear();
    maybe_commit(s, out);
  } else if (stage == "contest_window") {
    s.root = e.evidence;
    if (policy_ == ContestPolicy::kAlways) {
      out.push_back(Send{Role::kMp, Contest{s.seed}});
      out.push_back(Send{Role::kVerifier, Contest{s.seed}});
      submit_act(s, "contest", s.seed, out);
    } else {
      submit_act(s, "close", Digest{}, out);
    }
  } else if (stage == "contested") {
    s.contested = contested_indices(terms_, s.session, s.root, e.evidence);
  } else if (stage == "proofs_submitted") {
    s.bundle_posted = e.evidence;
    if (s.bundle && bundle_digest(*s.bundle) != e.evidence) s.bundle.reset();
    maybe_verify(s, out);
  }
  return {};
}

}  // namespace verdict::serving
