#include "snark/hash/poseidon.hpp"

#include <cassert>
#include <string>
#include <string_view>

#include "base/hex.hpp"
#include "snark/hash/poseidon_constants_bn254.hpp"

namespace verdict::hash {

using field::Fr;

namespace {

// The generated header holds the definition (hex text) and the optimised equivalent form
// (Montgomery limbs) derived from it by tools/poseidon_params; see
// tools/poseidon_params/poseidon_optimized.hpp for the identities behind the optimised
// form. The tables below only re-type the limbs as Fr: no arithmetic happens at compile
// or start-up time, and poseidon_test checks permute() against permute_reference().

// Not constexpr: reaching it during constant evaluation is a compile error.
inline void generated_limbs_not_below_r() {}

template <std::size_t N>
consteval std::array<Fr, N> as_fr(const std::array<poseidon_bn254::Limbs, N>& limbs) {
  std::array<Fr, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    if (!field::bigint::less(limbs[i], Fr::kModulus)) generated_limbs_not_below_r();
    out[i] = Fr::from_montgomery_unchecked(limbs[i]);
  }
  return out;
}

template <std::size_t T>
struct Tables {
  using C = poseidon_bn254::Constants<T>;
  static_assert(C::kWidth == T && C::kFullRounds == kPoseidonFullRounds &&
                    C::kPartialRounds == poseidon_partial_rounds(T),
                "poseidon_partial_rounds() disagrees with the generated constants");
  static constexpr std::size_t kHalf = kPoseidonFullRounds / 2;
  static constexpr std::size_t kPartial = C::kPartialRounds;
  static constexpr std::size_t kSparseStride = 2 * T - 1;
  static_assert(C::kInitial.size() == T && C::kFullFirst.size() == kHalf * T && C::kPartial.size() == kPartial &&
                C::kFullLast.size() == (kHalf - 1) * T && C::kMdsMontgomery.size() == T * T &&
                C::kPreSparseMds.size() == T * T && C::kSparse.size() == kPartial * kSparseStride);

  static constexpr std::array<Fr, T> initial = as_fr(C::kInitial);
  static constexpr std::array<Fr, kHalf * T> full_first = as_fr(C::kFullFirst);
  static constexpr std::array<Fr, kPartial> partial = as_fr(C::kPartial);
  static constexpr std::array<Fr, (kHalf - 1) * T> full_last = as_fr(C::kFullLast);
  static constexpr std::array<Fr, T * T> mds = as_fr(C::kMdsMontgomery);
  static constexpr std::array<Fr, T * T> pre_sparse_mds = as_fr(C::kPreSparseMds);
  static constexpr std::array<Fr, kPartial * kSparseStride> sparse = as_fr(C::kSparse);
};

// Parses one canonical hex constant of the definition ("0x" + 64 hex digits, < r). The
// generated header is trusted data (poseidon_params_test checks it), so a malformed
// entry is a programmer error.
Fr definition_constant(std::string_view hex) {
  auto bytes = from_hex(hex);
  assert(bytes.ok() && bytes->size() == 32);
  auto f = Fr::from_bytes_be(*bytes);
  assert(f.ok());
  return *f;
}

inline Fr pow5(const Fr& x) {
  const Fr x2 = x.square();
  return x2.square() * x;
}

// s = m s for a row-major t x t matrix m.
template <std::size_t T>
inline void mix(std::array<Fr, T>& s, const std::array<Fr, T * T>& m) {
  std::array<Fr, T> out;
  for (std::size_t i = 0; i < T; ++i) {
    Fr acc = m[i * T] * s[0];
    for (std::size_t j = 1; j < T; ++j) acc += m[i * T + j] * s[j];
    out[i] = acc;
  }
  s = out;
}

}  // namespace

