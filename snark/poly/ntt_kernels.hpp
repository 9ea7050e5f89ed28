#pragma once
// The NTT kernels behind ntt.hpp (internal to snark/poly; tests use them to compare
// the scalar and the AVX-512 IFMA paths).
//
//   dif: natural order in, bit-reversed out (Gentleman-Sande butterflies
//        (u, v) -> (u + v, (u - v) w)); the optional scale multiplies the *input*
//        element i by s(i) first. Result: a[bitrev(i)] = sum_j s(j) a_j w^(ij).
//   dit: bit-reversed in, natural out (Cooley-Tukey butterflies
//        (u, v) -> (u + w v, u - w v)); the optional scale multiplies the *output*.
//        Result: a[i] = s(i) sum_j a[bitrev(j)] w^(ij).
// w is the root of the TwiddleSet (omega for plan.forward, omega^-1 for
// plan.inverse). Both run the column pass and the row pass of ntt_plan.hpp, each
// parallel over all workers for sizes >= 2^12. Requires a.size() == plan.n.

#include <functional>
#include <span>

#include "snark/field/fr.hpp"
#include "snark/poly/ntt_plan.hpp"

namespace verdict::poly::detail {

enum class Backend {
  kAuto,    // IFMA where compiled in and n >= 64, scalar otherwise
  kScalar,  // always the portable path
};

// True when the AVX-512 IFMA kernels are compiled in.
bool ifma_available();

void dif(const NttPlan& plan, const TwiddleSet& tw, const ScaleSet* scale, std::span<Fr> a,
         Backend backend = Backend::kAuto);
void dit(const NttPlan& plan, const TwiddleSet& tw, const ScaleSet* scale, std::span<Fr> a,
         Backend backend = Backend::kAuto);

// a[i] <-> a[bitrev_k(i)], k = log2(a.size()); requires a power-of-two size.
void bit_reverse(std::span<Fr> a);

// The individual paths.
void dif_scalar(const NttPlan& plan, const TwiddleSet& tw, const ScaleSet* scale, Fr* a);
void dit_scalar(const NttPlan& plan, const TwiddleSet& tw, const ScaleSet* scale, Fr* a);
// Require ifma_available() and plan.k >= 6 (n1, n2 >= 8).
void dif_ifma(const NttPlan& plan, const TwiddleSet& tw, const ScaleSet* scale, Fr* a);
void dit_ifma(const NttPlan& plan, const TwiddleSet& tw, const ScaleSet* scale, Fr* a);

// Minimum parallel work: below this many elements the passes run on the caller's thread.
inline constexpr std::size_t kParallelThreshold = std::size_t(1) << 12;

// Runs body(begin, end) over [0, count) in chunks handed out dynamically (about eight
// per worker, so that a worker slowed down by other load on a shared machine does not
// hold up the pass); on the caller's thread alone when `parallel` is false.
void for_each_chunk(std::size_t count, bool parallel, const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace verdict::poly::detail
