#include "snark/poly/evaluation_domain.hpp"

#include <string>

namespace verdict::poly {

Result<EvaluationDomain> EvaluationDomain::create(unsigned log_size) {
  if (log_size > kMaxLogSize) {
    return Error{"evaluation domain of size 2^" + std::to_string(log_size) + " exceeds Fr's 2-adicity (2^" +
                 std::to_string(kMaxLogSize) + ")"};
  }
  EvaluationDomain d;
  d.plan_ = std::make_shared<const detail::NttPlan>(detail::NttPlan::build(log_size, coset_shift()));
  d.omega_ = Fr::root_of_unity(log_size);
  d.omega_inv_ = d.omega_.inverse();
  d.size_inv_ = Fr::from_u64(std::uint64_t(1) << log_size).inverse();
  return d;
}

Result<EvaluationDomain> EvaluationDomain::with_min_size(std::size_t min_size) {
  unsigned k = 0;
  while (k <= kMaxLogSize && (std::size_t(1) << k) < min_size) ++k;
  if (k > kMaxLogSize) {
    return Error{"no evaluation domain holds " + std::to_string(min_size) + " points (the largest has 2^" +
                 std::to_string(kMaxLogSize) + ")"};
  }
  return create(k);
}

Fr EvaluationDomain::coset_shift_inv() {
  static constexpr Fr kInv = Fr::from_u64(kCosetShift).inverse();
  return kInv;
}

Fr EvaluationDomain::element(std::size_t i) const { return omega_.pow(std::uint64_t(i & (size() - 1))); }

}  // namespace verdict::poly
