// The test-set commitment, the split and the sealed reveals: Merkle paths against the
// recursive definition for every size up to 33 and every index, tampered paths, the
// split's determinism and shape, AES-GCM round trips and tampering, open_reveal's checks.
#include "protocols/accuracy/test_set.hpp"

#include <gtest/gtest.h>

#include <set>

#include "base/rng.hpp"
#include "escrow/codec/sha256.hpp"
#include "protocols/accuracy/sealed.hpp"

namespace verdict::accuracy {
namespace {

Digest digest_of(std::uint64_t n) {
  Digest d{};
  for (int i = 0; i < 8; ++i) d[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  return d;
}

std::vector<Example> examples(std::uint32_t n, Rng& rng) {
  std::vector<Example> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    Example e;
    e.input.resize(1 + i % 7);
    rng.fill(e.input);
    e.label = i % 10;
    e.salt = field::Fr::random(rng);
    out.push_back(std::move(e));
  }
  return out;
}

// (A path can also verify for another tree size of the same shape: N is committed next
// to the root, and every check uses the committed N.)
TEST(MerkleTree, EveryPathOfEverySizeVerifiesAndNothingElseDoes) {
  for (std::uint32_t n = 1; n <= 33; ++n) {
    std::vector<Digest> leaves;
    for (std::uint32_t i = 0; i < n; ++i) leaves.push_back(digest_of(1000 * n + i));
    const Digest root = merkle_root(leaves);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::vector<Digest> path = merkle_path(leaves, i);
      EXPECT_TRUE(merkle_verify(leaves[i], i, n, path, root)) << n << " " << i;
      if (n > 1) {
        EXPECT_FALSE(merkle_verify(leaves[i], (i + 1) % n, n, path, root)) << n << " " << i;
        EXPECT_FALSE(merkle_verify(leaves[(i + 1) % n], i, n, path, root)) << n << " " << i;
        std::vector<Digest> bad = path;
        bad[0][3] ^= 1;
        EXPECT_FALSE(merkle_verify(leaves[i], i, n, bad, root)) << n << " " << i;
        bad = path;
        bad.pop_back();
        EXPECT_FALSE(merkle_verify(leaves[i], i, n, bad, root)) << n << " " << i;
      }
    }
    EXPECT_FALSE(merkle_verify(leaves[0], n, n, {}, root));
  }
}

TEST(MerkleTree, SmallTreesMatchTheDefinition) {
  const std::vector<Digest> l = {digest_of(1), digest_of(2), digest_of(3)};
  // RFC 6962: MTH(d0,d1,d2) = H(1 || H(1 || H(0||d0) || H(0||d1)) || H(0||d2)).
  auto leaf = [](const Digest& d) {
    std::vector<std::uint8_t> b{0};
    b.insert(b.end(), d.begin(), d.end());
    return codec::sha256(b);
  };
  auto node = [](const Digest& a, const Digest& c) {
    std::vector<std::uint8_t> b{1};
    b.insert(b.end(), a.begin(), a.end());
    b.insert(b.end(), c.begin(), c.end());
    return codec::sha256(b);
  };
  EXPECT_EQ(merkle_root(std::span(l).first(1)), leaf(l[0]));
  EXPECT_EQ(merkle_root(l), node(node(leaf(l[0]), leaf(l[1])), leaf(l[2])));
}

TEST(Split, DeterministicPartitionOfTheRightSizes) {
  const Digest session = digest_of(7), a = digest_of(8), b = digest_of(9);
  const Split s = split_test_set(session, a, b, 100, 10);
  EXPECT_EQ(s.subset.size(), 10u);
  EXPECT_EQ(s.rest.size(), 90u);
  std::set<std::uint32_t> all(s.subset.begin(), s.subset.end());
  all.insert(s.rest.begin(), s.rest.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(*all.rbegin(), 99u);
  EXPECT_TRUE(std::is_sorted(s.subset.begin(), s.subset.end()));
  EXPECT_EQ(split_test_set(session, a, b, 100, 10).subset, s.subset);
  // Either seed changes the subset.
  EXPECT_NE(split_test_set(session, digest_of(10), b, 100, 10).subset, s.subset);
  EXPECT_NE(split_test_set(session, a, digest_of(10), 100, 10).subset, s.subset);
}

TEST(Split, EveryIndexIsAboutEquallyLikely) {
  std::vector<int> hits(20, 0);
  for (std::uint64_t t = 0; t < 4000; ++t) {
    for (std::uint32_t i : split_test_set(digest_of(t), digest_of(t + 1), digest_of(t + 2), 20, 5).subset) ++hits[i];
  }
  for (int h : hits) {  // expected 1000 each; 6 sigma is about 165
    EXPECT_GT(h, 835);
    EXPECT_LT(h, 1165);
  }
}

TEST(Sealed, RoundTripAndTampering) {
  ChaChaRng rng(0x5ea1ULL);
  Key key{};
  rng.fill(key);
  const std::vector<std::uint8_t> msg = {1, 2, 3, 4, 5};
  const Digest session = digest_of(3);
  const auto sealed = seal(key, msg, session, Reveal::kSubset, rng);
  auto back = open_sealed(key, sealed, session, Reveal::kSubset);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, msg);
  EXPECT_FALSE(open_sealed(key, sealed, session, Reveal::kRest).ok());
  EXPECT_FALSE(open_sealed(key, sealed, digest_of(4), Reveal::kSubset).ok());
  Key other = key;
  other[0] ^= 1;
  EXPECT_FALSE(open_sealed(other, sealed, session, Reveal::kSubset).ok());
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto t = sealed;
    t[i] ^= 0x80;
    EXPECT_FALSE(open_sealed(key, t, session, Reveal::kSubset).ok()) << i;
  }
  EXPECT_FALSE(open_sealed(key, std::span(sealed).first(10), session, Reveal::kSubset).ok());
}

