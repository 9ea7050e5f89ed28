#pragma once
// Many affine additions P_i + Q_i with one shared field inversion (Montgomery's
// trick): the kernel of the MSM's bucket accumulation. Internal to snark/curve.
//
//   lambda_i = (y2_i - y1_i) / (x2_i - x1_i)
//   x3_i = lambda_i^2 - x1_i - x2_i,  y3_i = lambda_i (x1_i - x3_i) - y1_i
//
// Over Fq with AVX-512 IFMA the additions run eight lanes at a time (four
// interleaved chains of prefix products, 6 vector products per addition); otherwise,
// and over Fq2, a scalar loop. The IFMA product computes a b / T with T = 2^260 =
// 16 R, so the kernel tracks scales instead of converting data: prefix products A_k
// are scaled by T^-k; the lane totals are inverted in scalar arithmetic as 16 / tau
// (tau the total's value), which makes every backward-pass inverse equal to
// T R / (x2 - x1) in raw integers; then (y2 - y1) * inv = R lambda, Fq's own
// representation, and the two products of R-form values that follow
// (lambda^2 and lambda (x1 - x3)) are 1/16 off, which ifma8::times16 restores with
// integer operations only.

#include <cstddef>
#include <memory>

namespace verdict::curve::detail {

// Working memory of batch_affine_add, kept by the caller across calls: a batch needs
// a few hundred KB, and fresh allocations of that size cost page faults every time.
class BatchAffineScratch {
 public:
  BatchAffineScratch();
  ~BatchAffineScratch();
  BatchAffineScratch(BatchAffineScratch&&) noexcept;
  BatchAffineScratch& operator=(BatchAffineScratch&&) noexcept;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// (x1[i], y1[i]) += (x2[i], y2[i]) for i < m, overwriting x1, y1. Requires every
// coordinate canonical and x1[i] != x2[i] (no doublings, no P + (-P)). With
// allow_simd false the scalar loop runs even where the vector kernel exists (tests).
template <class Base>
void batch_affine_add(std::size_t m, Base* x1, Base* y1, const Base* x2, const Base* y2, BatchAffineScratch& scratch,
                      bool allow_simd = true);

}  // namespace verdict::curve::detail
