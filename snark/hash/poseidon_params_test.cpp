// The committed snark/hash/poseidon_constants_bn254.hpp is exactly what the generator in
// tools/poseidon_params derives from the Grain LFSR (byte for byte, and constant by
// constant for readable failures), and its MDS matrices are MDS (every square
// submatrix is invertible, checked exhaustively).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "snark/field/fr.hpp"
#include "snark/hash/poseidon_constants_bn254.hpp"
#include "tools/poseidon_params/grain_lfsr.hpp"
#include "tools/poseidon_params/poseidon_optimized.hpp"
#include "tools/poseidon_params/poseidon_params.hpp"

#ifndef VERDICT_POSEIDON_CONSTANTS_HEADER
#error "VERDICT_POSEIDON_CONSTANTS_HEADER must name the committed header"
#endif

namespace verdict::poseidon_params {
namespace {

using field::Fr;

std::vector<PoseidonConstants> derive_all() {
  std::vector<PoseidonConstants> sets;
  for (const PoseidonInstance& instance : kCircomlibInstances) sets.push_back(derive_poseidon_constants(instance));
  return sets;
}

TEST(PoseidonParams, CommittedHeaderIsTheGeneratorOutput) {
  std::ifstream in(VERDICT_POSEIDON_CONSTANTS_HEADER, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << VERDICT_POSEIDON_CONSTANTS_HEADER;
  std::stringstream text;
  text << in.rdbuf();
  const auto sets = derive_all();
  EXPECT_TRUE(text.str() == emit_constants_header(sets))
      << VERDICT_POSEIDON_CONSTANTS_HEADER << " is stale or edited: regenerate it (target regenerate_poseidon_constants)";
}

template <std::size_t T>
void check_width(const PoseidonConstants& set) {
  using C = hash::poseidon_bn254::Constants<T>;
  SCOPED_TRACE("t = " + std::to_string(T));
  ASSERT_EQ(set.instance.width, T);
  EXPECT_EQ(set.instance.partial_rounds, C::kPartialRounds);
  ASSERT_EQ(set.round_constants.size(), C::kRoundConstants.size());
  for (std::size_t k = 0; k < set.round_constants.size(); ++k)
    ASSERT_EQ(to_hex_string(set.round_constants[k]), C::kRoundConstants[k]) << "round constant " << k;
  ASSERT_EQ(set.mds.size(), C::kMds.size());
  for (std::size_t k = 0; k < set.mds.size(); ++k) ASSERT_EQ(to_hex_string(set.mds[k]), C::kMds[k]) << "MDS entry " << k;

  const OptimizedPoseidon opt = derive_optimized_form(set);
  auto same = [](const std::vector<Fr>& derived, const auto& committed, const char* what) {
    ASSERT_EQ(derived.size(), committed.size()) << what;
    for (std::size_t i = 0; i < derived.size(); ++i)
      ASSERT_EQ(derived[i].montgomery_limbs(), committed[i]) << what << " entry " << i;
  };
  same(opt.initial, C::kInitial, "kInitial");
  same(opt.full_first, C::kFullFirst, "kFullFirst");
  same(opt.partial, C::kPartial, "kPartial");
  same(opt.full_last, C::kFullLast, "kFullLast");
  same(opt.mds, C::kMdsMontgomery, "kMdsMontgomery");
  same(opt.pre_sparse_mds, C::kPreSparseMds, "kPreSparseMds");
  same(opt.sparse, C::kSparse, "kSparse");
  // The Montgomery MDS is the definition's.
  for (std::size_t k = 0; k < set.mds.size(); ++k) EXPECT_EQ(opt.mds[k].to_canonical(), set.mds[k]);
}

TEST(PoseidonParams, GeneratorReproducesEveryConstant) {
  const auto sets = derive_all();
  ASSERT_EQ(sets.size(), 6u);
  check_width<2>(sets[0]);
  check_width<3>(sets[1]);
  check_width<4>(sets[2]);
  check_width<5>(sets[3]);
  check_width<6>(sets[4]);
  check_width<7>(sets[5]);
}

TEST(PoseidonParams, GrainStreamStartsAsTheReferenceScript) {
  // For (field 1, S-box 0, n 254, t 2, R_F 8, R_P 56) the reference script's first
  // 254-bit sample is circomlib's C[0][0] (below r, so not rejected).
  GrainLfsr g(GrainInstance{1, 0, 254, 2, 8, 56});
  EXPECT_EQ(to_hex_string(g.next_bits(254)), "0x09c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7");
  // A different instance description gives a different stream.
  GrainLfsr h(GrainInstance{1, 0, 254, 3, 8, 57});
  EXPECT_NE(to_hex_string(h.next_bits(254)), "0x09c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7");
}

// Determinant by Gaussian elimination (zero iff singular).
Fr determinant(std::vector<std::vector<Fr>> a) {
  const std::size_t n = a.size();
  Fr det = Fr::one();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    while (p < n && a[p][c].is_zero()) ++p;
    if (p == n) return Fr::zero();
    if (p != c) std::swap(a[p], a[c]), det = -det;
    det *= a[c][c];
    const Fr inv = a[c][c].inverse_vartime();
    for (std::size_t r = c + 1; r < n; ++r) {
      const Fr f = a[r][c] * inv;
      for (std::size_t j = c; j < n; ++j) a[r][j] -= f * a[c][j];
    }
  }
  return det;
}

TEST(PoseidonParams, MatricesAreMds) {
  for (const PoseidonConstants& set : derive_all()) {
    const unsigned t = set.instance.width;
    std::size_t checked = 0;
    for (unsigned rows = 1; rows < (1u << t); ++rows) {
      for (unsigned cols = 1; cols < (1u << t); ++cols) {
        if (__builtin_popcount(rows) != __builtin_popcount(cols)) continue;
        std::vector<std::vector<Fr>> sub;
        for (unsigned i = 0; i < t; ++i) {
          if (!(rows >> i & 1)) continue;
          sub.emplace_back();
          for (unsigned j = 0; j < t; ++j)
            if (cols >> j & 1) sub.back().push_back(Fr::from_canonical_unchecked(set.mds[i * t + j]));
        }
        ASSERT_FALSE(determinant(sub).is_zero()) << "t = " << t << ": singular submatrix rows " << rows << " cols " << cols;
        ++checked;
      }
    }
    EXPECT_GT(checked, 0u);
  }
}

}  // namespace
}  // namespace verdict::poseidon_params
