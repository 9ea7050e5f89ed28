#include "protocols/serving/mp_machine.hpp"

namespace verdict::serving {

Result<ServingMpMachine> ServingMpMachine::create(const Terms& terms, const Digest& model_commitment) {
  if (Status st = check_terms(terms); !st.ok()) return st.error().context("mp");
  return ServingMpMachine(terms, model_commitment);
}

ServingMpMachine::ServingMpMachine(const Terms& terms, const Digest& model_commitment)
    : terms_(terms), model_commitment_(model_commitment) {
  s_.escrow = protocols::EscrowView(*serving_rule_set(terms.params));
}

Result<Effects> ServingMpMachine::handle(const Input& input) {
  return step_transactionally(s_, "mp", [&](State& s, Effects& out) { return step(s, input, out); });
}

Status ServingMpMachine::step(State& s, const Input& input, Effects& out) {
  if (s.outcome && !std::holds_alternative<TimerFired>(input) && !std::holds_alternative<EscrowRefused>(input)) {
    return Error{"the protocol has finished"};
  }
  if (const auto* st = std::get_if<Start>(&input)) {
    if (s.started) return Error{"started twice"};
    s.started = true;
    s.setup_deadline_ms = st->now_ms + terms_.params.response_timeout_ms;
    out.push_back(Send{Role::kMc, ModelCommitment{model_commitment_}});
    out.push_back(Send{Role::kVerifier, ModelCommitment{model_commitment_}});
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
    if (!s.outcome && s.escrow.stage() == "awaiting_predictions" && t->now_ms < s.escrow.deadline_ms() &&
        t->now_ms >= s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2) {
      check_inputs(s, true, out);
    }
    return {};
  }
  if (const auto* p = std::get_if<PredictionsDone>(&input)) {
    if (!s.awaiting_predictions || s.escrow.stage() != "awaiting_predictions") return Error{"no prediction pending"};
    if (p->outputs && p->outputs->size() != terms_.params.k) return Error{"one output per input expected"};
    s.awaiting_predictions = false;
    if (!p->outputs) {
      submit_act(s, "reject_inputs", *s.inputs_posted, out);  // not inputs of this model
      return {};
    }
    s.outputs = *p->outputs;
    out.push_back(Send{Role::kMc, Predictions{s.outputs}});
    out.push_back(Send{Role::kVerifier, Predictions{s.outputs}});
    out.push_back(Send{Role::kVerifier, InputCommitments{s.ics, s.round->seed_commitment}});
    submit_act(s, "post_predictions", predictions_digest(s.outputs), out);
    return {};
  }
  if (const auto* p = std::get_if<ProofsDone>(&input)) {
    if (!s.awaiting_proofs || s.escrow.stage() != "contested") return Error{"no proving pending"};
    if (p->proofs && p->proofs->size() != s.contested.size()) return Error{"one proof per contested item expected"};
    s.awaiting_proofs = false;
    if (!p->proofs) return {};  // cannot prove: the proving deadline slashes, as an invalid bundle would
    ProofBundle bundle{*p->proofs};
    const Digest d = bundle_digest(bundle);
    out.push_back(Send{Role::kMc, bundle});
    out.push_back(Send{Role::kVerifier, std::move(bundle)});
    submit_act(s, "submit_proofs", d, out);
    return {};
  }
  return Error{"input not for MP"};
}

Status ServingMpMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (const auto* o = std::get_if<RoundOpen>(&m)) {
    if (from != Role::kMc) return Error{"round open not from MC"};
    if (s.round) return Error{"second round open"};
    s.round = *o;
    s.session = session_digest(terms_, model_commitment_, *o);
    s.escrow.expect(session_instance(s.session));
    out.push_back(Send{Role::kVerifier, *o});  // relayed: MC cannot keep the verifier out
    return {};
  }
  if (const auto* in = std::get_if<Inputs>(&m)) {
    if (from != Role::kMc) return Error{"inputs not from MC"};
    const std::string& st = s.escrow.stage();
    if (st != "awaiting_inputs" && st != "awaiting_predictions") return Error{"inputs out of order"};
    if (s.inputs) return Error{"second inputs"};
    if (in->inputs.size() != terms_.params.k || in->salts.size() != terms_.params.k) {
      return Error{"inputs: K inputs with K salts expected"};
    }
    s.inputs = *in;
    check_inputs(s, false, out);
    return {};
  }
  if (const auto* c = std::get_if<Contest>(&m)) {
    if (from != Role::kMc) return Error{"contest not from MC"};
    const std::string& st = s.escrow.stage();
    if (st != "contest_window" && st != "contested" && st != "proofs_submitted") return Error{"contest out of order"};
    if (s.contest_seed) return Error{"second contest"};
    if (seed_commitment(c->seed) != s.round->seed_commitment) return Error{"MC's seed does not open its commitment"};
    s.contest_seed = c->seed;  // informative: the seed on the escrow is what counts
    return {};
  }
  return Error{"message not for MP"};
}

// Once the inputs and MC's digest are both in: matching inputs go to the driver;
// mismatching ones are rejected. At half the window (`deadline`) no inputs means reject.
void ServingMpMachine::check_inputs(State& s, bool deadline, Effects& out) {
  if (s.escrow.stage() != "awaiting_predictions" || s.awaiting_predictions) return;
  if (s.acted_seq == s.escrow.last_seq()) return;
  if (s.inputs && s.inputs_posted) {
    std::vector<field::Fr> ics = input_commitments(s.inputs->inputs, s.inputs->salts);
    if (inputs_digest(ics, s.round->seed_commitment) == *s.inputs_posted) {
      s.ics = std::move(ics);
      s.awaiting_predictions = true;
      out.push_back(Predict{s.inputs->inputs});
    } else {
      submit_act(s, "reject_inputs", *s.inputs_posted, out);
    }
  } else if (deadline) {
    submit_act(s, "reject_inputs", s.inputs_posted.value_or(Digest{}), out);
  }
}

Status ServingMpMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
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
  } else if (stage == "awaiting_predictions") {
    s.inputs_posted = e.evidence;
    out.push_back(SetTimer{s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2});
    check_inputs(s, false, out);
  } else if (stage == "contest_window") {
    s.root = e.evidence;
    const bool have = !s.ics.empty() && s.ics.size() == s.outputs.size();
    s.transcript_mismatch = !have || s.root != transcript_root(s.ics, s.outputs);
  } else if (stage == "contested") {
    s.contested = contested_indices(terms_, s.session, s.root, e.evidence);
    if (s.ics.empty()) return {};  // never predicted (its posting was not this machine's): nothing to prove
    ProveContested p;
    p.indices = s.contested;
    for (std::uint32_t i : s.contested) {
      p.inputs.push_back(s.inputs->inputs[i]);
      p.salts.push_back(s.inputs->salts[i]);
    }
    s.awaiting_proofs = true;
    out.push_back(std::move(p));
  }
  return {};
}

}  // namespace verdict::serving
