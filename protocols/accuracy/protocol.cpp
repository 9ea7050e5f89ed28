#include "protocols/accuracy/protocol.hpp"

#include "base/codec.hpp"
#include "escrow/codec/sha256.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::accuracy {

namespace {

void put_u64(codec::Sha256& h, std::uint64_t v) {
  std::array<std::uint8_t, 8> b{};
  for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  h.update(b);
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kMp: return "mp";
    case Role::kMc: return "mc";
    case Role::kVerifier: return "verifier";
  }
  return "?";
}

Status check_terms(const Terms& t) {
  if (auto r = escrow::accuracy_rule_set(t.params); !r.ok()) return r.error();
  if (t.params.n1 + t.params.n2 >= (std::int64_t{1} << 31)) return Error{"accuracy terms: N must be below 2^31"};
  if (t.target_den == 0 || t.target_num > t.target_den) return Error{"accuracy terms: the target must be in [0, 1]"};
  return {};
}

std::vector<std::uint8_t> encode_terms(const Terms& t) {
  const escrow::AccuracyParams& a = t.params;
  codec::Writer w;
  for (std::int64_t v : {a.n1, a.n2, a.e, a.p, a.z, a.eps}) w.i64(v);
  w.u8(a.mp_min_stake ? 1 : 0);
  w.i64(a.mp_min_stake.value_or(0));
  for (std::int64_t v : {a.funding_timeout_ms, a.response_timeout_ms, a.proving_timeout_ms, a.verdict_timeout_ms}) w.i64(v);
  w.u32(t.target_num);
  w.u32(t.target_den);
  return w.take();
}

Result<Terms> decode_terms(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Terms t;
  escrow::AccuracyParams& a = t.params;
  for (std::int64_t* v : {&a.n1, &a.n2, &a.e, &a.p, &a.z, &a.eps}) *v = r.i64();
  const std::uint8_t has_stake = r.u8();
  const std::int64_t stake = r.i64();
  if (has_stake > 1) r.fail("bad stake flag");
  if (has_stake) a.mp_min_stake = stake;
  for (std::int64_t* v : {&a.funding_timeout_ms, &a.response_timeout_ms, &a.proving_timeout_ms, &a.verdict_timeout_ms})
    *v = r.i64();
  t.target_num = r.u32();
  t.target_den = r.u32();
  if (Status st = r.finish(); !st.ok()) return st.error().context("accuracy terms");
  if (Status st = check_terms(t); !st.ok()) return st.error();
  return t;
}

std::uint32_t total_examples(const Terms& t) { return static_cast<std::uint32_t>(t.params.n1 + t.params.n2); }

bool target_met(const Terms& t, std::uint32_t correct) {
  return std::uint64_t{correct} * t.target_den >= std::uint64_t{t.target_num} * static_cast<std::uint64_t>(t.params.n2);
}

Digest sealed_digest(std::span<const std::uint8_t> sealed) {
  codec::Sha256 h;
  return h.update("verdict/accuracy/sealed/v1").update(sealed).finish();
}

Digest bundle_digest(const ProofBundle& bundle) {
  codec::Sha256 h;
  h.update("verdict/accuracy/proofs/v1");
  put_u64(h, bundle.proofs.size());
  for (const nn::ModelProof& p : bundle.proofs) {
    const std::vector<std::uint8_t> bytes = p.to_bytes();
    put_u64(h, bytes.size());
    h.update(bytes);
  }
  return h.finish();
}

Digest session_digest(const Terms& t, const ModelCommitment& mp, const TestSetCommitment& mc) {
  codec::Sha256 h;
  h.update("verdict/accuracy/session/v1");
  h.update(escrow::rules_digest(*escrow::accuracy_rule_set(t.params)));
  put_u64(h, t.target_num);
  put_u64(h, t.target_den);
  h.update(mp.model_commitment);
  h.update(mc.root);
  put_u64(h, mc.n);
  h.update(mc.seed_commitment);
  return h.finish();
}

escrow::InstanceId session_instance(const Digest& session) {
  codec::Sha256 h;
  const Digest d = h.update("verdict/accuracy/instance/v1").update(session).finish();
  escrow::InstanceId id{};
  std::copy(d.begin(), d.begin() + 16, id.begin());
  return id;
}

Outcome outcome_of(const Terms& t, const std::string& stage) {
  const escrow::AccuracyParams& a = t.params;
  const escrow::Amount two_ne = 2 * (a.n1 + a.n2) * a.e;
  escrow::Amount d = 0;  // MP's gain over its 2NE; MC gets 2NE - d
  if (stage == "unfunded" || stage == "abandoned") return Outcome{stage, 0, 0};
  if (stage == "settled_mc_withheld" || stage == "settled_mc_slashed") d = two_ne;
  if (stage == "settled_mp_slashed" || stage == "settled_fail") d = -two_ne;
  if (stage == "settled_mp_aborted") d = a.n1 * a.p;
  if (stage == "settled_pass") d = 2 * (a.n1 * a.p + a.n2 * a.z);
  return Outcome{stage, d - a.eps, -d - a.eps};
}

std::uint32_t predicted_class(std::span<const std::uint8_t> output) {
  std::uint32_t best = 0;
  for (std::uint32_t i = 1; i < output.size(); ++i) {
    if (output[i] > output[best]) best = i;
  }
  return best;
}

Result<std::uint32_t> count_correct(const ProofBundle& bundle, std::span<const Example> rest,
                                    const Digest& model_commitment, const std::vector<bool>& valid) {
  if (bundle.proofs.size() != rest.size() || valid.size() != rest.size()) {
    return Error{"proof bundle: one proof per rest example expected"};
  }
  std::uint32_t correct = 0;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const nn::PublicValues& v = bundle.proofs[i].values;
    const std::string at = "proof " + std::to_string(i) + ": ";
    if (!valid[i]) return Error{at + "does not verify"};
    if (v.model_commitment != model_commitment) return Error{at + "another model"};
    if (v.input != nn::InputVisibility::kHidden) return Error{at + "not a hidden-input proof"};
    if (v.input_commitment != nn::input_commitment(rest[i].input, rest[i].salt)) {
      return Error{at + "input commitment differs from the committed example"};
    }
    if (v.output.empty()) return Error{at + "empty output"};
    if (predicted_class(v.output) == rest[i].label) ++correct;
  }
  return correct;
}

}  // namespace verdict::accuracy