template <std::size_t T>
void Poseidon<T>::permute(State& s) {
  using Tb = Tables<T>;
  for (std::size_t i = 0; i < T; ++i) s[i] += Tb::initial[i];
  for (std::size_t k = 0; k < Tb::kHalf; ++k) {
    for (std::size_t i = 0; i < T; ++i) s[i] = pow5(s[i]) + Tb::full_first[k * T + i];
    mix<T>(s, k + 1 < Tb::kHalf ? Tb::mds : Tb::pre_sparse_mds);
  }
  for (std::size_t r = 0; r < Tb::kPartial; ++r) {
    const Fr* row0 = &Tb::sparse[r * Tb::kSparseStride];
    const Fr* col0 = row0 + T;
    // The lanes 1.. part of the new s[0] does not wait for the S-box (shorter chain).
    Fr rest = row0[1] * s[1];
    for (std::size_t i = 2; i < T; ++i) rest += row0[i] * s[i];
    const Fr x0 = pow5(s[0]) + Tb::partial[r];
    for (std::size_t i = 1; i < T; ++i) s[i] += col0[i - 1] * x0;
    s[0] = row0[0] * x0 + rest;
  }
  for (std::size_t k = 0; k < Tb::kHalf; ++k) {
    if (k + 1 < Tb::kHalf) {
      for (std::size_t i = 0; i < T; ++i) s[i] = pow5(s[i]) + Tb::full_last[k * T + i];
    } else {
      for (std::size_t i = 0; i < T; ++i) s[i] = pow5(s[i]);
    }
    mix<T>(s, Tb::mds);
  }
}

template <std::size_t T>
void Poseidon<T>::permute_reference(State& s) {
  std::array<Fr, T * T> m{};
  for (std::size_t i = 0; i < T; ++i)
    for (std::size_t j = 0; j < T; ++j) m[i * T + j] = mds(i, j);
  for (std::size_t k = 0; k < kRounds; ++k) {
    for (std::size_t i = 0; i < T; ++i) s[i] += round_constant(k, i);
    const bool full = k < kFullRounds / 2 || k >= kFullRounds / 2 + kPartialRounds;
    for (std::size_t i = 0; i < (full ? T : 1); ++i) s[i] = pow5(s[i]);
    mix<T>(s, m);
  }
}

template <std::size_t T>
Fr Poseidon<T>::hash(const std::array<Fr, kInputs>& inputs) {
  State s{};
  for (std::size_t i = 0; i < kInputs; ++i) s[i + 1] = inputs[i];
  permute(s);
  return s[0];
}

template <std::size_t T>
Result<Fr> Poseidon<T>::hash(std::span<const Fr> inputs) {
  if (inputs.size() != kInputs) {
    return Error{"Poseidon t=" + std::to_string(T) + " hashes exactly " + std::to_string(kInputs) + " input(s), got " +
                 std::to_string(inputs.size())};
  }
  std::array<Fr, kInputs> in{};
  for (std::size_t i = 0; i < kInputs; ++i) in[i] = inputs[i];
  return hash(in);
}

template <std::size_t T>
Fr Poseidon<T>::round_constant(std::size_t round, std::size_t lane) {
  assert(round < kRounds && lane < T);
  return definition_constant(poseidon_bn254::Constants<T>::kRoundConstants[round * T + lane]);
}

template <std::size_t T>
Fr Poseidon<T>::mds(std::size_t i, std::size_t j) {
  assert(i < T && j < T);
  return definition_constant(poseidon_bn254::Constants<T>::kMds[i * T + j]);
}

template class Poseidon<2>;
template class Poseidon<3>;
template class Poseidon<4>;
template class Poseidon<5>;
template class Poseidon<6>;
template class Poseidon<7>;

Result<Fr> poseidon_hash(std::span<const Fr> inputs) {
  switch (inputs.size()) {
    case 1: return Poseidon<2>::hash(inputs);
    case 2: return Poseidon<3>::hash(inputs);
    case 3: return Poseidon<4>::hash(inputs);
    case 4: return Poseidon<5>::hash(inputs);
    case 5: return Poseidon<6>::hash(inputs);
    case 6: return Poseidon<7>::hash(inputs);
    default:
      return Error{"poseidon_hash takes 1..6 inputs (circomlib widths t = 2..7), got " + std::to_string(inputs.size())};
  }
}

Fr poseidon_hash2(const Fr& a, const Fr& b) { return Poseidon<3>::hash(std::array<Fr, 2>{a, b}); }

}  // namespace verdict::hash
