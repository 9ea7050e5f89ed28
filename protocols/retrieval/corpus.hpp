#pragma once
// The terms of a retrieval and the commitments every party recomputes (paper section
// 5.4; docs/protocols.md, "Trustless retrieval"). All hashes are SHA-256 with a tag
// "verdict/retrieval/<what>/v1"; integers big-endian; Fr big-endian canonical.
//
//   document      x (terms.input_size bytes, the model's input) with the attestation
//                 sig = Ed25519_sign(source, SHA-256("verdict/retrieval/document/v1" || x)).
//                 A document whose attestation does not verify under terms.source_key is
//                 junk: not from the corpus.
//   ic_i          nn::input_commitment(x_i, s_i), s_i a uniform Fr drawn by the responder
//   leaf_i        SHA-256("verdict/retrieval/leaf/v1" || u32 i || ic_i)
//   corpus root   RFC 6962 Merkle root over leaf_0..leaf_{m-1} (protocols/common/merkle.hpp)
//   seed          32 bytes drawn by the requester; committed as
//                 SHA-256("verdict/retrieval/seed/v1" || seed) in its Request, before any
//                 response exists, revealed on the escrow (reveal_seed) after the response
//                 digest is fixed there
//   session       SHA-256("verdict/retrieval/session/v1" || rules digest || encode_terms ||
//                 model commitment || root || u32 m || seed commitment)
//   instance id   first 16 bytes of SHA-256("verdict/retrieval/instance/v1" || session)
//   audit sample  protocols::sample_indices(SHA-256("verdict/retrieval/sample/v1" ||
//                 session || response digest || seed), m, n)
//
// Decisions:
// - The salt makes every leaf hiding: the root tells the requester nothing about a
//   document it is not shown. The leaf holds ic_i only, so a proof's public input
//   commitment is checkable against the root without seeing x_i.
// - terms.input_size fixes the byte length of x: nn::input_commitment packs 30 bytes per
//   field element and zero-fills the last one, so without a fixed length x and x || 00
//   could commit alike.
// - Ed25519 verification uses OpenSSL's EVP interface directly: parties/wire (which has
//   it) sits above protocols in the layer order.
// - Limitation: the source signs x alone, not (index, x), so the sample cannot tell a
//   duplicated genuine document from a distinct one. A source that attests (i, x), or a
//   root of its own, would close that; it needs a change of the attestation format.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "escrow/ids.hpp"
#include "protocols/common/merkle.hpp"
#include "protocols/retrieval/rules.hpp"
#include "snark/field/fr.hpp"

namespace verdict::retrieval {

using Digest = std::array<std::uint8_t, 32>;
using PublicKey = std::array<std::uint8_t, 32>;  // Ed25519 (RFC 8032)
using Signature = std::array<std::uint8_t, 64>;

// Everything the three parties agree on before the start.
struct Terms {
  RetrievalParams params;
  std::uint32_t positive_class = 0;  // positive iff argmax of the output bytes (first maximum) equals it
  PublicKey source_key{};            // the corpus source's Ed25519 public key
  std::uint32_t input_size = 0;      // bytes of x: the model's input size, in [1, 16 MiB]
};
inline constexpr std::uint32_t kMaxInputSize = 16u << 20;

// retrieval_rule_set() accepts the parameters and input_size is in range.
Status check_terms(const Terms& terms);
// Canonical encoding of the terms (hashed into the session): u32 m, u32 n, i64 z,
// i64 bond, i64 eps, the four timeouts (i64), u32 positive_class, source_key, u32 input_size.
std::vector<std::uint8_t> encode_terms(const Terms& terms);
// The inverse; checks the terms.
Result<Terms> decode_terms(std::span<const std::uint8_t> bytes);

struct Document {
  std::vector<std::uint8_t> input;  // x
  Signature attestation{};
};

// A corpus file (docs/formats.md, "Retrieval corpus (VCOR)"): "VCOR" || u32 version (1) ||
// u32 count (1..kMaxCorpus) || u32 input size (1..kMaxInputSize) || count x (input bytes ||
// 64-byte attestation). The decoder checks the exact length before it allocates.
std::vector<std::uint8_t> encode_corpus(std::span<const Document> documents);
Result<std::vector<Document>> decode_corpus(std::span<const std::uint8_t> bytes);

// The 32 bytes the source signs for x.
Digest attestation_message(std::span<const std::uint8_t> input);
// True iff `attestation` is the source's signature of x. Never throws: a malformed key or
// signature is invalid.
bool attestation_valid(const PublicKey& source, std::span<const std::uint8_t> input, const Signature& attestation);

Digest corpus_leaf(std::uint32_t index, const field::Fr& input_commitment);
Digest seed_commitment(const Digest& seed);
Digest session_digest(const Terms& terms, const Digest& model_commitment, const Digest& corpus_root,
                      std::uint32_t m, const Digest& seed_commitment);
escrow::InstanceId session_instance(const Digest& session);
// The sorted audit sample of n indices in [0, m).
std::vector<std::uint32_t> audit_sample(const Terms& terms, const Digest& session, const Digest& response_digest,
                                        const Digest& seed);

// Argmax of the output bytes, first maximum (0 for an empty output).
std::uint32_t predicted_class(std::span<const std::uint8_t> output);

}  // namespace verdict::retrieval
