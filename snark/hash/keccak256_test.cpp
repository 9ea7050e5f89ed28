// Keccak-256: known answers (Ethereum's padding, not SHA3-256), the permutation on the
// zero state, and the incremental hasher against the one-shot function over random
// split points. The shared vector files are checked in hash_vectors_test.cpp.
#include "snark/hash/keccak256.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/hex.hpp"
#include "base/rng.hpp"

namespace verdict::hash {
namespace {

std::string hex(const Keccak256::Digest& d) { return to_hex(d); }

TEST(Keccak256, EmptyInputIsEthereumKeccakNotSha3) {
  EXPECT_EQ(hex(keccak256(std::string_view{})),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_NE(hex(keccak256(std::string_view{})),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");  // SHA3-256("")
  EXPECT_EQ(hex(Keccak256().finalize()), hex(keccak256(std::string_view{})));
}

TEST(Keccak256, PermutationOfTheZeroState) {
  // Keccak team's KeccakF-1600 intermediate values: the first lanes after one
  // permutation of the all-zero state.
  std::array<std::uint64_t, 25> s{};
  keccak_f1600(s);
  EXPECT_EQ(s[0], 0xF1258F7940E1DDE7ULL);
  EXPECT_EQ(s[1], 0x84D5CCF933C0478AULL);
  EXPECT_EQ(s[2], 0xD598261EA65AA9EEULL);
}

TEST(Keccak256, IncrementalEqualsOneShotOverRandomSplits) {
  constexpr std::uint64_t kSeed = 0x6b656363616b;
  SCOPED_TRACE("ChaChaRng seed " + std::to_string(kSeed));
  ChaChaRng rng(kSeed);
  for (int trial = 0; trial < 300; ++trial) {
    // Lengths cluster around multiples of the rate to exercise block boundaries.
    std::size_t len = rng.uniform(3 * Keccak256::kRateBytes + 2);
    if (trial >= 100) {  // k * rate - 1, k * rate or k * rate + 1
      len = std::size_t(rng.uniform(4)) * Keccak256::kRateBytes + std::size_t(rng.uniform(3));
      if (len > 0) --len;
    }
    std::vector<std::uint8_t> msg(len);
    rng.fill(msg);
    const auto expected = keccak256(msg);
    Keccak256 h;
    std::size_t pos = 0;
    while (pos < len) {
      std::size_t take = rng.uniform(len - pos + 1);
      h.update(std::span<const std::uint8_t>(msg).subspan(pos, take));
      pos += take;
      if (rng.uniform(4) == 0) h.update(std::span<const std::uint8_t>{});  // empty updates are no-ops
    }
    EXPECT_EQ(h.size(), len);
    ASSERT_EQ(hex(h.finalize()), hex(expected)) << "length " << len << ", trial " << trial;
  }
}

TEST(Keccak256, ByteAtATimeAndFinalizeIsNonDestructive) {
  ChaChaRng rng(7);
  std::vector<std::uint8_t> msg(2 * Keccak256::kRateBytes + 5);
  rng.fill(msg);
  Keccak256 h;
  for (std::size_t i = 0; i < msg.size(); ++i) {
    h.update_byte(msg[i]);
    // finalize() mid-stream is the hash of the prefix and leaves the hasher usable.
    if (i % 37 == 0) {
      ASSERT_EQ(hex(h.finalize()), hex(keccak256(std::span<const std::uint8_t>(msg.data(), i + 1))));
    }
  }
  EXPECT_EQ(hex(h.finalize()), hex(keccak256(msg)));
  EXPECT_EQ(hex(h.finalize()), hex(keccak256(msg)));
}

TEST(Keccak256, EveryInputBitMatters) {
  std::vector<std::uint8_t> msg(Keccak256::kRateBytes + 1, 0x5a);
  const auto base = keccak256(msg);
  for (std::size_t i = 0; i < msg.size(); ++i) {
    msg[i] ^= std::uint8_t(1u << (i % 8));
    EXPECT_NE(hex(keccak256(msg)), hex(base)) << "byte " << i;
    msg[i] ^= std::uint8_t(1u << (i % 8));
  }
  // Padding is injective: a trailing zero byte (or 0x01, the padding byte) changes it.
  std::vector<std::uint8_t> longer = msg;
  longer.push_back(0x00);
  EXPECT_NE(hex(keccak256(longer)), hex(base));
  longer.back() = 0x01;
  EXPECT_NE(hex(keccak256(longer)), hex(base));
}

}  // namespace
}  // namespace verdict::hash
