// The judge's step 6 for the accuracy protocol (docs/protocols.md, "The judge"):
// commitments, the split's randomness, the sealed reveals against the committed test set,
// every SNARK, and whether the terminal stage is the one the evidence calls for.
#include "escrow/accuracy_rules.hpp"
#include "parties/agents/peer_messages.hpp"
#include "parties/judge/audit_case.hpp"
#include "protocols/accuracy/protocol.hpp"
#include "protocols/accuracy/sealed.hpp"

namespace verdict::judge {

namespace {

using namespace accuracy;  // NOLINT(google-build-using-namespace): a .cpp of this module
constexpr int kMp = 0, kMc = 1, kVer = 2;

template <class T>
std::optional<T> first_message(Case& c, const std::string& type, int from, std::string* where = nullptr) {
  for (const PeerMessage* m : c.of(type, from)) {
    auto d = agents::decode_message(m->type, m->body);
    if (!d.ok()) {
      c.find(m->where, c.role(from), "message", "malformed " + type + ": " + d.error().message);
      continue;
    }
    if (auto* t = std::get_if<T>(&*d)) {
      if (where) *where = m->where;
      return *t;
    }
  }
  return std::nullopt;
}

// The sealed bytes of a reveal whose digest MC posted: MC's copy to the verifier, or the
// verifier's relay to MP.
std::optional<std::vector<std::uint8_t>> sealed_bytes(Case& c, const std::string& type, const Digest& posted,
                                                      std::optional<Digest>* seed = nullptr) {
  for (int from : {kMc, kVer}) {
    for (const PeerMessage* m : c.of(type, from)) {
      auto d = agents::decode_message(m->type, m->body);
      if (!d.ok()) continue;
      if (auto* s = std::get_if<SubsetBatch>(&*d); s && sealed_digest(s->sealed) == posted) {
        if (seed) *seed = s->mc_seed;
        return s->sealed;
      }
      if (auto* r = std::get_if<RestBatch>(&*d); r && sealed_digest(r->sealed) == posted) return r->sealed;
    }
  }
  return std::nullopt;
}

}  // namespace

void audit_accuracy(Case& c) {
  auto terms = decode_terms(c.terms);
  if (!terms.ok()) return c.find("", "transcript", "terms", terms.error().message);
  std::string mp_where, mc_where;
  auto model = first_message<ModelCommitment>(c, "accuracy.model_commitment", kMp, &mp_where);
  auto test_set = first_message<TestSetCommitment>(c, "accuracy.test_set_commitment", kMc, &mc_where);
  if (!model || !test_set) {
    c.checked("the commitments were never both sent: the run ended before the escrow (abandoned)");
    return;
  }
  if (c.options.vk && model->model_commitment != c.options.vk->model_commitment())
    c.find(mp_where, "mp", "model", "MP committed to another model than the verifying key's");
  if (test_set->n != total_examples(*terms))
    c.find(mc_where, "mc", "commitment", "the test-set commitment names N = " + std::to_string(test_set->n) +
                                             ", the terms N1 + N2 = " + std::to_string(total_examples(*terms)));
  const Digest session = session_digest(*terms, *model, *test_set);
  if (!c.check_escrow(*escrow::accuracy_rule_set(terms->params), session_instance(session))) return;
  c.checked("session: the instance id derives from the terms, MP's model commitment and MC's test-set commitment");

  // The split: commit-reveal of MC's seed (committed with the root) and MP's (on the escrow).
  const auto mp_seed = c.evidence_of("choose_subset");
  const auto subset_posted = c.evidence_of("send_subset");
  if (!mp_seed || !subset_posted) return;
  std::optional<Digest> mc_seed;
  const auto subset_sealed = sealed_bytes(c, "accuracy.subset", *subset_posted, &mc_seed);
  if (!subset_sealed) {
    c.checked("no sealed subset matching MC's posted digest in the transcripts (the verifier ruled on its absence)");
    return;
  }
  if (seed_commitment(*mc_seed) != test_set->seed_commitment) {
    c.find(mc_where, "mc", "selection",
           "the seed MC revealed with the subset is not the one it committed to: the split could be biased");
    return;
  }
  const std::uint32_t n1 = static_cast<std::uint32_t>(terms->params.n1);
  const Split split = split_test_set(session, *mp_seed, *mc_seed, test_set->n, n1);
  c.checked("selection: the N1 subset is the Fisher-Yates draw of SHA-256(session, MP's escrowed seed, MC's committed seed)");
  const TestSetHead head{test_set->root, test_set->n};
  const bool subset_upheld = c.happened("uphold_contest") && c.view && [&] {
    for (const auto& h : c.view->history)
      if (h.stage_after == "subset_key_contested") return true;
    return false;
  }();
  if (const auto key = c.evidence_of("publish_subset_key")) {
    auto opened = open_reveal(*key, *subset_sealed, session, Reveal::kSubset, split.subset, head);
    if (!opened.ok() && !subset_upheld)
      c.find(c.view_where, c.happened("contest_subset_key") ? "verifier" : "mc", "reveal",
             "the subset does not open to the committed examples of the split (" + opened.error().message +
                 ") and no contest of it was upheld");
    if (opened.ok() && subset_upheld)
      c.find(c.view_where, "verifier", "ruling", "upheld a contest of a subset key that opens correctly");
    if (opened.ok()) c.checked("subset: opens under MC's published key to the split's examples, every Merkle path verifies");
  }

  // The rest and the proofs.
  const auto rest_posted = c.evidence_of("send_rest");
  const auto rest_key = c.evidence_of("publish_rest_key");
  if (!rest_posted || !rest_key) return;
  const auto rest_sealed = sealed_bytes(c, "accuracy.rest", *rest_posted);
  if (!rest_sealed) return c.checked("no sealed rest matching MC's posted digest in the transcripts");
  auto rest = open_reveal(*rest_key, *rest_sealed, session, Reveal::kRest, split.rest, head);
  if (!rest.ok()) {
    if (!c.happened("contest_rest_key"))
      c.find(c.view_where, "mc", "reveal", "the rest does not open to the committed examples: " + rest.error().message);
    return;
  }
  c.checked("rest: opens under MC's published key to the split's examples, every Merkle path verifies");
  const auto bundle_posted = c.evidence_of("submit_proofs");
  if (!bundle_posted) return;
  std::string bundle_where;
  std::optional<ProofBundle> bundle;
  for (const PeerMessage* m : c.of("accuracy.proofs", kMp)) {
    auto d = agents::decode_message(m->type, m->body);
    if (d.ok() && bundle_digest(std::get<ProofBundle>(*d)) == *bundle_posted) {
      bundle = std::get<ProofBundle>(*d);
      bundle_where = m->where;
    }
  }
  if (!bundle) return c.checked("no proof bundle matching MP's posted digest in the transcripts");
  if (!c.options.vk) return c.find("", "transcript", "input", "no verifying key given: the SNARKs cannot be checked");
  std::vector<bool> valid;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < bundle->proofs.size(); ++i) {
    const bool ok = nn::verify(*c.options.vk, bundle->proofs[i]).ok();
    valid.push_back(ok);
    if (!ok) {
      ++bad;
      if (bad <= 3)
        c.find(bundle_where, "mp", "proof", "proof " + std::to_string(i) + " (example " +
                                                (i < split.rest.size() ? std::to_string(split.rest[i]) : "?") +
                                                ") does not verify");
    }
  }
  if (bad > 3) c.find(bundle_where, "mp", "proof", std::to_string(bad - 3) + " more proofs do not verify");
  auto correct = count_correct(*bundle, *rest, model->model_commitment, valid);
  const std::string& terminal = c.view->stage_name;
  if (!correct.ok()) {
    if (bad == 0) c.find(bundle_where, "mp", "proof", correct.error().message);
    if (terminal == "settled_pass")
      c.find(c.view_where, c.happened("pass") ? "verifier" : "mc", "ruling", "settled pass on an invalid bundle");
    return;
  }
  c.checked(std::to_string(bundle->proofs.size()) + " SNARKs verify with the verifying key, each for the committed example; " +
            std::to_string(*correct) + "/" + std::to_string(rest->size()) + " correct");
  const bool met = target_met(*terms, *correct);
  if (c.happened("invalid")) c.find(c.view_where, "verifier", "ruling", "ruled invalid on a valid bundle");
  if (terminal == "settled_pass" && !met) c.find(c.view_where, "verifier", "ruling", "ruled pass but the target is missed");
  if (terminal == "settled_fail" && met) c.find(c.view_where, "verifier", "ruling", "ruled fail but the target is met");
}

}  // namespace verdict::judge
