#include "protocols/serving/verifier_machine.hpp"

#include <algorithm>

namespace verdict::serving {

namespace {
// The stages of a funded, unsettled instance.
bool in_round(const protocols::EscrowView& v) { return v.opened() && v.stage() != "funding" && !v.settled(); }
}  // namespace

Result<ServingVerifierMachine> ServingVerifierMachine::create(const Terms& terms) {
  if (Status st = check_terms(terms); !st.ok()) return st.error().context("verifier");
  return ServingVerifierMachine(terms);
}

ServingVerifierMachine::ServingVerifierMachine(const Terms& terms) : terms_(terms) {
  s_.escrow = protocols::EscrowView(*serving_rule_set(terms.params));
}

Result<Effects> ServingVerifierMachine::handle(const Input& input) {
  return step_transactionally(s_, "verifier", [&](State& s, Effects& out) { return step(s, input, out); });
}

Status ServingVerifierMachine::step(State& s, const Input& input, Effects& out) {
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
  if (const auto* refused = std::get_if<EscrowRefused>(&input)) {
    on_refused(s, *refused, out);
    return {};
  }
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    on_deadline(terms_, s, t->now_ms, out);
    if (!s.outcome && s.escrow.stage() == "proofs_submitted" && t->now_ms < s.escrow.deadline_ms() &&
        t->now_ms >= s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2 && !s.awaiting_verification &&
        s.acted_seq != s.escrow.last_seq()) {
      rule_invalid(s,
                   !s.bundle               ? "no proof bundle matching the posted digest"
                   : s.predictions.empty() ? "no predictions matching the posted digest"
                                           : "no input commitments matching the posted digest",
                   out);
    }
    return {};
  }
  if (const auto* v = std::get_if<VerificationDone>(&input)) {
    if (!s.awaiting_verification || s.escrow.stage() != "proofs_submitted") return Error{"no verification pending"};
    if (v->valid.size() != s.bundle->proofs.size()) return Error{"one verification result per proof expected"};
    s.awaiting_verification = false;
    Status ok =
        check_contest_proofs(terms_, *s.model_commitment, s.ics, s.predictions, s.contested, *s.bundle, v->valid);
    if (ok.ok()) {
      submit_act(s, "valid", *s.bundle_posted, out);
    } else {
      rule_invalid(s, ok.error().message, out);
    }
    return {};
  }
  return Error{"input not for the verifier"};
}

void ServingVerifierMachine::rule_invalid(State& s, std::string why, Effects& out) {
  s.rejection = std::move(why);
  submit_act(s, "invalid", s.bundle_posted.value_or(Digest{}), out);
}

bool ServingVerifierMachine::matches_inputs(const State& s, const InputCommitments& c) const {
  return c.commitments.size() == terms_.params.k && c.seed_commitment == s.round->seed_commitment &&
         inputs_digest(c.commitments, c.seed_commitment) == *s.inputs_posted;
}

