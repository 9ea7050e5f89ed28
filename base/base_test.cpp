#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <vector>

#include "base/hex.hpp"
#include "base/parallel.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"

namespace verdict {
namespace {

TEST(Hex, RoundTripAndRejects) {
  std::vector<std::uint8_t> bytes = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "0001abff");
  auto back = from_hex("0x0001ABff");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(from_hex("abc").ok());
  auto bad = from_hex("00zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("offset 2"), std::string::npos);
}

TEST(Result, CarriesValueOrError) {
  Result<int> good = 7;
  Result<int> bad = Error{"broken"};
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().context("outer").message, "outer: broken");
  Status s = Error{"x"};
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Status::ok_status().ok());
}

TEST(Parallel, CoversEveryIndexOnce) {
  for (std::size_t n : {0u, 1u, 7u, 1000u, 100003u}) {
    std::vector<std::atomic<int>> hits(n);
    parallel_for(n, 3, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) hits[i]++;
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    std::vector<std::atomic<int>> tasks(n);
    parallel_tasks(n, [&](std::size_t i) { tasks[i]++; });
    for (auto& h : tasks) EXPECT_EQ(h.load(), 1);
  }
}

TEST(ChaChaRng, MatchesRfc8439KeystreamBlock) {
  // RFC 8439 2.3.2 uses a 96-bit nonce and counter 1; with our zero nonce and the
  // all-zero key the first block is the well-known ChaCha20 zero-key keystream.
  std::array<std::uint8_t, 32> key{};
  ChaChaRng rng(key);
  std::array<std::uint8_t, 16> out{};
  rng.fill(out);
  EXPECT_EQ(to_hex(out), "76b8e0ada0f13d90405d6ae55386bd28");
}

TEST(ChaChaRng, DeterministicAndUniform) {
  ChaChaRng a(42), b(42), c(43);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_NE(a.next_u64(), c.next_u64());
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    std::uint64_t v = a.uniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(OsRng, ProducesDistinctOutputs) {
  OsRng rng;
  EXPECT_NE(rng.next_u64(), rng.next_u64());
}

}  // namespace
}  // namespace verdict
