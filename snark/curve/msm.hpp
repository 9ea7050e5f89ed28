#pragma once
// Multi-scalar multiplication sum_i k_i * P_i over G1 or G2.
//
// Algorithm (Pippenger's bucket method):
//   1. Scalars are split into w windows of c bits and recoded into signed digits in
//      [-2^(c-1), 2^(c-1)], so each window needs only 2^(c-1) buckets and a negative
//      digit adds -P (free to compute).
//   2. Each window accumulates its points into buckets with batch-affine additions:
//      additions to distinct buckets are grouped, their slope denominators inverted
//      together (Montgomery's trick, one field inversion per batch), so an addition
//      costs about 6 multiplications instead of 11 for a mixed Jacobian one. An
//      addition whose bucket is already in the current batch waits in a queue;
//      doubling and P + (-P) are handled as the special cases they are.
//   3. Each window's buckets are summed as sum_b (b+1) * B_b with two running sums,
//      and the windows combined by c doublings each.
// Windows are independent tasks spread over all cores (base/parallel.hpp).
//
// Variable time: memory access patterns and branches depend on the scalars. Provers
// call it on secret witness scalars, as every Pippenger-based prover does; the time it
// takes depends on the scalars' digit distribution only, which for blinded witnesses
// is close to uniform. It is named _vartime so that this is visible at every call.

#include <span>

#include "snark/curve/g1.hpp"
#include "snark/curve/g2.hpp"

namespace verdict::curve {

// Requires bases.size() == scalars.size(). Bases may repeat, be the identity, or be
// negatives of each other; scalars may be any Fr (0 and r-1 included).
G1 msm_vartime(std::span<const G1Affine> bases, std::span<const Fr> scalars);
G2 msm_vartime(std::span<const G2Affine> bases, std::span<const Fr> scalars);

// The same with an explicit window width c in [2, 24] (for benchmarks and tests).
G1 msm_vartime_window(std::span<const G1Affine> bases, std::span<const Fr> scalars, unsigned c);

// The window width msm_vartime picks for n points.
unsigned msm_default_window(std::size_t n);

}  // namespace verdict::curve
