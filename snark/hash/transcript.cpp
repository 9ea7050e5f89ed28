#include "snark/hash/transcript.hpp"

#include <array>

namespace verdict::hash {

using field::Fr;
using field::Limbs;

namespace {

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void append_length(Keccak256& h, std::uint64_t n) {
  std::array<std::uint8_t, 8> be{};
  for (int i = 0; i < 8; ++i) be[i] = std::uint8_t(n >> (56 - 8 * i));
  h.update(be);
}

// The 32 bytes b[0..31] as a big-endian integer.
Limbs limbs_be(const std::uint8_t* b) {
  Limbs v{};
  for (int i = 0; i < 32; ++i) v[3 - i / 8] = (v[3 - i / 8] << 8) | b[i];
  return v;
}

}  // namespace

Transcript::Transcript(std::string_view protocol_label) {
  append_record(kProtocol, kVersion, as_bytes(protocol_label));
}

void Transcript::append_record(Tag tag, std::string_view label, std::span<const std::uint8_t> payload) {
  hasher_.update_byte(tag);
  append_length(hasher_, label.size());
  hasher_.update(label);
  append_length(hasher_, payload.size());
  hasher_.update(payload);
}

void Transcript::absorb_bytes(std::string_view label, std::span<const std::uint8_t> bytes) {
  append_record(kBytes, label, bytes);
}

void Transcript::absorb_scalar(std::string_view label, const Fr& x) {
  const std::array<std::uint8_t, 32> be = x.to_bytes_be();
  append_record(kScalar, label, be);
}

Fr Transcript::challenge_scalar(std::string_view label) {
  append_record(kChallenge, label, {});
  Keccak256 h0 = hasher_, h1 = hasher_;
  const Keccak256::Digest hi = h0.update_byte(0x00).finalize();  // most significant half
  const Keccak256::Digest lo = h1.update_byte(0x01).finalize();
  return Fr::reduce_wide(limbs_be(lo.data()), limbs_be(hi.data()));
}

}  // namespace verdict::hash
