#pragma once
// The messages of a retrieval and their canonical codec (base/codec.hpp: big-endian,
// u32-length-prefixed bytes, u32 counts). A decoder refuses trailing bytes, truncation,
// lengths and counts over the limits below, non-canonical Fr (salts, input commitments),
// proofs whose bytes are not their canonical encoding, and unknown rule names.
//
//   type                  from -> to                  body
//   retrieval.corpus      responder -> requester,     Digest root, u32 m
//                         judge
//   retrieval.request     requester -> responder,     model commitment, u32 positive_class,
//                         judge                       seed commitment, bytes verifying_key,
//                                                     bytes proving_key, bytes model
//   retrieval.response    responder -> requester      u32 count, bytes proof (nn::ModelProof)
//                                                     per document in index order;
//                                                     u32 count, Opening per positive document
//   retrieval.openings    responder -> requester      u32 count, Opening per sampled index
//   retrieval.dispute     requester -> judge          u32 count, (str rule, u32 index) each
//
//   Opening = u32 index, bytes x, 64-byte attestation, 32-byte salt, u32 path length
//             (<= 64), path digests (RFC 6962 audit path of leaf_index)
//
// The Request carries the requester's proving key as well as its verifying key: key
// generation (nn::setup) draws hiding commitments to the weights, so a responder running
// setup itself would get another model commitment. The responder's driver checks, before
// the responder deposits (CheckRequest), that the keys and the model belong to the
// model commitment; the machines only use the commitment.
//
// Digests (escrow evidence): SHA-256("verdict/retrieval/<response|openings|dispute>/v1"
// || session || encoding). The session in them ties each digest to one instance.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "protocols/retrieval/corpus.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::retrieval {

// Limits of decoded messages.
inline constexpr std::size_t kMaxProofBytes = 64u << 20;
inline constexpr std::size_t kMaxKeyBytes = std::size_t(1) << 30;
inline constexpr std::size_t kMaxModelBytes = std::size_t(1) << 30;
inline constexpr std::uint32_t kMaxPath = 64;
inline constexpr std::uint32_t kMaxViolations = 2 * kMaxCorpus + 16;

struct CorpusCommitment {
  Digest root{};
  std::uint32_t m = 0;
  bool operator==(const CorpusCommitment&) const = default;
};

struct Request {
  Digest model_commitment{};
  std::uint32_t positive_class = 0;
  Digest seed_commitment{};
  std::vector<std::uint8_t> verifying_key;  // nn::ModelVerifyingKey bytes
  std::vector<std::uint8_t> proving_key;    // nn::ModelProvingKey bytes (empty: agreed out of band)
  std::vector<std::uint8_t> model;          // the quantized model file
  bool operator==(const Request&) const = default;
};

// Document `index` revealed: its bytes, the source's attestation, its salt and the
// audit path of its leaf.
struct Opening {
  std::uint32_t index = 0;
  std::vector<std::uint8_t> input;
  Signature attestation{};
  field::Fr salt;
  std::vector<Digest> path;
  bool operator==(const Opening& o) const {
    return index == o.index && input == o.input && attestation == o.attestation && salt == o.salt && path == o.path;
  }
};

// One hidden-input proof per document, in index order (proof i's public input commitment
// is ic_i), and an Opening for every document whose proof says positive, in increasing
// index order.
struct Response {
  std::vector<nn::ModelProof> proofs;
  std::vector<Opening> openings;
};

// An Opening for every sampled index, in increasing index order.
struct Openings {
  std::vector<Opening> openings;
  bool operator==(const Openings&) const = default;
};

// The rules a response or an opening can break (stable text names: rule_name()).
enum class Rule : std::uint8_t {
  kWrongCount,               // not one proof per document                            (no index)
  kProofInvalid,             // proof i does not verify
  kWrongModel,               // proof i is for another model commitment
  kPublicInput,              // proof i is not a hidden-input proof, or has no output
  kRootMismatch,             // the proofs' input commitments do not rebuild the root (no index)
  kInputCommitmentMismatch,  // opening i commits to another ic than proof i exposes
  kOpeningMismatch,          // opening i: x of the wrong size, or its leaf not at i in the root
  kWithheldPositive,         // proof i says positive, the Response has no opening for it
  kNotPositive,              // the Response opens i, whose proof says negative
  kJunk,                     // opening i's attestation does not verify under the source key
  kMissingOpening,           // sampled index i has no opening
  kUnexpectedOpening,        // an opening out of range, out of order, repeated, or not sampled
  kMissingResponse,          // no Response matching the posted digest arrived      (no index)
  kMissingOpenings,          // no Openings matching the posted digest arrived      (no index)
};
inline constexpr std::uint32_t kNoIndex = 0xffffffffu;
const char* rule_name(Rule rule);
Result<Rule> rule_from_name(std::string_view name);

struct Violation {
  Rule rule = Rule::kWrongCount;
  std::uint32_t index = kNoIndex;  // the document, or kNoIndex
  bool operator==(const Violation&) const = default;
};
std::string to_string(const Violation& v);  // "withheld_positive@7", "root_mismatch"

// The requester's claims (the judge re-derives them; they only say where to look).
struct Dispute {
  std::vector<Violation> violations;
  bool operator==(const Dispute&) const = default;
};

using Message = std::variant<CorpusCommitment, Request, Response, Openings, Dispute>;

// "retrieval.corpus", "retrieval.request", "retrieval.response", "retrieval.openings",
// "retrieval.dispute".
const char* message_type(const Message& message);
std::vector<std::uint8_t> encode_message(const Message& message);
Result<Message> decode_message(std::string_view type, std::span<const std::uint8_t> bytes);

// Escrow evidence: respond, open_sample, dispute.
Digest response_digest(const Digest& session, const Response& response);
Digest openings_digest(const Digest& session, const Openings& openings);
Digest dispute_digest(const Digest& session, const Dispute& dispute);

}  // namespace verdict::retrieval
