// Poseidon: circomlib's known values, the optimised permutation against the literal
// definition (permute_reference) for every width, the API's rejection of wrong input
// counts, and the sponge's construction and domain separation. The shared circomlibjs
// vectors are checked in hash_vectors_test.cpp.
#include "snark/hash/poseidon.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "snark/hash/poseidon_sponge.hpp"

namespace verdict::hash {
namespace {

using field::Fr;


TEST(Poseidon, CircomlibKnownValues) {
  EXPECT_EQ(Poseidon<2>::hash(std::array<Fr, 1>{Fr::from_u64(1)}).to_decimal(),
            "18586133768512220936620570745912940619677854269274689475585506675881198879027");
  EXPECT_EQ(Poseidon<3>::hash(std::array<Fr, 2>{Fr::from_u64(1), Fr::from_u64(2)}).to_decimal(),
            "7853200120776062878684798364095072458815029376092732009249414926327459813530");
  EXPECT_EQ(poseidon_hash2(Fr::from_u64(1), Fr::from_u64(2)).to_decimal(),
            "7853200120776062878684798364095072458815029376092732009249414926327459813530");
  std::vector<Fr> one = {Fr::from_u64(1)};
  auto h = poseidon_hash(one);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->to_decimal(), "18586133768512220936620570745912940619677854269274689475585506675881198879027");
}

TEST(Poseidon, DefinitionConstantsAreCircomlibs) {
  // First and last round constants and M[0][0] as printed by circomlibjs (t = 2, 3).
  auto hex = [](const Fr& f) { return to_hex(f.to_bytes_be()); };
  EXPECT_EQ(hex(Poseidon<2>::round_constant(0, 0)), "09c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7");
  EXPECT_EQ(hex(Poseidon<2>::round_constant(Poseidon<2>::kRounds - 1, 1)),
            "269e4b5b7a2eb21afd567970a717ceec5bd4184571c254fdc06e03a7ff8378f0");
  EXPECT_EQ(hex(Poseidon<2>::mds(0, 0)), "066f6f85d6f68a85ec10345351a23a3aaf07f38af8c952a7bceca70bd2af7ad5");
  EXPECT_EQ(hex(Poseidon<3>::round_constant(0, 0)), "0ee9a592ba9a9518d05986d656f40c2114c4993c11bb29938d21d47304cd8e6e");
  EXPECT_EQ(hex(Poseidon<3>::mds(0, 0)), "109b7f411ba0e4c9b2b70caf5c36a7b194be7c11ad24378bfedb68592ba8118b");
}

template <std::size_t T>
void check_optimised_equals_reference(std::uint64_t seed) {
  SCOPED_TRACE("t = " + std::to_string(T) + ", ChaChaRng seed " + std::to_string(seed));
  ChaChaRng rng(seed);
  using P = Poseidon<T>;
  std::vector<typename P::State> states;
  states.push_back({});  // all zero
  typename P::State minus_one;
  minus_one.fill(-Fr::one());
  states.push_back(minus_one);
  for (int i = 0; i < 25; ++i) {
    typename P::State s;
    for (auto& x : s) x = Fr::random(rng);
    states.push_back(s);
  }
  for (const auto& start : states) {
    auto a = start, b = start;
    P::permute(a);
    P::permute_reference(b);
    for (std::size_t i = 0; i < T; ++i) ASSERT_EQ(a[i], b[i]) << "lane " << i;
    EXPECT_NE(a, start);
  }
}

TEST(Poseidon, OptimisedPermutationEqualsDefinition) {
  check_optimised_equals_reference<2>(102);
  check_optimised_equals_reference<3>(103);
  check_optimised_equals_reference<4>(104);
  check_optimised_equals_reference<5>(105);
  check_optimised_equals_reference<6>(106);
  check_optimised_equals_reference<7>(107);
}

TEST(Poseidon, RejectsWrongInputCounts) {
  std::vector<Fr> three(3, Fr::one());
  auto bad = Poseidon<3>::hash(three);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("exactly 2"), std::string::npos) << bad.error().message;
  EXPECT_TRUE(Poseidon<4>::hash(three).ok());

  auto none = poseidon_hash({});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("got 0"), std::string::npos) << none.error().message;
  std::vector<Fr> seven(7, Fr::one());
  auto too_many = poseidon_hash(seven);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("got 7"), std::string::npos) << too_many.error().message;
}

