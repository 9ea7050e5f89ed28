#pragma once
// Number-theoretic transforms over Fr on an EvaluationDomain H = <omega>, |H| = n.
//
// Conventions: a polynomial f(X) = sum_j a_j X^j of degree < n is held as its n
// coefficients, low degree first ("natural order"); its evaluations on H as
// e_i = f(omega^i), and on the coset g H (g = EvaluationDomain::kCosetShift) as
// c_i = f(g omega^i), i in [0, n).
//
//   ntt        : a_j -> e_i       intt        : e_i -> a_j
//   coset_ntt  : a_j -> c_i       coset_intt  : c_i -> a_j
//
// All transform in place. The *_bitrev variants leave (or take) the evaluations in
// bit-reversed order, e[bitrev_k(i)] where bitrev_k reverses the low k bits: callers
// that only multiply evaluations pointwise between a forward and an inverse
// transform skip both permutations. Every function returns an Error, and leaves `a`
// unchanged, when a.size() != domain.size().
//
// Algorithm (see docs/poly.md): radix-2, forward = Gentleman-Sande DIF (natural ->
// bit-reversed), inverse = Cooley-Tukey DIT (bit-reversed -> natural), each as a
// column pass and a row pass over the domain viewed as a 2^floor(k/2) x
// 2^ceil(k/2) matrix, parallel over all workers (base/parallel.hpp) from 2^12
// elements; the 1/n and coset scalings are fused into the column pass; natural order
// costs one cache-blocked bit-reversal pass. With AVX-512 IFMA compiled in
// (-march=native on such a CPU) and n >= 64 the butterflies run eight lanes at a time
// on a 52-bit-limb representation; otherwise on Fr directly. Both give identical
// results (tests compare them). Time and memory accesses do not depend on the values.

#include <span>

#include "base/result.hpp"
#include "snark/field/fr.hpp"
#include "snark/poly/evaluation_domain.hpp"

namespace verdict::poly {

[[nodiscard]] Status ntt(const EvaluationDomain& domain, std::span<Fr> a);
[[nodiscard]] Status intt(const EvaluationDomain& domain, std::span<Fr> a);
[[nodiscard]] Status coset_ntt(const EvaluationDomain& domain, std::span<Fr> a);
[[nodiscard]] Status coset_intt(const EvaluationDomain& domain, std::span<Fr> a);

// Coefficients (natural) -> evaluations in bit-reversed order, and back.
[[nodiscard]] Status ntt_to_bitrev(const EvaluationDomain& domain, std::span<Fr> a);
[[nodiscard]] Status coset_ntt_to_bitrev(const EvaluationDomain& domain, std::span<Fr> a);
[[nodiscard]] Status intt_from_bitrev(const EvaluationDomain& domain, std::span<Fr> a);
[[nodiscard]] Status coset_intt_from_bitrev(const EvaluationDomain& domain, std::span<Fr> a);

// The unscaled kernels: with w = omega (kForward) or omega^-1 (kInverse),
//   ntt_dif: natural in, a[bitrev(i)] = sum_j a_j w^(ij) out;
//   ntt_dit: bit-reversed in (a[bitrev(j)] = b_j), a[i] = sum_j b_j w^(ij) out.
// (So the inverse direction yields n times the coefficients.)
enum class NttDirection { kForward, kInverse };
[[nodiscard]] Status ntt_dif(const EvaluationDomain& domain, std::span<Fr> a, NttDirection direction);
[[nodiscard]] Status ntt_dit(const EvaluationDomain& domain, std::span<Fr> a, NttDirection direction);

// a[i] <-> a[bitrev_k(i)] in place, n = 2^k = a.size(); an Error unless the size is a
// power of two.
[[nodiscard]] Status bit_reverse_permute(std::span<Fr> a);

}  // namespace verdict::poly
