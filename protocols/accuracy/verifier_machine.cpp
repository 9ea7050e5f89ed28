#include "protocols/accuracy/verifier_machine.hpp"

#include "protocols/accuracy/sealed.hpp"

namespace verdict::accuracy {

VerifierMachine::VerifierMachine(const Terms& terms) : terms_(terms) {
  s_.escrow = protocols::EscrowView(*escrow::accuracy_rule_set(terms.params));
}

Result<Effects> VerifierMachine::handle(const Input& input) {
  return step_transactionally(s_, "verifier", [&](State& s, Effects& out) { return step(s, input, out); });
}

void VerifierMachine::act(State& s, const std::string& transition, const Digest& evidence, Effects& out) {
  submit_act(s, transition, evidence, out);
}

Status VerifierMachine::step(State& s, const Input& input, Effects& out) {
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
  if (const auto* r = std::get_if<Received>(&input)) return on_message(s, r->from, r->message, out);
  if (const auto* e = std::get_if<EscrowEvent>(&input)) return on_escrow(s, *e, out);
  if (std::holds_alternative<EscrowRefused>(input)) return {};
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (s.outcome) return {};
    if (!s.escrow.opened()) {
      if (s.started && t->now_ms >= s.setup_deadline_ms) {
        s.outcome = outcome_of(terms_, "abandoned");
        out.push_back(Finished{*s.outcome});
      }
      return {};
    }
    if (s.escrow.settled()) return {};
    if (t->now_ms >= s.escrow.deadline_ms()) {
      if (s.timeout_claimed_seq != s.escrow.last_seq()) {
        s.timeout_claimed_seq = s.escrow.last_seq();
        out.push_back(SubmitAct{"timeout", Digest{}});
      }
    } else if (s.escrow.stage() == "verdict" && !s.bundle && s.acted_seq != s.escrow.last_seq() &&
               t->now_ms >= s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2) {
      act(s, "invalid", Digest{}, out);  // no bundle matching the posted digest
    }
    return {};
  }
  if (const auto* v = std::get_if<VerificationDone>(&input)) {
    if (!s.awaiting_verification || s.escrow.stage() != "verdict") return Error{"no verification pending"};
    if (v->valid.size() != s.bundle->proofs.size()) return Error{"one verification result per proof expected"};
    s.awaiting_verification = false;
    auto rest = open_reveal(s.rest_key, *s.rest_sealed, s.session, Reveal::kRest, s.split.rest,
                            TestSetHead{s.test_set->root, s.test_set->n});
    if (!rest.ok()) {
      act(s, "invalid", *s.bundle_posted, out);  // MP proved without a valid rest: it should have contested
      return {};
    }
    auto correct = count_correct(*s.bundle, *rest, s.model->model_commitment, v->valid);
    const char* ruling = !correct.ok() ? "invalid" : target_met(terms_, *correct) ? "pass" : "fail";
    act(s, ruling, *s.bundle_posted, out);
    return {};
  }
  return Error{"input not for the verifier"};
}

