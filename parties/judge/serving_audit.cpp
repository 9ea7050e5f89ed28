// The judge's step 6 for verified prediction serving (paper 5.3; protocols/serving), one
// round (one escrow instance) per audit: MP's model commitment and MC's RoundOpen bind
// the session and the instance; the inputs digest MC posted must be opened by the input
// commitments (and the Inputs) MC signed; the predictions digest MP posted by the
// Predictions MP signed; the transcript root MC posted is the Merkle root over both; MC's
// revealed seed must open its commitment (else MC could bias the subset); the contested
// subset is the unbiasable draw from the session, the posted root and the posted seed;
// every SNARK of the bundle is verified, and check_contest_proofs holds item by item;
// the ruling (valid, invalid, or MC's concession) is the one the evidence calls for.
#include "parties/judge/audit_case.hpp"
#include "protocols/serving/messages.hpp"
#include "protocols/serving/protocol.hpp"
#include "protocols/serving/rules.hpp"

namespace verdict::judge {

namespace {

using namespace serving;  // NOLINT(google-build-using-namespace): a .cpp of this module
constexpr int kMp = 0, kMc = 1;  // role indices (the verifier, 2, sends nothing the audit reads)

template <class T>
std::vector<std::pair<T, std::string>> messages_of(Case& c, const std::string& type, int from) {
  std::vector<std::pair<T, std::string>> out;
  for (const PeerMessage* m : c.of(type, from)) {
    auto d = decode_message(m->type, m->body);
    if (!d.ok()) {
      c.find(m->where, c.role(from), "message", "malformed " + type + ": " + d.error().message);
      continue;
    }
    if (auto* t = std::get_if<T>(&*d)) out.emplace_back(std::move(*t), m->where);
  }
  return out;
}

bool same(const RoundOpen& a, const RoundOpen& b) {
  return a.round_id == b.round_id && a.seed_commitment == b.seed_commitment;
}

}  // namespace

void audit_serving(Case& c) {
  auto terms = decode_terms(c.terms);
  if (!terms.ok()) return c.find("", "transcript", "terms", terms.error().message);
  const std::uint32_t k = terms->params.k;

  // The session: MP's model commitment and MC's RoundOpen, as their authors signed them.
  const auto models = messages_of<ModelCommitment>(c, "serving.model_commitment", kMp);
  const auto opens = messages_of<RoundOpen>(c, "serving.round_open", kMc);
  if (models.empty() || opens.empty()) {
    c.checked("MP's model commitment and MC's round open were never both sent: the round ended before the escrow");
    return;
  }
  for (const auto& [m, where] : models) {
    if (m.model_commitment != models.front().first.model_commitment)
      c.find(where, "mp", "commitment", "two different model commitments in one round");
  }
  for (const auto& [o, where] : opens) {
    if (!same(o, opens.front().first)) c.find(where, "mc", "commitment", "two different round opens in one round");
  }
  const Digest model = models.front().first.model_commitment;
  const RoundOpen round = opens.front().first;
  const Digest session = session_digest(*terms, model, round);
  if (c.options.vk && c.options.vk->model_commitment() != model)
    c.find(models.front().second, "mp", "model", "the model commitment is not the verifying key's");
  if (!c.check_escrow(*serving_rule_set(terms->params), session_instance(session))) return;
  c.checked("session: the instance id derives from the terms, MP's model commitment and MC's round open");

  // The inputs: MC's posted digest D_in, opened by the commitments (and inputs) MC signed.
  const auto d_in = c.evidence_of("commit_inputs");
  if (!d_in) return c.checked("no inputs digest posted: the round ended before the inputs");
  std::vector<field::Fr> ics;
  for (int from : {kMc, kMp}) {
    for (const auto& [ic, where] : messages_of<InputCommitments>(c, "serving.input_commitments", from)) {
      const bool opens_digest = ic.commitments.size() == k && ic.seed_commitment == round.seed_commitment &&
                                inputs_digest(ic.commitments, ic.seed_commitment) == *d_in;
      if (opens_digest && ics.empty()) ics = ic.commitments;
      if (!opens_digest && from == kMc)
        c.find(where, "mc", "inputs", "the input commitments MC signed do not open the inputs digest it posted");
    }
  }
  for (const auto& [in, where] : messages_of<Inputs>(c, "serving.inputs", kMc)) {
    const bool opens_digest = in.inputs.size() == k && in.salts.size() == k &&
                              inputs_digest(input_commitments(in.inputs, in.salts), round.seed_commitment) == *d_in;
    if (!opens_digest) {
      c.find(where, "mc", "inputs", "the inputs and salts MC sent MP do not open the inputs digest it posted");
    } else if (ics.empty()) {
      ics = input_commitments(in.inputs, in.salts);
    }
  }
  if (!ics.empty()) c.checked("inputs: " + std::to_string(k) + " input commitments open the posted digest D_in");
  if (c.happened("reject_inputs")) {
    c.checked("MP rejected the inputs (its free exit: each side pays eps)");
    return;
  }

  // The predictions: MP's posted digest D_out, opened by the predictions MP signed.
  const auto d_out = c.evidence_of("post_predictions");
  if (!d_out) return c.checked("no predictions digest posted");
  std::vector<Bytes> predictions;
  for (const auto& [p, where] : messages_of<Predictions>(c, "serving.predictions", kMp)) {
    if (p.outputs.size() == k && predictions_digest(p.outputs) == *d_out) {
      if (predictions.empty()) predictions = p.outputs;
    } else {
      c.find(where, "mp", "predictions", "predictions MP signed that do not open the digest it posted");
    }
  }
  if (!predictions.empty()) c.checked("predictions: " + std::to_string(k) + " outputs open the posted digest D_out");

  // The transcript root MC posted.
  const auto root = c.evidence_of("commit_transcript");
  if (!root) return c.checked("no transcript root posted");
  if (!ics.empty() && !predictions.empty()) {
    if (transcript_root(ics, predictions) != *root) {
      c.find(c.view_where, "mc", "transcript", "the posted transcript root is not the Merkle root over the inputs and predictions");
    } else {
      c.checked("transcript: the posted root is the Merkle root over (ic_i, y_i)");
    }
  }

  // The contest: MC's seed against its commitment; the subset from the posted values.
  const auto seed = c.evidence_of("contest");
  if (!seed) return c.checked(c.happened("close") ? "MC closed the round without a contest" : "no contest");
  if (seed_commitment(*seed) != round.seed_commitment) {
    c.find(c.view_where, "mc", "bias", "the revealed contest seed does not open MC's seed commitment: MC could choose the subset");
  } else {
    c.checked("selection: the seed opens MC's commitment, fixed before MP predicted");
  }
  const std::vector<std::uint32_t> contested = contested_indices(*terms, session, *root, *seed);
  std::string idx;
  for (auto i : contested) idx += (idx.empty() ? "" : ",") + std::to_string(i);
  c.checked("selection: contested items " + idx + " = sample(SHA-256(session, posted root, posted seed))");

  // The proofs.
  const auto d_bundle = c.evidence_of("submit_proofs");
  if (!d_bundle) return c.checked("no proof bundle posted");
  std::optional<ProofBundle> bundle;
  std::string bundle_where;
  for (const auto& [b, where] : messages_of<ProofBundle>(c, "serving.proofs", kMp)) {
    if (bundle_digest(b) == *d_bundle && !bundle) {
      bundle = b;
      bundle_where = where;
    }
  }
  const bool valid_ruled = c.happened("valid"), invalid_ruled = c.happened("invalid"), conceded = c.happened("concede");
  std::optional<std::string> why_not;  // what makes the bundle fail, if it does
  if (!bundle) {
    why_not = "no proof bundle matching the posted digest in evidence";
  } else if (predictions.empty()) {
    why_not = "no predictions matching the posted digest in evidence";
  } else if (ics.empty()) {
    why_not = "no input commitments matching the posted digest in evidence";
  }
  if (bundle) {
    if (!c.options.vk) return c.find("", "transcript", "input", "no verifying key: the SNARKs cannot be checked");
    std::vector<bool> valid;
    for (std::size_t j = 0; j < bundle->proofs.size(); ++j) {
      valid.push_back(nn::verify(*c.options.vk, bundle->proofs[j]).ok());
      if (!valid.back()) {
        const std::string item = j < contested.size() ? "contested item " + std::to_string(contested[j]) + " " : "";
        c.find(bundle_where, "mp", "proof", item + "(proof " + std::to_string(j) + "): the SNARK does not verify");
      }
    }
    if (!predictions.empty() && !ics.empty()) {
      Status st = check_contest_proofs(*terms, model, ics, predictions, contested, *bundle, valid);
      if (!st.ok()) {
        why_not = st.error().message;
        const bool all_valid = std::find(valid.begin(), valid.end(), false) == valid.end();
        const bool wrong_output = why_not->find("posted prediction") != std::string::npos;
        if (all_valid) c.find(bundle_where, "mp", wrong_output ? "prediction" : "contest", *why_not);
      } else {
        c.checked(std::to_string(bundle->proofs.size()) + " SNARKs verify, each proving the posted prediction of its "
                  "contested item on the committed input");
      }
    }
  }

  // The ruling.
  if (valid_ruled && why_not)
    c.find(c.view_where, "verifier", "ruling", "ruled valid although the evidence fails: " + *why_not);
  if (invalid_ruled && !why_not) c.find(c.view_where, "verifier", "ruling", "ruled invalid although every proof holds");
  if (conceded && why_not) c.checked("MC conceded although the evidence fails (" + *why_not + "): its own loss");
  if ((valid_ruled || conceded) && !why_not) c.checked("ruling: proven, as the evidence calls for");
  if (invalid_ruled && why_not) c.checked("ruling: invalid, as the evidence calls for (" + *why_not + ")");
}

}  // namespace verdict::judge
