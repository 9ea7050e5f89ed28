#include "protocols/sizing/hoeffding.hpp"

#include <cmath>

#include "protocols/sizing/arguments.hpp"

namespace verdict::sizing {

Result<std::uint64_t> hoeffding_sample_size(double eps, double delta, Sides sides) {
  if (Status s = check_open_unit(eps, "eps"); !s) return s.error();
  if (Status s = check_open_unit(delta, "delta"); !s) return s.error();
  // exp(-2 eps^2 N) <= delta'  <=>  2 eps^2 N >= ln(1/delta').
  const double log_inv = -std::log(tail_delta(delta, sides));
  const double rate = 2 * eps * eps;
  auto n = checked_ceil(log_inv / rate, "Hoeffding");
  if (!n) return n;
  // The quotient may round across an integer: settle N on the inequality itself.
  std::uint64_t m = *n;
  while (m > 1 && rate * static_cast<double>(m - 1) >= log_inv) --m;
  while (rate * static_cast<double>(m) < log_inv) ++m;
  return m;
}

Result<double> hoeffding_margin(std::uint64_t n, double delta, Sides sides) {
  if (Status s = check_trials(n); !s) return s.error();
  if (Status s = check_open_unit(delta, "delta"); !s) return s.error();
  return std::sqrt(-std::log(tail_delta(delta, sides)) / (2 * static_cast<double>(n)));
}

Result<std::uint64_t> accuracy_test_sample_size(double eps, double delta) {
  return hoeffding_sample_size(eps, delta, Sides::kOne);
}

}  // namespace verdict::sizing
