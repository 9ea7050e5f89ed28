#include "protocols/serving/protocol.hpp"

#include <algorithm>

#include "base/codec.hpp"
#include "escrow/codec/sha256.hpp"
#include "protocols/common/merkle.hpp"
#include "protocols/common/sample.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::serving {

namespace {

void put_u32(codec::Sha256& h, std::uint32_t v) {
  const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                      static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  h.update(b);
}

void put_u64(codec::Sha256& h, std::uint64_t v) {
  put_u32(h, static_cast<std::uint32_t>(v >> 32));
  put_u32(h, static_cast<std::uint32_t>(v));
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kMp:
      return "mp";
    case Role::kMc:
      return "mc";
    case Role::kVerifier:
      return "verifier";
  }
  return "?";
}

Status check_terms(const Terms& t) {
  if (auto r = serving_amounts(t.params); !r.ok()) return r.error();
  return {};
}

Bytes encode_terms(const Terms& t) {
  const ServingParams& p = t.params;
  codec::Writer w;
  w.u32(p.k);
  w.u32(p.k1);
  w.i64(p.z);
  w.i64(p.beta);
  w.i64(p.eps);
  w.i64(p.funding_timeout_ms);
  w.i64(p.response_timeout_ms);
  w.i64(p.proving_timeout_ms);
  w.i64(p.verdict_timeout_ms);
  return w.take();
}

Result<Terms> decode_terms(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Terms t;
  ServingParams& p = t.params;
  p.k = r.u32();
  p.k1 = r.u32();
  for (std::int64_t* v : {&p.z, &p.beta, &p.eps, &p.funding_timeout_ms, &p.response_timeout_ms, &p.proving_timeout_ms,
                          &p.verdict_timeout_ms})
    *v = r.i64();
  if (Status st = r.finish(); !st.ok()) return st.error().context("serving terms");
  if (Status st = check_terms(t); !st.ok()) return st.error().context("serving terms");
  return t;
}

Digest seed_commitment(const Digest& seed) {
  codec::Sha256 h;
  return h.update("verdict/serving/seed/v1").update(seed).finish();
}

Digest inputs_digest(std::span<const field::Fr> commitments, const Digest& seed_commitment) {
  codec::Sha256 h;
  h.update("verdict/serving/inputs/v1");
  put_u32(h, static_cast<std::uint32_t>(commitments.size()));
  for (const field::Fr& c : commitments) h.update(c.to_bytes_be());
  h.update(seed_commitment);
  return h.finish();
}

std::vector<field::Fr> input_commitments(std::span<const Bytes> inputs, std::span<const field::Fr> salts) {
  std::vector<field::Fr> out;
  out.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size() && i < salts.size(); ++i)
    out.push_back(nn::input_commitment(inputs[i], salts[i]));
  return out;
}

Digest predictions_digest(std::span<const Bytes> outputs) {
  codec::Sha256 h;
  h.update("verdict/serving/predictions/v1");
  put_u32(h, static_cast<std::uint32_t>(outputs.size()));
  for (const Bytes& y : outputs) {
    put_u32(h, static_cast<std::uint32_t>(y.size()));
    h.update(y);
  }
  return h.finish();
}

Digest transcript_leaf(std::uint32_t index, const field::Fr& input_commitment, std::span<const std::uint8_t> output) {
  codec::Sha256 h;
  h.update("verdict/serving/leaf/v1");
  put_u32(h, index);
  h.update(input_commitment.to_bytes_be());
  put_u32(h, static_cast<std::uint32_t>(output.size()));
  h.update(output);
  return h.finish();
}

Digest transcript_root(std::span<const field::Fr> commitments, std::span<const Bytes> outputs) {
  std::vector<Digest> leaves;
  leaves.reserve(commitments.size());
  for (std::uint32_t i = 0; i < commitments.size(); ++i)
    leaves.push_back(transcript_leaf(i, commitments[i], outputs[i]));
  return protocols::merkle_root(leaves);
}