Status VerifierMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (const auto* c = std::get_if<ModelCommitment>(&m)) {
    if (from != Role::kMp) return Error{"model commitment not from MP"};
    if (s.model) return Error{"second model commitment"};
    s.model = *c;
  } else if (const auto* c = std::get_if<TestSetCommitment>(&m)) {
    if (from != Role::kMc) return Error{"test-set commitment not from MC"};
    if (s.test_set) return Error{"second test-set commitment"};
    if (c->n != total_examples(terms_)) return Error{"test-set commitment with the wrong N"};
    s.test_set = *c;
  } else if (const auto* b = std::get_if<SubsetBatch>(&m)) {
    if (from != Role::kMc) return Error{"subset batch not from MC"};
    const std::string& st = s.escrow.stage();
    if (st != "subset_chosen" && st != "subset_sent") return Error{"subset batch out of order"};
    if (s.subset_sealed) return Error{"second subset batch"};
    if (seed_commitment(b->mc_seed) != s.test_set->seed_commitment) return Error{"MC's seed does not open its commitment"};
    if (s.subset_posted && sealed_digest(b->sealed) != *s.subset_posted) return Error{"subset batch differs from the posted digest"};
    s.subset_sealed = b->sealed;
    s.mc_seed = b->mc_seed;
    s.split = split_test_set(s.session, *s.mp_seed, b->mc_seed, total_examples(terms_),
                             static_cast<std::uint32_t>(terms_.params.n1));
    relay(s, out);
    return {};
  } else if (const auto* b = std::get_if<RestBatch>(&m)) {
    if (from != Role::kMc) return Error{"rest batch not from MC"};
    const std::string& st = s.escrow.stage();
    if (st != "rest_pending" && st != "rest_sent") return Error{"rest batch out of order"};
    if (s.rest_sealed) return Error{"second rest batch"};
    if (s.rest_posted && sealed_digest(b->sealed) != *s.rest_posted) return Error{"rest batch differs from the posted digest"};
    s.rest_sealed = b->sealed;
    relay(s, out);
    return {};
  } else if (const auto* b = std::get_if<ProofBundle>(&m)) {
    if (from != Role::kMp) return Error{"proof bundle not from MP"};
    const std::string& st = s.escrow.stage();
    if (st != "proving" && st != "verdict") return Error{"proof bundle out of order"};
    if (s.bundle) return Error{"second proof bundle"};
    if (b->proofs.size() != s.split.rest.size()) return Error{"proof bundle with the wrong number of proofs"};
    if (s.bundle_posted && bundle_digest(*b) != *s.bundle_posted) return Error{"proof bundle differs from the posted digest"};
    s.bundle = *b;
    maybe_verify(s, out);
    return {};
  } else {
    return Error{"message not for the verifier"};
  }
  if (s.model && s.test_set) {
    s.session = session_digest(terms_, *s.model, *s.test_set);
    s.escrow.expect(session_instance(s.session));
  }
  return {};
}

void VerifierMachine::relay(State& s, Effects& out) {
  if (s.escrow.stage() == "subset_sent" && !s.subset_relayed && s.subset_sealed) {
    s.subset_relayed = true;
    out.push_back(Send{Role::kMp, SubsetBatch{*s.mc_seed, *s.subset_sealed}});
  }
  if (s.escrow.stage() == "rest_sent" && !s.rest_relayed && s.rest_sealed) {
    s.rest_relayed = true;
    out.push_back(Send{Role::kMp, RestBatch{*s.rest_sealed}});
  }
}

void VerifierMachine::judge_contest(State& s, bool subset, Effects& out) {
  const auto& sealed = subset ? s.subset_sealed : s.rest_sealed;
  bool valid = false;
  if (sealed && s.mc_seed) {
    valid = open_reveal(subset ? s.subset_key : s.rest_key, *sealed, s.session, subset ? Reveal::kSubset : Reveal::kRest,
                        subset ? s.split.subset : s.split.rest, TestSetHead{s.test_set->root, s.test_set->n})
                .ok();
  }
  act(s, valid ? "dismiss_contest" : "uphold_contest", Digest{}, out);
}

void VerifierMachine::maybe_verify(State& s, Effects& out) {
  if (s.escrow.stage() != "verdict" || !s.bundle || s.awaiting_verification || s.acted_seq == s.escrow.last_seq()) return;
  s.awaiting_verification = true;
  out.push_back(VerifyProofs{s.bundle->proofs});
}

Status VerifierMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  if (stage == "subset_chosen") {
    s.mp_seed = e.evidence;
  } else if (stage == "subset_sent" || stage == "rest_sent") {
    const bool subset = stage == "subset_sent";
    auto& sealed = subset ? s.subset_sealed : s.rest_sealed;
    if (sealed && sealed_digest(*sealed) != e.evidence) sealed.reset();
    (subset ? s.subset_posted : s.rest_posted) = e.evidence;
    relay(s, out);
  } else if (stage == "subset_revealed") {
    s.subset_key = e.evidence;
  } else if (stage == "proving") {
    s.rest_key = e.evidence;
  } else if (stage == "subset_key_contested" || stage == "rest_key_contested") {
    judge_contest(s, stage == "subset_key_contested", out);
  } else if (stage == "verdict") {
    s.bundle_posted = e.evidence;
    if (s.bundle && bundle_digest(*s.bundle) != e.evidence) s.bundle.reset();
    out.push_back(SetTimer{s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2});
    maybe_verify(s, out);
  }
  return {};
}

}  // namespace verdict::accuracy