Status ServingVerifierMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (const auto* c = std::get_if<ModelCommitment>(&m)) {
    if (from == Role::kVerifier) return Error{"model commitment from the verifier"};
    auto& slot = s.offered_model[static_cast<int>(from)];
    if (slot) return Error{"second model commitment from " + std::string(role_name(from))};
    if (s.model_commitment && c->model_commitment != *s.model_commitment) {
      return Error{"model commitment other than the instance's"};
    }
    slot = c->model_commitment;
    return {};
  } else if (const auto* o = std::get_if<RoundOpen>(&m)) {
    if (from == Role::kVerifier) return Error{"round open from the verifier"};
    auto& slot = s.offered_round[static_cast<int>(from)];
    if (slot) return Error{"second round open from " + std::string(role_name(from))};
    if (s.round && (o->round_id != s.round->round_id || o->seed_commitment != s.round->seed_commitment)) {
      return Error{"round open other than the instance's"};
    }
    slot = *o;
    return {};
  } else if (const auto* ic = std::get_if<InputCommitments>(&m)) {
    if (from == Role::kVerifier) return Error{"input commitments from the verifier"};
    if (!in_round(s.escrow)) return Error{"input commitments out of order"};
    auto& slot = s.offered[static_cast<int>(from)];
    if (slot) return Error{"second input commitments from " + std::string(role_name(from))};
    if (ic->commitments.size() != terms_.params.k) return Error{"input commitments: K expected"};
    if (s.inputs_posted) {
      if (!matches_inputs(s, *ic)) return Error{"input commitments differ from the posted digest"};
      if (s.ics.empty()) s.ics = ic->commitments;
    }
    slot = *ic;
    maybe_verify(s, out);
    return {};
  } else if (const auto* p = std::get_if<Predictions>(&m)) {
    if (from != Role::kMp) return Error{"predictions not from MP"};
    if (!in_round(s.escrow) || s.escrow.stage() == "awaiting_inputs") return Error{"predictions out of order"};
    if (!s.predictions.empty()) return Error{"second predictions"};
    if (p->outputs.size() != terms_.params.k) return Error{"predictions: one output per input expected"};
    if (s.predictions_posted && predictions_digest(p->outputs) != *s.predictions_posted) {
      return Error{"predictions differ from the posted digest"};
    }
    s.predictions = p->outputs;
    maybe_verify(s, out);
    return {};
  } else if (const auto* c = std::get_if<Contest>(&m)) {
    if (from != Role::kMc) return Error{"contest not from MC"};
    const std::string& st = s.escrow.stage();
    if (st != "contest_window" && st != "contested" && st != "proofs_submitted") return Error{"contest out of order"};
    if (s.contest_seed) return Error{"second contest"};
    if (seed_commitment(c->seed) != s.round->seed_commitment) return Error{"MC's seed does not open its commitment"};
    s.contest_seed = c->seed;  // informative: the seed on the escrow is what counts
    return {};
  } else if (const auto* b = std::get_if<ProofBundle>(&m)) {
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
  return Error{"message not for the verifier"};
}

std::vector<escrow::InstanceId> ServingVerifierMachine::candidate_instances() const {
  std::vector<escrow::InstanceId> out;
  if (s_.model_commitment) {
    out.push_back(session_instance(s_.session));
    return out;
  }
  for (const auto& model : s_.offered_model) {
    for (const auto& round : s_.offered_round) {
      if (!model || !round) continue;
      const escrow::InstanceId id = session_instance(session_digest(terms_, *model, *round));
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
  }
  return out;
}

// Before the instance opens, the session is the candidate whose instance the first event
// names; from then on it is fixed.
void ServingVerifierMachine::choose_session(State& s, const escrow::InstanceId& instance) const {
  if (s.model_commitment) return;
  for (const auto& model : s.offered_model) {
    for (const auto& round : s.offered_round) {
      if (!model || !round) continue;
      const Digest session = session_digest(terms_, *model, *round);
      if (session_instance(session) != instance) continue;
      s.model_commitment = *model;
      s.round = *round;
      s.session = session;
      s.escrow.expect(instance);
      return;
    }
  }
}

void ServingVerifierMachine::maybe_verify(State& s, Effects& out) {
  if (s.escrow.stage() != "proofs_submitted" || !s.bundle || s.predictions.empty() || s.ics.empty()) return;
  if (s.awaiting_verification || s.acted_seq == s.escrow.last_seq()) return;
  s.awaiting_verification = true;
  out.push_back(VerifyProofs{s.bundle->proofs});
}

Status ServingVerifierMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  choose_session(s, e.instance);
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  if (stage == "awaiting_predictions") {
    s.inputs_posted = e.evidence;
    for (auto& slot : s.offered) {
      if (slot && !matches_inputs(s, *slot)) slot.reset();
      if (slot && s.ics.empty()) s.ics = slot->commitments;
    }
  } else if (stage == "awaiting_transcript") {
    s.predictions_posted = e.evidence;
    if (!s.predictions.empty() && predictions_digest(s.predictions) != e.evidence) s.predictions.clear();
  } else if (stage == "contest_window") {
    s.root = e.evidence;
  } else if (stage == "contested") {
    s.contested = contested_indices(terms_, s.session, s.root, e.evidence);
  } else if (stage == "proofs_submitted") {
    s.bundle_posted = e.evidence;
    if (s.bundle && bundle_digest(*s.bundle) != e.evidence) s.bundle.reset();
    out.push_back(SetTimer{s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2});
    maybe_verify(s, out);
  }
  return {};
}

}  // namespace verdict::serving