TEST(Sealed, OpenRevealChecksIndicesAndMembership) {
  ChaChaRng rng(0x5ea2ULL);
  const auto ex = examples(9, rng);
  std::vector<Digest> leaves;
  for (std::uint32_t i = 0; i < ex.size(); ++i) leaves.push_back(example_leaf(i, ex[i]));
  const TestSetHead head{merkle_root(leaves), 9};
  const Digest session = digest_of(5);
  Key key{};
  rng.fill(key);
  auto make = [&](std::vector<RevealedExample> batch) {
    return seal(key, encode_batch(batch), session, Reveal::kRest, rng);
  };
  std::vector<RevealedExample> good;
  for (std::uint32_t i : {1u, 4u, 8u}) good.push_back({i, ex[i], merkle_path(leaves, i)});
  const std::vector<std::uint32_t> idx = {1, 4, 8};
  auto opened = open_reveal(key, make(good), session, Reveal::kRest, idx, head);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)[2].input, ex[8].input);

  auto bad = good;
  bad[1].example.label ^= 1;  // a changed label
  EXPECT_FALSE(open_reveal(key, make(bad), session, Reveal::kRest, idx, head).ok());
  bad = good;
  bad[0].example.input[0] ^= 1;  // a changed input
  EXPECT_FALSE(open_reveal(key, make(bad), session, Reveal::kRest, idx, head).ok());
  bad = good;
  bad[2].example.salt = bad[2].example.salt + field::Fr::one();
  EXPECT_FALSE(open_reveal(key, make(bad), session, Reveal::kRest, idx, head).ok());
  bad = good;
  bad.pop_back();  // one missing
  EXPECT_FALSE(open_reveal(key, make(bad), session, Reveal::kRest, idx, head).ok());
  bad = good;
  bad[2] = {7, ex[7], merkle_path(leaves, 7)};  // another (valid) example than asked for
  EXPECT_FALSE(open_reveal(key, make(bad), session, Reveal::kRest, idx, head).ok());
  // Garbage that authenticates but does not decode.
  const std::vector<std::uint8_t> junk = {0, 0, 0, 9, 1};
  EXPECT_FALSE(open_reveal(key, seal(key, junk, session, Reveal::kRest, rng), session, Reveal::kRest, idx, head).ok());
}

TEST(Sealed, BatchEncodingRoundTripsAndRefusesTruncation) {
  ChaChaRng rng(0x5ea3ULL);
  const auto ex = examples(3, rng);
  std::vector<RevealedExample> b = {{0, ex[0], {digest_of(1), digest_of(2)}}, {2, ex[2], {}}};
  const auto bytes = encode_batch(b);
  auto back = decode_batch(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(encode_batch(*back), bytes);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(decode_batch(std::span(bytes).first(cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace verdict::accuracy
