#pragma once
// snarkjs 0.7.6 Keccak256Transcript (src/Keccak256Transcript.js), the Fiat-Shamir rule of
// its PLONK and FFLONK provers, for interoperability with snarkjs proofs and verifiers.
//
// Rule: the preimage is the concatenation, in order, of
//   a G1 point  (addPolCommitment): 64 bytes x || y, each coordinate 32 bytes big-endian,
//               canonical (< p), not Montgomery; the point at infinity is 64 zero bytes,
//   a scalar    (addScalar):        32 bytes big-endian, canonical (< r),
// and challenge = (keccak256(preimage) read as a big-endian integer) mod r. snarkjs
// refuses to derive a challenge from an empty transcript; so does this code. (snarkjs's
// provers reset the transcript after each challenge and add the previous challenge as
// the first scalar of the next one; callers do that by building a new item list.)
//
// G1 points are given as raw affine coordinates or raw 64-byte encodings, so this layer
// does not need the curve layer; no on-curve check is made (snarkjs makes none either).
//
// Unlike Transcript this encoding is not self-delimiting (a G1 point and two scalars
// both take 64 bytes); use it only where snarkjs compatibility is the point.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/field/fq.hpp"
#include "snark/field/fr.hpp"

namespace verdict::hash {

class SnarkjsTranscriptItem {
 public:
  enum class Kind { kG1, kScalar };

  // Affine G1 point (x, y); (0, 0) encodes the point at infinity, as in snarkjs.
  static SnarkjsTranscriptItem g1(const field::Fq& x, const field::Fq& y);
  static SnarkjsTranscriptItem g1_infinity();
  // A 64-byte x || y big-endian encoding; an Error if the length is not 64 or a
  // coordinate is not below p.
  static Result<SnarkjsTranscriptItem> g1_from_bytes(std::span<const std::uint8_t> xy);
  static SnarkjsTranscriptItem scalar(const field::Fr& s);

  Kind kind() const { return kind_; }
  // The bytes this item contributes to the preimage (64 for G1, 32 for a scalar).
  std::span<const std::uint8_t> encoding() const { return {bytes_.data(), kind_ == Kind::kG1 ? 64u : 32u}; }

 private:
  explicit SnarkjsTranscriptItem(Kind kind) : kind_(kind) {}

  Kind kind_;
  std::array<std::uint8_t, 64> bytes_{};
};

// The concatenated encodings.
std::vector<std::uint8_t> snarkjs_keccak_preimage(std::span<const SnarkjsTranscriptItem> items);

// keccak256(preimage) mod r; an Error for an empty item list.
Result<field::Fr> snarkjs_keccak_challenge(std::span<const SnarkjsTranscriptItem> items);

}  // namespace verdict::hash
