#include "protocols/accuracy/mp_machine.hpp"

#include "protocols/accuracy/sealed.hpp"

namespace verdict::accuracy {

MpMachine::MpMachine(const Terms& terms, const Digest& model_commitment, Rng& rng)
    : terms_(terms), model_commitment_(model_commitment), rng_(&rng) {
  s_.escrow = protocols::EscrowView(*escrow::accuracy_rule_set(terms.params));
}

Result<Effects> MpMachine::handle(const Input& input) {
  return step_transactionally(s_, "mp", [&](State& s, Effects& out) { return step(s, input, out); });
}

void MpMachine::act(State& s, const std::string& transition, const Digest& evidence, Effects& out) {
  submit_act(s, transition, evidence, out);
}

Status MpMachine::step(State& s, const Input& input, Effects& out) {
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
  if (std::holds_alternative<EscrowRefused>(input)) return {};  // the escrow's events decide
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (!s.outcome) on_timer(s, t->now_ms, out);
    return {};
  }
  if (const auto* d = std::get_if<InspectionDone>(&input)) {
    if (!s.awaiting_inspection || s.escrow.stage() != "subset_revealed") return Error{"no inspection pending"};
    s.awaiting_inspection = false;
    act(s, d->proceed ? "proceed" : "abort", Digest{}, out);
    return {};
  }
  if (const auto* p = std::get_if<ProofsDone>(&input)) {
    if (!s.awaiting_proofs || s.escrow.stage() != "proving") return Error{"no proving pending"};
    if (p->proofs && p->proofs->size() != s.split.rest.size()) return Error{"one proof per rest example expected"};
    s.awaiting_proofs = false;
    if (!p->proofs) {
      act(s, "abort", Digest{}, out);  // cannot prove: the steps 5-6 row either way
      return {};
    }
    ProofBundle bundle{*p->proofs};
    const Digest d = bundle_digest(bundle);
    out.push_back(Send{Role::kMc, bundle});
    out.push_back(Send{Role::kVerifier, std::move(bundle)});
    act(s, "submit_proofs", d, out);
    return {};
  }
  return Error{"input not for MP"};
}

Status MpMachine::on_message(State& s, Role from, const Message& m, Effects& out) {
  if (const auto* c = std::get_if<TestSetCommitment>(&m)) {
    if (from != Role::kMc) return Error{"test-set commitment not from MC"};
    if (s.test_set) return Error{"second test-set commitment"};
    if (c->n != total_examples(terms_)) return Error{"test-set commitment with the wrong N"};
    s.test_set = *c;
    s.session = session_digest(terms_, ModelCommitment{model_commitment_}, *c);
    s.escrow.expect(session_instance(s.session));
    return {};
  }
  const bool subset = std::holds_alternative<SubsetBatch>(m);
  if (subset || std::holds_alternative<RestBatch>(m)) {
    if (from != Role::kVerifier) return Error{"sealed batch not relayed by the verifier"};
    const std::string& st = s.escrow.stage();
    if (subset) {
      const auto& b = std::get<SubsetBatch>(m);
      if (st != "subset_chosen" && st != "subset_sent") return Error{"subset batch out of order"};
      if (s.subset_sealed) return Error{"second subset batch"};
      if (seed_commitment(b.mc_seed) != s.test_set->seed_commitment) return Error{"MC's seed does not open its commitment"};
      if (s.subset_posted && sealed_digest(b.sealed) != *s.subset_posted) return Error{"subset batch differs from the posted digest"};
      s.subset_sealed = b.sealed;
      s.mc_seed = b.mc_seed;
      s.split = split_test_set(s.session, *s.mp_seed, b.mc_seed, total_examples(terms_),
                               static_cast<std::uint32_t>(terms_.params.n1));
    } else {
      const auto& b = std::get<RestBatch>(m);
      if (st != "rest_pending" && st != "rest_sent") return Error{"rest batch out of order"};
      if (s.rest_sealed) return Error{"second rest batch"};
      if (s.rest_posted && sealed_digest(b.sealed) != *s.rest_posted) return Error{"rest batch differs from the posted digest"};
      s.rest_sealed = b.sealed;
    }
    maybe_ack(s, false, out);
    return {};
  }
  return Error{"message not for MP"};
}

