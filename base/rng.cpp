#include "base/rng.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace verdict {

std::uint64_t Rng::next_u64() {
  std::array<std::uint8_t, 8> b{};
  fill(b);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | b[i];
  return v;
}

std::uint64_t Rng::uniform(std::uint64_t bound) {
  // Reject the top partial block so every residue is equally likely.
  std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    std::uint64_t v = next_u64();
    if (v < limit) return v % bound;
  }
}

void OsRng::fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t got = getrandom(out.data() + done, out.size() - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "verdict: getrandom failed: %s\n", std::strerror(errno));
      std::abort();
    }
    done += static_cast<std::size_t>(got);
  }
}

namespace {
constexpr std::uint32_t rotl(std::uint32_t v, int c) { return v << c | v >> (32 - c); }
constexpr void quarter(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c, std::uint32_t& d) {
  a += b; d ^= a; d = rotl(d, 16);
  c += d; b ^= c; b = rotl(b, 12);
  a += b; d ^= a; d = rotl(d, 8);
  c += d; b ^= c; b = rotl(b, 7);
}
}  // namespace

ChaChaRng::ChaChaRng(const std::array<std::uint8_t, 32>& key) {
  for (int i = 0; i < 8; ++i) {
    key_[i] = std::uint32_t(key[4 * i]) | std::uint32_t(key[4 * i + 1]) << 8 | std::uint32_t(key[4 * i + 2]) << 16 |
              std::uint32_t(key[4 * i + 3]) << 24;
  }
}

ChaChaRng::ChaChaRng(std::uint64_t seed) {
  key_[0] = static_cast<std::uint32_t>(seed);
  key_[1] = static_cast<std::uint32_t>(seed >> 32);
}

void ChaChaRng::refill() {
  // RFC 8439 block function with a 64-bit counter and zero nonce.
  std::array<std::uint32_t, 16> s = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
                                     key_[0], key_[1], key_[2], key_[3], key_[4], key_[5], key_[6], key_[7],
                                     static_cast<std::uint32_t>(counter_), static_cast<std::uint32_t>(counter_ >> 32), 0, 0};
  std::array<std::uint32_t, 16> x = s;
  for (int i = 0; i < 10; ++i) {
    quarter(x[0], x[4], x[8], x[12]);
    quarter(x[1], x[5], x[9], x[13]);
    quarter(x[2], x[6], x[10], x[14]);
    quarter(x[3], x[7], x[11], x[15]);
    quarter(x[0], x[5], x[10], x[15]);
    quarter(x[1], x[6], x[11], x[12]);
    quarter(x[2], x[7], x[8], x[13]);
    quarter(x[3], x[4], x[9], x[14]);
  }
  for (int i = 0; i < 16; ++i) {
    std::uint32_t v = x[i] + s[i];
    for (int j = 0; j < 4; ++j) block_[4 * i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
  ++counter_;
  used_ = 0;
}

void ChaChaRng::fill(std::span<std::uint8_t> out) {
  for (std::uint8_t& b : out) {
    if (used_ == block_.size()) refill();
    b = block_[used_++];
  }
}

}  // namespace verdict
