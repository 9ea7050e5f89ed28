#pragma once
// EvaluationDomain: the multiplicative subgroup H = {omega^i : 0 <= i < n} of Fr*,
// n = 2^k with 0 <= k <= 28 (Fr's 2-adicity), and the coset g H.
//
//   omega = Fr::root_of_unity(k) = 5^((r - 1) / 2^k), the snarkjs/ffjavascript
//           convention, so omega_k^2 = omega_{k-1} and Lagrange SRS points from .ptau
//           files line up with these domains.
//   g     = kCosetShift = 7, a generator of Fr* (the halo2curves
//           MULTIPLICATIVE_GENERATOR of bn256::Fr). It is a quadratic non-residue, so
//           g^(2^28) != 1: g is in no 2-power subgroup and g H' is disjoint from H for
//           every domain H, H' (in particular Z_H(g x) = g^n - 1 != 0 for x in any H').
//           It is a constant of the type, so prover and verifier cannot disagree.
//
// A domain owns the NTT tables of its size (twiddles and coset scale factors; see
// ntt_plan.hpp): O(sqrt(n) log n) elements, about 1.8 MiB at 2^20 and 18 MiB at 2^26,
// shared (immutably, thread-safely) between copies of the domain. Building them costs
// O(k sqrt(n)) field multiplications (~50 ms at 2^26 on the 2-core dev VM).

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/result.hpp"
#include "snark/field/fr.hpp"
#include "snark/poly/ntt_plan.hpp"

namespace verdict::poly {

using field::Fr;

class EvaluationDomain {
 public:
  static constexpr unsigned kMaxLogSize = Fr::kTwoAdicity;  // 28
  static constexpr std::uint64_t kCosetShift = 7;

  // The domain of size 2^log_size; an Error when log_size > kMaxLogSize.
  static Result<EvaluationDomain> create(unsigned log_size);
  // The smallest domain with at least min_size elements (min_size 0 gives size 1).
  static Result<EvaluationDomain> with_min_size(std::size_t min_size);

  unsigned log_size() const { return plan_->k; }
  std::size_t size() const { return plan_->n; }
  const Fr& omega() const { return omega_; }
  const Fr& omega_inv() const { return omega_inv_; }
  const Fr& size_inv() const { return size_inv_; }  // 1 / n
  static Fr coset_shift() { return Fr::from_u64(kCosetShift); }
  static Fr coset_shift_inv();

  // omega^i for any i (reduced mod n).
  Fr element(std::size_t i) const;

  // Internal: the NTT tables (for snark/poly's transforms).
  const detail::NttPlan& plan() const { return *plan_; }

 private:
  EvaluationDomain() = default;
  std::shared_ptr<const detail::NttPlan> plan_;
  Fr omega_, omega_inv_, size_inv_;
};

}  // namespace verdict::poly
