#include "snark/hash/keccak256.hpp"

#include <algorithm>
#include <cstring>

namespace verdict::hash {
namespace {

using u64 = std::uint64_t;

// ---- Keccak-f[1600] constants, derived at compile time (Keccak reference, section 1.2) ----

// Round constants: bit 2^j - 1 of RC[i] is rc(j + 7i), where rc is the output of the
// LFSR with feedback polynomial x^8 + x^6 + x^5 + x^4 + 1 started at 1.
constexpr std::array<u64, 24> derive_round_constants() {
  std::array<u64, 24> rc{};
  unsigned lfsr = 1;
  for (int i = 0; i < 24; ++i) {
    for (int j = 0; j < 7; ++j) {
      if (lfsr & 1) rc[i] ^= u64(1) << ((1u << j) - 1);
      lfsr = (lfsr & 0x80) ? ((lfsr << 1) ^ 0x71) & 0xff : (lfsr << 1);
    }
  }
  return rc;
}

// Rotation offsets of rho: starting at (x, y) = (1, 0), lane number t = 0..23 of the
// walk (x, y) -> (y, 2x + 3y mod 5) rotates by (t + 1)(t + 2) / 2 mod 64; lane (0, 0)
// is not rotated.
constexpr std::array<unsigned, 25> derive_rho_offsets() {
  std::array<unsigned, 25> rho{};
  unsigned x = 1, y = 0;
  for (unsigned t = 0; t < 24; ++t) {
    rho[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
    unsigned nx = y, ny = (2 * x + 3 * y) % 5;
    x = nx;
    y = ny;
  }
  return rho;
}

// pi moves lane (x, y) to (X, Y) = (y, 2x + 3y mod 5). Read backwards, the lane that
// lands at (X, Y) comes from (x, y) = (3 (Y - 3X) mod 5, X) (3 = 2^-1 mod 5);
// kPiSource[X + 5Y] is that source index x + 5y.
constexpr std::array<unsigned, 25> derive_pi_sources() {
  std::array<unsigned, 25> src{};
  for (unsigned x = 0; x < 5; ++x)
    for (unsigned y = 0; y < 5; ++y) src[y + 5 * ((2 * x + 3 * y) % 5)] = x + 5 * y;
  return src;
}

constexpr std::array<u64, 24> kRoundConstants = derive_round_constants();
constexpr std::array<unsigned, 25> kRho = derive_rho_offsets();
constexpr std::array<unsigned, 25> kPiSource = derive_pi_sources();

// Spot checks against the published tables (FIPS 202 / Keccak reference).
static_assert(kRoundConstants[0] == 0x0000000000000001);
static_assert(kRoundConstants[1] == 0x0000000000008082);
static_assert(kRoundConstants[23] == 0x8000000080008008);
static_assert(kRho[1] == 1 && kRho[2] == 62 && kRho[5] == 36 && kRho[24] == 14);
static_assert(kPiSource[1] == 6 && kPiSource[2] == 12 && kPiSource[5] == 3);

constexpr u64 rotl(u64 v, unsigned n) { return n == 0 ? v : (v << n) | (v >> (64 - n)); }

// One round from state a into state e (the caller alternates the two buffers).
//   theta: every lane absorbs the parities of two neighbouring columns,
//   rho + pi: each lane is rotated and moved (gathered here row by row of the output),
//   chi: e[X, Y] = b[X] ^ (~b[X + 1] & b[X + 2]) along each row, the only non-linear step,
//   iota: lane (0, 0) absorbs the round constant.
inline void keccak_round(const u64* a, u64* e, u64 round_constant) {
  u64 c[5], d[5];
#pragma GCC unroll 5
  for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
  for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
#pragma GCC unroll 5
  for (int y = 0; y < 25; y += 5) {
    u64 b[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      const unsigned src = kPiSource[y + x];
      b[x] = rotl(a[src] ^ d[src % 5], kRho[src]);
    }
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) e[y + x] = b[x] ^ (~b[(x + 1) % 5] & b[(x + 2) % 5]);
  }
  e[0] ^= round_constant;
}

inline u64 load_le64(const std::uint8_t* p) {
  u64 v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];  // compiles to one load on little-endian
  return v;
}

inline void absorb_block(std::array<u64, 25>& s, const std::uint8_t* block) {
  for (std::size_t i = 0; i < Keccak256::kRateBytes / 8; ++i) s[i] ^= load_le64(block + 8 * i);
  keccak_f1600(s);
}

}  // namespace

void keccak_f1600(std::array<u64, 25>& a) {
  u64 e[25];
  for (int round = 0; round < 24; round += 2) {
    keccak_round(a.data(), e, kRoundConstants[round]);
    keccak_round(e, a.data(), kRoundConstants[round + 1]);
  }
}

Keccak256& Keccak256::update(std::span<const std::uint8_t> data) {
  std::size_t n = data.size();
  if (n == 0) return *this;  // data() may be null
  const std::uint8_t* p = data.data();
  total_ += n;
  if (buffered_ > 0) {
    std::size_t take = std::min(n, kRateBytes - buffered_);
    std::memcpy(block_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < kRateBytes) return *this;
    absorb_block(state_, block_.data());
    buffered_ = 0;
  }
  while (n >= kRateBytes) {
    absorb_block(state_, p);
    p += kRateBytes;
    n -= kRateBytes;
  }
  if (n > 0) {
    std::memcpy(block_.data(), p, n);
    buffered_ = n;
  }
  return *this;
}

Keccak256& Keccak256::update(std::string_view text) {
  return update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Keccak256& Keccak256::update_byte(std::uint8_t byte) { return update(std::span<const std::uint8_t>(&byte, 1)); }

Keccak256::Digest Keccak256::finalize() const {
  // Pad the last block: 0x01 after the message, 0x80 in the last byte of the rate (the
  // two coincide, giving 0x81, when one byte of the block is left).
  std::array<std::uint8_t, kRateBytes> last{};
  std::memcpy(last.data(), block_.data(), buffered_);
  last[buffered_] ^= 0x01;
  last[kRateBytes - 1] ^= 0x80;
  std::array<u64, 25> s = state_;
  absorb_block(s, last.data());
  Digest out{};
  for (std::size_t i = 0; i < kDigestBytes; ++i) out[i] = std::uint8_t(s[i / 8] >> (8 * (i % 8)));
  return out;
}

Keccak256::Digest keccak256(std::span<const std::uint8_t> data) { return Keccak256().update(data).finalize(); }

Keccak256::Digest keccak256(std::string_view text) { return Keccak256().update(text).finalize(); }

}  // namespace verdict::hash