TEST(Poseidon, DispatchMatchesFixedWidth) {
  ChaChaRng rng(11);
  std::vector<Fr> in;
  for (int i = 0; i < 6; ++i) in.push_back(Fr::random(rng));
  auto check = [&]<std::size_t T>() {
    std::span<const Fr> prefix(in.data(), T - 1);
    auto a = poseidon_hash(prefix);
    auto b = Poseidon<T>::hash(prefix);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b);
    typename Poseidon<T>::State s{};
    for (std::size_t i = 0; i + 1 < T; ++i) s[i + 1] = in[i];
    Poseidon<T>::permute_reference(s);
    EXPECT_EQ(*a, s[0]);
  };
  check.template operator()<2>();
  check.template operator()<3>();
  check.template operator()<4>();
  check.template operator()<5>();
  check.template operator()<6>();
  check.template operator()<7>();
  EXPECT_EQ(poseidon_hash2(in[0], in[1]), *poseidon_hash(std::span<const Fr>(in.data(), 2)));
  EXPECT_NE(poseidon_hash2(in[0], in[1]), poseidon_hash2(in[1], in[0]));
}

// ---- sponge ----

// The sponge recomputed from its written specification (poseidon_sponge.hpp) with the
// reference permutation and an independently built tag.
Fr sponge_by_spec(std::span<const Fr> in) {
  // D = "verdict-sponge" as a big-endian integer; tag = D * 2^64 + n.
  Fr d = Fr::zero();
  for (char c : std::string("verdict-sponge")) d = d * Fr::from_u64(256) + Fr::from_u64(std::uint8_t(c));
  Fr two64 = Fr::from_u64(1ULL << 32).square();
  Poseidon<5>::State s{};
  s[0] = d * two64 + Fr::from_u64(in.size());
  std::size_t chunks = in.empty() ? 1 : (in.size() + 3) / 4;
  for (std::size_t c = 0; c < chunks; ++c) {
    for (std::size_t i = 0; i < 4 && 4 * c + i < in.size(); ++i) s[1 + i] += in[4 * c + i];
    Poseidon<5>::permute_reference(s);
  }
  return s[1];
}

TEST(PoseidonSponge, MatchesItsSpecification) {
  ChaChaRng rng(21);
  std::vector<Fr> in;
  for (std::size_t n = 0; n <= 13; ++n) {
    EXPECT_EQ(poseidon_hash_many(in), sponge_by_spec(in)) << "n = " << n;
    in.push_back(Fr::random(rng));
  }
  EXPECT_EQ(to_hex(poseidon_sponge_tag(0x0102).to_bytes_be()),
            "00000000000000000000766572646963742d73706f6e67650000000000000102");
}

TEST(PoseidonSponge, LengthAndPaddingAreBound) {
  ChaChaRng rng(22);
  const Fr a = Fr::random(rng);
  // [a] vs [a, 0], [a, 0, 0, 0] vs [a, 0, 0, 0, 0] (a whole extra chunk), [] vs [0].
  EXPECT_NE(poseidon_hash_many(std::vector<Fr>{a}), poseidon_hash_many(std::vector<Fr>{a, Fr::zero()}));
  EXPECT_NE(poseidon_hash_many(std::vector<Fr>{a, {}, {}, {}}), poseidon_hash_many(std::vector<Fr>{a, {}, {}, {}, {}}));
  EXPECT_NE(poseidon_hash_many({}), poseidon_hash_many(std::vector<Fr>{Fr::zero()}));
  // All-zero inputs of lengths 0..40 are pairwise distinct.
  std::set<std::string> seen;
  for (std::size_t n = 0; n <= 40; ++n) {
    std::vector<Fr> zeros(n);
    EXPECT_TRUE(seen.insert(poseidon_hash_many(zeros).to_decimal()).second) << "n = " << n;
  }
  // Separated from circomlib's 4-input poseidon on the same elements.
  std::vector<Fr> four = {Fr::random(rng), Fr::random(rng), Fr::random(rng), Fr::random(rng)};
  EXPECT_NE(poseidon_hash_many(four), *poseidon_hash(four));
  // Order and every element matter.
  std::vector<Fr> nine;
  for (int i = 0; i < 9; ++i) nine.push_back(Fr::random(rng));
  const Fr base = poseidon_hash_many(nine);
  for (std::size_t i = 0; i < nine.size(); ++i) {
    auto changed = nine;
    changed[i] += Fr::one();
    EXPECT_NE(poseidon_hash_many(changed), base) << "element " << i;
  }
  std::swap(nine[0], nine[8]);
  EXPECT_NE(poseidon_hash_many(nine), base);
}

}  // namespace
}  // namespace verdict::hash
