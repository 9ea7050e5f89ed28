#include "protocols/retrieval/checks.hpp"

#include "snark/nn/model_circuit.hpp"

namespace verdict::retrieval {

namespace {

std::string list(const std::vector<Violation>& vs) {
  std::string s;
  for (std::size_t i = 0; i < vs.size() && i < 8; ++i) s += (i ? ", " : "") + to_string(vs[i]);
  if (vs.size() > 8) s += ", ...";
  return s;
}

}  // namespace

bool is_positive(const Terms& terms, const nn::ModelProof& proof) {
  return !proof.values.output.empty() && predicted_class(proof.values.output) == terms.positive_class;
}

void check_opening(const Terms& terms, const CorpusCommitment& corpus, const nn::ModelProof* proof,
                   const Opening& o, std::vector<Violation>& out) {
  bool in_tree = false;
  field::Fr ic;
  if (o.input.size() == terms.input_size && o.index < corpus.m) {
    ic = nn::input_commitment(o.input, o.salt);
    in_tree = protocols::merkle_verify(corpus_leaf(o.index, ic), o.index, corpus.m, o.path, corpus.root);
  }
  if (!in_tree) {
    out.push_back(Violation{Rule::kOpeningMismatch, o.index});
  } else if (proof && proof->values.input_commitment != ic) {
    out.push_back(Violation{Rule::kInputCommitmentMismatch, o.index});
  }
  if (!attestation_valid(terms.source_key, o.input, o.attestation)) out.push_back(Violation{Rule::kJunk, o.index});
}

std::vector<Violation> check_response(const Terms& terms, const Digest& model_commitment,
                                      const CorpusCommitment& corpus, const Response& response,
                                      const std::vector<bool>& proof_valid) {
  std::vector<Violation> out;
  const std::uint32_t m = terms.params.m;
  if (corpus.m != m || response.proofs.size() != m || proof_valid.size() != m) {
    out.push_back(Violation{Rule::kWrongCount, kNoIndex});
    return out;
  }
  std::vector<Digest> leaves;
  leaves.reserve(m);
  for (std::uint32_t i = 0; i < m; ++i) {
    const nn::PublicValues& v = response.proofs[i].values;
    if (!proof_valid[i]) out.push_back(Violation{Rule::kProofInvalid, i});
    if (v.model_commitment != model_commitment) out.push_back(Violation{Rule::kWrongModel, i});
    if (v.input != nn::InputVisibility::kHidden || v.output.empty()) out.push_back(Violation{Rule::kPublicInput, i});
    leaves.push_back(corpus_leaf(i, v.input_commitment));
  }
  if (protocols::merkle_root(leaves) != corpus.root) out.push_back(Violation{Rule::kRootMismatch, kNoIndex});

  std::vector<bool> opened(m, false);
  std::int64_t last = -1;
  for (const Opening& o : response.openings) {
    if (o.index >= m || static_cast<std::int64_t>(o.index) <= last) {
      out.push_back(Violation{Rule::kUnexpectedOpening, o.index});
      continue;
    }
    last = o.index;
    opened[o.index] = true;
    const nn::ModelProof& proof = response.proofs[o.index];
    if (!is_positive(terms, proof)) out.push_back(Violation{Rule::kNotPositive, o.index});
    check_opening(terms, corpus, &proof, o, out);
  }
  for (std::uint32_t i = 0; i < m; ++i) {
    if (!opened[i] && is_positive(terms, response.proofs[i])) out.push_back(Violation{Rule::kWithheldPositive, i});
  }
  return out;
}

std::vector<Violation> check_openings(const Terms& terms, const CorpusCommitment& corpus, const Response& response,
                                      const std::vector<std::uint32_t>& sample, const Openings& openings) {
  std::vector<Violation> out;
  std::size_t s = 0;
  std::int64_t last = -1;
  for (const Opening& o : openings.openings) {
    while (s < sample.size() && sample[s] < o.index) out.push_back(Violation{Rule::kMissingOpening, sample[s++]});
    if (static_cast<std::int64_t>(o.index) <= last || s == sample.size() || sample[s] != o.index) {
      out.push_back(Violation{Rule::kUnexpectedOpening, o.index});
      continue;
    }
    last = o.index;
    ++s;
    const nn::ModelProof* proof = o.index < response.proofs.size() ? &response.proofs[o.index] : nullptr;
    check_opening(terms, corpus, proof, o, out);
  }
  while (s < sample.size()) out.push_back(Violation{Rule::kMissingOpening, sample[s++]});
  return out;
}

Ruling decide(const Terms& terms, const AuditCase& a, const Response* response, const std::vector<bool>& proof_valid,
              const Openings* openings) {
  if (!response || response_digest(a.session, *response) != a.response_digest) {
    return Ruling{true, "no response matching the posted digest"};
  }
  const std::vector<Violation> vr = check_response(terms, a.model_commitment, a.corpus, *response, proof_valid);
  if (!vr.empty()) return Ruling{true, "response: " + list(vr)};
  if (!a.seed) return Ruling{false, "the response holds"};
  if (seed_commitment(*a.seed) != a.seed_commitment) {
    return Ruling{false, "the revealed seed does not open the requester's commitment"};
  }
  if (!openings || !a.openings_digest || openings_digest(a.session, *openings) != *a.openings_digest) {
    return Ruling{true, "no openings matching the posted digest"};
  }
  const std::vector<std::uint32_t> sample = audit_sample(terms, a.session, a.response_digest, *a.seed);
  const std::vector<Violation> vo = check_openings(terms, a.corpus, *response, sample, *openings);
  if (!vo.empty()) return Ruling{true, "openings: " + list(vo)};
  return Ruling{false, "the response and the sampled openings hold"};
}

}  // namespace verdict::retrieval
