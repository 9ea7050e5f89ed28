#include "protocols/retrieval/corpus.hpp"

#include <openssl/evp.h>

#include <memory>

#include "base/codec.hpp"
#include "escrow/codec/sha256.hpp"
#include "escrow/rules.hpp"
#include "protocols/common/sample.hpp"

namespace verdict::retrieval {

namespace {

void put_u32(codec::Sha256& h, std::uint32_t v) {
  const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                      static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  h.update(b);
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

Status check_terms(const Terms& t) {
  if (auto r = retrieval_rule_set(t.params); !r.ok()) return r.error();
  if (t.input_size < 1 || t.input_size > kMaxInputSize) return Error{"retrieval terms: input_size must be in [1, 16 MiB]"};
  return {};
}

std::vector<std::uint8_t> encode_terms(const Terms& t) {
  codec::Writer w;
  const RetrievalParams& p = t.params;
  w.u32(p.m);
  w.u32(p.n);
  w.i64(p.z);
  w.i64(p.bond);
  w.i64(p.eps);
  w.i64(p.funding_timeout_ms);
  w.i64(p.response_timeout_ms);
  w.i64(p.proving_timeout_ms);
  w.i64(p.judge_timeout_ms);
  w.u32(t.positive_class);
  w.fixed(t.source_key);
  w.u32(t.input_size);
  return w.take();
}

Result<Terms> decode_terms(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Terms t;
  RetrievalParams& p = t.params;
  p.m = r.u32();
  p.n = r.u32();
  p.z = r.i64();
  p.bond = r.i64();
  p.eps = r.i64();
  p.funding_timeout_ms = r.i64();
  p.response_timeout_ms = r.i64();
  p.proving_timeout_ms = r.i64();
  p.judge_timeout_ms = r.i64();
  t.positive_class = r.u32();
  t.source_key = r.fixed<32>();
  t.input_size = r.u32();
  if (Status st = r.finish(); !st.ok()) return st.error().context("retrieval terms");
  if (Status st = check_terms(t); !st.ok()) return st.error();
  return t;
}

std::vector<std::uint8_t> encode_corpus(std::span<const Document> documents) {
  codec::Writer w;
  w.raw(std::vector<std::uint8_t>{'V', 'C', 'O', 'R'});
  w.u32(1);
  w.u32(static_cast<std::uint32_t>(documents.size()));
  w.u32(documents.empty() ? 0 : static_cast<std::uint32_t>(documents[0].input.size()));
  for (const Document& d : documents) {
    w.raw(d.input);
    w.fixed(d.attestation);
  }
  return w.take();
}

Result<std::vector<Document>> decode_corpus(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  const auto magic = r.fixed<4>();
  const std::uint32_t version = r.u32(), count = r.u32(), size = r.u32();
  if (!r.ok() || magic != std::array<std::uint8_t, 4>{'V', 'C', 'O', 'R'}) return Error{"not a verdict corpus file"};
  if (version != 1) return Error{"corpus: unknown version " + std::to_string(version)};
  if (count == 0 || count > kMaxCorpus) return Error{"corpus: the document count must be in 1..2^20"};
  if (size == 0 || size > kMaxInputSize) return Error{"corpus: the document size must be in 1..16 MiB"};
  if (r.remaining() != std::uint64_t{count} * (std::uint64_t{size} + 64))
    return Error{"corpus: the file is not " + std::to_string(count) + " documents of " + std::to_string(size) +
                 " bytes (truncated or trailing bytes)"};
  std::vector<Document> out(count);
  for (Document& d : out) {
    d.input.resize(size);
    for (auto& b : d.input) b = r.u8();
    d.attestation = r.fixed<64>();
  }
  if (Status st = r.finish(); !st.ok()) return st.error().context("corpus");
  return out;
}

Digest attestation_message(std::span<const std::uint8_t> input) {
  codec::Sha256 h;
  return h.update("verdict/retrieval/document/v1").update(input).finish();
}

bool attestation_valid(const PublicKey& source, std::span<const std::uint8_t> input, const Signature& attestation) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, source.data(), source.size()));
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  const Digest msg = attestation_message(input);
  return EVP_DigestVerify(ctx.get(), attestation.data(), attestation.size(), msg.data(), msg.size()) == 1;
}

Digest corpus_leaf(std::uint32_t index, const field::Fr& input_commitment) {
  codec::Sha256 h;
  h.update("verdict/retrieval/leaf/v1");
  put_u32(h, index);
  h.update(input_commitment.to_bytes_be());
  return h.finish();
}

Digest seed_commitment(const Digest& seed) {
  codec::Sha256 h;
  return h.update("verdict/retrieval/seed/v1").update(seed).finish();
}

Digest session_digest(const Terms& t, const Digest& model_commitment, const Digest& root, std::uint32_t m,
                      const Digest& seed_commit) {
  codec::Sha256 h;
  h.update("verdict/retrieval/session/v1");
  h.update(escrow::rules_digest(*retrieval_rule_set(t.params)));
  h.update(encode_terms(t));
  h.update(model_commitment);
  h.update(root);
  put_u32(h, m);
  h.update(seed_commit);
  return h.finish();
}

escrow::InstanceId session_instance(const Digest& session) {
  codec::Sha256 h;
  const Digest d = h.update("verdict/retrieval/instance/v1").update(session).finish();
  escrow::InstanceId id{};
  std::copy(d.begin(), d.begin() + 16, id.begin());
  return id;
}

std::vector<std::uint32_t> audit_sample(const Terms& t, const Digest& session, const Digest& response_digest,
                                        const Digest& seed) {
  codec::Sha256 h;
  const Digest key = h.update("verdict/retrieval/sample/v1").update(session).update(response_digest).update(seed).finish();
  return protocols::sample_indices(key, t.params.m, t.params.n);
}

std::uint32_t predicted_class(std::span<const std::uint8_t> output) {
  std::uint32_t best = 0;
  for (std::uint32_t i = 1; i < output.size(); ++i) {
    if (output[i] > output[best]) best = i;
  }
  return best;
}

}  // namespace verdict::retrieval
