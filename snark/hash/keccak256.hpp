#pragma once
// Keccak-256 as Ethereum uses it (the original Keccak submission, NOT NIST SHA3-256).
//
//   Keccak-256 = sponge over Keccak-f[1600], rate 1088 bits (136 bytes), capacity 512,
//   multi-rate padding pad10*1 with the first padding byte 0x01 (SHA3-256 uses 0x06).
//   keccak256("") = c5d24601 86f7233c 927e7db2 dcc703c0 e500b653 ca82273b 7bfad804 5d85a470.
//
// Byte order: input bytes enter the state lane by lane, little-endian within a 64-bit
// lane (lane x + 5y holds bytes 8(x+5y) .. 8(x+5y)+7 of a block); the digest is the
// first 32 bytes of the state in the same order. The round constants and rotation
// offsets of Keccak-f are derived at compile time from their defining LFSR and
// (x, y) walk (keccak256.cpp), not pasted.
//
// Constant time: the running time depends only on the length of the input, never on
// its bytes, so the hasher may absorb secrets (witness commitments, keys).
//
// Thread safety: a Keccak256 object is a plain value; distinct objects may be used from
// distinct threads; one object must not be mutated concurrently.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace verdict::hash {

// The Keccak-f[1600] permutation (24 rounds) on 25 lanes; lane index x + 5y.
void keccak_f1600(std::array<std::uint64_t, 25>& lanes);

class Keccak256 {
 public:
  static constexpr std::size_t kRateBytes = 136;
  static constexpr std::size_t kDigestBytes = 32;
  using Digest = std::array<std::uint8_t, kDigestBytes>;

  Keccak256() = default;

  // Appends bytes to the message. Any split of a message into update() calls gives the
  // same digest as one call with the whole message.
  Keccak256& update(std::span<const std::uint8_t> data);
  Keccak256& update(std::string_view text);
  Keccak256& update_byte(std::uint8_t byte);

  // The digest of everything absorbed so far. Does not change the hasher: more bytes
  // may be absorbed afterwards, and finalize() then covers the longer message (this
  // makes forking a running hash, as the transcript does, a copy).
  Digest finalize() const;

  // Total number of bytes absorbed.
  std::uint64_t size() const { return total_; }

 private:
  std::array<std::uint64_t, 25> state_{};
  std::array<std::uint8_t, kRateBytes> block_{};  // the incomplete block
  std::size_t buffered_ = 0;                      // < kRateBytes
  std::uint64_t total_ = 0;
};

// One-shot Keccak-256.
Keccak256::Digest keccak256(std::span<const std::uint8_t> data);
Keccak256::Digest keccak256(std::string_view text);

}  // namespace verdict::hash