Digest bundle_digest(const ProofBundle& bundle) {
  codec::Sha256 h;
  h.update("verdict/serving/proofs/v1");
  put_u64(h, bundle.proofs.size());
  for (const nn::ModelProof& p : bundle.proofs) {
    const Bytes bytes = p.to_bytes();
    put_u64(h, bytes.size());
    h.update(bytes);
  }
  return h.finish();
}

Digest session_digest(const Terms& t, const Digest& model_commitment, const RoundOpen& round) {
  codec::Sha256 h;
  h.update("verdict/serving/session/v1");
  h.update(escrow::rules_digest(*serving_rule_set(t.params)));
  h.update(encode_terms(t));
  h.update(model_commitment);
  h.update(round.round_id);
  h.update(round.seed_commitment);
  return h.finish();
}

escrow::InstanceId session_instance(const Digest& session) {
  codec::Sha256 h;
  const Digest d = h.update("verdict/serving/instance/v1").update(session).finish();
  escrow::InstanceId id{};
  std::copy(d.begin(), d.begin() + 16, id.begin());
  return id;
}

std::vector<std::uint32_t> contested_indices(const Terms& t, const Digest& session, const Digest& root,
                                             const Digest& mc_seed) {
  codec::Sha256 h;
  const Digest key = h.update("verdict/serving/contest/v1").update(session).update(root).update(mc_seed).finish();
  return protocols::sample_indices(key, t.params.k, t.params.k1);
}

Status check_contest_proofs(const Terms& t, const Digest& model_commitment, std::span<const field::Fr> ics,
                            std::span<const Bytes> predictions, std::span<const std::uint32_t> contested,
                            const ProofBundle& bundle, const std::vector<bool>& valid) {
  const std::uint32_t k = t.params.k;
  if (ics.size() != k)
    return Error{"contest: " + std::to_string(ics.size()) + " input commitments, K is " + std::to_string(k)};
  if (predictions.size() != k)
    return Error{"contest: " + std::to_string(predictions.size()) + " predictions, K is " + std::to_string(k)};
  if (contested.size() != t.params.k1) return Error{"contest: the subset does not have K1 indices"};
  for (std::size_t j = 0; j < contested.size(); ++j) {
    if (contested[j] >= k || (j > 0 && contested[j] <= contested[j - 1])) {
      return Error{"contest: the subset is not increasing indices below K"};
    }
  }
  if (bundle.proofs.size() != contested.size()) {
    return Error{"contest: " + std::to_string(bundle.proofs.size()) + " proofs for " +
                 std::to_string(contested.size()) + " contested items"};
  }
  if (valid.size() != contested.size()) return Error{"contest: one verification result per proof expected"};
  for (std::size_t j = 0; j < contested.size(); ++j) {
    const std::uint32_t i = contested[j];
    const nn::PublicValues& v = bundle.proofs[j].values;
    const std::string at = "contested item " + std::to_string(i) + " (proof " + std::to_string(j) + "): ";
    if (!valid[j]) return Error{at + "the proof does not verify"};
    if (v.model_commitment != model_commitment) return Error{at + "a proof for another model"};
    if (v.input != nn::InputVisibility::kHidden) return Error{at + "not a hidden-input proof"};
    if (v.input_commitment != ics[i]) return Error{at + "input commitment differs from the committed ic_i"};
    if (v.output != predictions[i]) return Error{at + "proved output differs from the posted prediction"};
  }
  return {};
}

Outcome outcome_of(const Terms& t, const std::string& stage) {
  if (stage == "unfunded" || stage == "abandoned") return Outcome{stage, 0, 0};
  const ServingAmounts a = *serving_amounts(t.params);
  const escrow::Amount eps = t.params.eps;
  escrow::Amount d = 0;  // what moves from MC to MP
  if (stage == "settled_mp_slashed") d = -a.mp_bond;
  if (stage == "settled_proven") d = a.contest_pay;
  return Outcome{stage, d - eps, -d - eps};
}

}  // namespace verdict::serving
