#pragma once
// Fiat-Shamir transcript on Keccak-256 for verdict's own proof system.
//
// The transcript is a byte string T hashed incrementally; every absorbed item and every
// challenge request appends one self-delimiting record to T:
//
//   record = tag (1 byte) || len(label) (8 bytes, big-endian) || label
//                         || len(payload) (8 bytes, big-endian) || payload
//
//   tag  item                          payload
//   0x01 protocol (constructor)        the protocol label; the record's label is the
//                                      fixed version string "verdict/transcript/v1"
//   0x02 absorb_bytes(label, b)        b
//   0x03 absorb_scalar(label, x)       x as 32 bytes, canonical big-endian (x < r)
//   0x04 absorb_point(label, P)        P.to_bytes_uncompressed() (the curve layer's
//                                      canonical uncompressed encoding)
//   0x05 challenge_scalar(label)       empty
//
// challenge_scalar(label) appends its record, then squeezes
//   h0 = keccak256(T || 0x00),  h1 = keccak256(T || 0x01)
// and returns (h0 || h1, read as a 512-bit big-endian integer) mod r, via
// Fr::reduce_wide; the statistical distance from uniform is below r / 2^512 < 2^-258.
//
// Properties: T parses uniquely into records (every length is explicit), so different
// sequences of (kind, label, payload) never give the same T; a squeeze input is T plus
// one byte, and T always ends with a challenge record, so squeeze inputs of different
// transcripts differ too. Each challenge depends on the protocol label, on everything
// absorbed before it, and on every earlier challenge record (its label and position;
// the earlier challenge values are functions of that prefix, so they need not be
// absorbed again). docs/transcript.md repeats this specification.
//
// Not constant time in the label and payload lengths (they are public); constant time in
// the payload bytes, so absorbing secret values is safe as far as timing goes.

#include <concepts>
#include <cstdint>
#include <span>
#include <string_view>

#include "snark/field/fr.hpp"
#include "snark/hash/keccak256.hpp"

namespace verdict::hash {

// A type whose to_bytes_uncompressed() returns a contiguous container of bytes (a G1 or
// G2 point of the curve layer): this layer does not depend on the curve layer.
template <class P>
concept UncompressedBytes = requires(const P& p) {
  { p.to_bytes_uncompressed().data() } -> std::convertible_to<const std::uint8_t*>;
  { p.to_bytes_uncompressed().size() } -> std::convertible_to<std::size_t>;
};

class Transcript {
 public:
  static constexpr std::string_view kVersion = "verdict/transcript/v1";
  enum Tag : std::uint8_t { kProtocol = 0x01, kBytes = 0x02, kScalar = 0x03, kPoint = 0x04, kChallenge = 0x05 };

  explicit Transcript(std::string_view protocol_label);

  void absorb_bytes(std::string_view label, std::span<const std::uint8_t> bytes);
  void absorb_scalar(std::string_view label, const field::Fr& x);
  template <UncompressedBytes P>
  void absorb_point(std::string_view label, const P& point) {
    const auto bytes = point.to_bytes_uncompressed();
    append_record(kPoint, label, std::span<const std::uint8_t>(bytes.data(), bytes.size()));
  }

  // A challenge bound to everything so far (see above); also becomes part of the
  // transcript, so two calls in a row (even with the same label) give distinct values.
  field::Fr challenge_scalar(std::string_view label);

  // Number of bytes of T so far (for tests and diagnostics).
  std::uint64_t size() const { return hasher_.size(); }

 private:
  void append_record(Tag tag, std::string_view label, std::span<const std::uint8_t> payload);

  Keccak256 hasher_;
};

}  // namespace verdict::hash