// Acknowledges the pending reveal if the relayed bytes match the posted digest, or
// unconditionally when `force` (half the window passed: silence is slashed, a contest
// is judged on what the verifier holds).
void MpMachine::maybe_ack(State& s, bool force, Effects& out) {
  if (s.acted_seq == s.escrow.last_seq() && s.acted_seq != 0) return;
  const std::string& st = s.escrow.stage();
  if (st == "subset_sent" && (force || (s.subset_sealed && sealed_digest(*s.subset_sealed) == *s.subset_posted))) {
    act(s, "ack_subset", *s.subset_posted, out);
  } else if (st == "rest_sent" && (force || (s.rest_sealed && sealed_digest(*s.rest_sealed) == *s.rest_posted))) {
    act(s, "ack_rest", *s.rest_posted, out);
  }
}

Status MpMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
  if (Status st = s.escrow.apply(e); !st.ok()) return st;
  const std::string& stage = s.escrow.stage();
  if (s.escrow.settled()) {
    s.outcome = outcome_of(terms_, stage);
    out.push_back(Finished{*s.outcome});
    return {};
  }
  out.push_back(SetTimer{s.escrow.deadline_ms()});
  if (e.transition == "open") {
    act(s, "deposit", escrow::rules_digest(s.escrow.rules()), out);
  } else if (stage == "funded") {
    Digest seed{};
    rng_->fill(seed);
    s.mp_seed = seed;
    act(s, "choose_subset", seed, out);
  } else if (stage == "subset_chosen") {
    s.mp_seed = e.evidence;  // the escrow's record is what counts (and what MC and the verifier use)
  } else if (stage == "subset_sent" || stage == "rest_sent") {
    const bool subset = stage == "subset_sent";
    auto& sealed = subset ? s.subset_sealed : s.rest_sealed;
    if (sealed && sealed_digest(*sealed) != e.evidence) sealed.reset();  // not what was posted
    (subset ? s.subset_posted : s.rest_posted) = e.evidence;
    out.push_back(SetTimer{s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2});
    maybe_ack(s, false, out);
  } else if (stage == "subset_revealed" || stage == "proving") {
    const bool subset = stage == "subset_revealed";
    const auto& sealed = subset ? s.subset_sealed : s.rest_sealed;
    Result<std::vector<Example>> ex = Error{"no sealed batch received"};
    if (sealed && s.mc_seed) {
      ex = open_reveal(e.evidence, *sealed, s.session, subset ? Reveal::kSubset : Reveal::kRest,
                       subset ? s.split.subset : s.split.rest, TestSetHead{s.test_set->root, s.test_set->n});
    }
    if (!ex.ok()) {
      act(s, subset ? "contest_subset_key" : "contest_rest_key", subset ? *s.subset_posted : *s.rest_posted, out);
    } else if (subset) {
      s.awaiting_inspection = true;
      out.push_back(InspectSubset{s.split.subset, std::move(*ex)});
    } else {
      s.awaiting_proofs = true;
      out.push_back(ProveRest{s.split.rest, std::move(*ex)});
    }
  }
  return {};
}

void MpMachine::on_timer(State& s, std::int64_t now, Effects& out) {
  if (!s.escrow.opened()) {
    if (now >= s.setup_deadline_ms) {
      s.outcome = outcome_of(terms_, "abandoned");
      out.push_back(Finished{*s.outcome});
    }
    return;
  }
  if (s.escrow.settled()) return;
  if (now >= s.escrow.deadline_ms()) {
    if (s.timeout_claimed_seq != s.escrow.last_seq()) {
      s.timeout_claimed_seq = s.escrow.last_seq();
      out.push_back(SubmitAct{"timeout", Digest{}});
    }
    return;
  }
  if (now >= s.escrow.entered_ms() + s.escrow.stage_timeout_ms() / 2) maybe_ack(s, true, out);
}

}  // namespace verdict::accuracy
