#include "protocols/accuracy/mc_machine.hpp"

namespace verdict::accuracy {

Result<McMachine> McMachine::create(const Terms& terms, std::vector<Example> test_set, Rng& rng) {
  if (Status st = check_terms(terms); !st.ok()) return st.error().context("mc");
  if (test_set.size() != total_examples(terms)) return Error{"mc: the test set must have exactly N examples"};
  return McMachine(terms, std::move(test_set), rng);
}

McMachine::McMachine(const Terms& terms, std::vector<Example> test_set, Rng& rng)
    : terms_(terms), examples_(std::move(test_set)), rng_(&rng) {
  leaves_.reserve(examples_.size());
  for (std::uint32_t i = 0; i < examples_.size(); ++i) leaves_.push_back(example_leaf(i, examples_[i]));
  root_ = merkle_root(leaves_);
  s_.escrow = protocols::EscrowView(*escrow::accuracy_rule_set(terms.params));
}

Result<Effects> McMachine::handle(const Input& input) {
  return step_transactionally(s_, "mc", [&](State& s, Effects& out) { return step(s, input, out); });
}

void McMachine::act(State& s, const std::string& transition, const Digest& evidence, Effects& out) {
  submit_act(s, transition, evidence, out);
}

std::vector<std::uint8_t> McMachine::seal_batch(const State& s, std::span<const std::uint32_t> indices,
                                                const Key& key, Reveal which) {
  std::vector<RevealedExample> batch;
  batch.reserve(indices.size());
  for (std::uint32_t i : indices) batch.push_back(RevealedExample{i, examples_[i], merkle_path(leaves_, i)});
  return seal(key, encode_batch(batch), s.session, which, *rng_);
}

Status McMachine::step(State& s, const Input& input, Effects& out) {
  if (s.outcome && !std::holds_alternative<TimerFired>(input) && !std::holds_alternative<EscrowRefused>(input)) {
    return Error{"the protocol has finished"};
  }
  if (const auto* st = std::get_if<Start>(&input)) {
    if (s.started) return Error{"started twice"};
    s.started = true;
    rng_->fill(s.mc_seed);
    s.setup_deadline_ms = st->now_ms + terms_.params.response_timeout_ms;
    const TestSetCommitment c{root_, total_examples(terms_), seed_commitment(s.mc_seed)};
    out.push_back(Send{Role::kMp, c});
    out.push_back(Send{Role::kVerifier, c});
    out.push_back(SetTimer{s.setup_deadline_ms});
    return {};
  }
  if (!s.started) return Error{"not started"};
  if (const auto* r = std::get_if<Received>(&input)) {
    if (const auto* m = std::get_if<ModelCommitment>(&r->message)) {
      if (r->from != Role::kMp) return Error{"model commitment not from MP"};
      if (s.model_commitment) return Error{"second model commitment"};
      s.model_commitment = m->model_commitment;
      s.session = session_digest(terms_, *m, TestSetCommitment{root_, total_examples(terms_), seed_commitment(s.mc_seed)});
      const escrow::InstanceId id = session_instance(s.session);
      s.escrow.expect(id);
      out.push_back(OpenEscrow{id});
      return {};
    }
    if (const auto* b = std::get_if<ProofBundle>(&r->message)) {
      if (r->from != Role::kMp) return Error{"proof bundle not from MP"};
      const std::string& st = s.escrow.stage();
      if (st != "proving" && st != "verdict") return Error{"proof bundle out of order"};
      if (s.bundle) return Error{"second proof bundle"};
      if (b->proofs.size() != s.split.rest.size()) return Error{"proof bundle with the wrong number of proofs"};
      if (s.bundle_posted && bundle_digest(*b) != *s.bundle_posted) return Error{"proof bundle differs from the posted digest"};
      s.bundle = *b;
      maybe_verify(s, out);
      return {};
    }
    return Error{"message not for MC"};
  }
  if (const auto* e = std::get_if<EscrowEvent>(&input)) return on_escrow(s, *e, out);
  if (std::holds_alternative<EscrowRefused>(input)) return {};
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (s.outcome) return {};
    if (!s.escrow.opened()) {
      if (t->now_ms >= s.setup_deadline_ms) {
        s.outcome = outcome_of(terms_, "abandoned");
        out.push_back(Finished{*s.outcome});
      }
    } else if (!s.escrow.settled() && t->now_ms >= s.escrow.deadline_ms() &&
               s.timeout_claimed_seq != s.escrow.last_seq()) {
      s.timeout_claimed_seq = s.escrow.last_seq();
      out.push_back(SubmitAct{"timeout", Digest{}});
    }
    return {};
  }
  if (const auto* v = std::get_if<VerificationDone>(&input)) {
    if (!s.awaiting_verification || s.escrow.stage() != "verdict") return Error{"no verification pending"};
    if (v->valid.size() != s.bundle->proofs.size()) return Error{"one verification result per proof expected"};
    s.awaiting_verification = false;
    std::vector<Example> rest;
    rest.reserve(s.split.rest.size());
    for (std::uint32_t i : s.split.rest) rest.push_back(examples_[i]);
    auto correct = count_correct(*s.bundle, rest, *s.model_commitment, v->valid);
    if (correct.ok() && target_met(terms_, *correct)) act(s, "accept", *s.bundle_posted, out);
    return {};  // otherwise the verifier rules fail or invalid
  }
  return Error{"input not for MC"};
}

void McMachine::maybe_verify(State& s, Effects& out) {
  if (s.escrow.stage() != "verdict" || !s.bundle || s.awaiting_verification) return;
  if (s.acted_seq == s.escrow.last_seq()) return;
  s.awaiting_verification = true;
  out.push_back(VerifyProofs{s.bundle->proofs});
}

Status McMachine::on_escrow(State& s, const EscrowEvent& e, Effects& out) {
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
  } else if (stage == "subset_chosen") {
    s.split = split_test_set(s.session, e.evidence, s.mc_seed, total_examples(terms_),
                             static_cast<std::uint32_t>(terms_.params.n1));
    rng_->fill(s.subset_key);
    std::vector<std::uint8_t> sealed = seal_batch(s, s.split.subset, s.subset_key, Reveal::kSubset);
    const Digest d = sealed_digest(sealed);
    out.push_back(Send{Role::kVerifier, SubsetBatch{s.mc_seed, std::move(sealed)}});
    act(s, "send_subset", d, out);
  } else if (stage == "subset_acked") {
    act(s, "publish_subset_key", s.subset_key, out);
  } else if (stage == "rest_pending") {
    rng_->fill(s.rest_key);
    std::vector<std::uint8_t> sealed = seal_batch(s, s.split.rest, s.rest_key, Reveal::kRest);
    const Digest d = sealed_digest(sealed);
    out.push_back(Send{Role::kVerifier, RestBatch{std::move(sealed)}});
    act(s, "send_rest", d, out);
  } else if (stage == "rest_acked") {
    act(s, "publish_rest_key", s.rest_key, out);
  } else if (stage == "verdict") {
    s.bundle_posted = e.evidence;
    if (s.bundle && bundle_digest(*s.bundle) != e.evidence) s.bundle.reset();
    maybe_verify(s, out);
  }
  return {};
}

}  // namespace verdict::accuracy
