#include "sim/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "protocols/sizing/clopper_pearson.hpp"

namespace verdict::sim {

Summary summarize(std::span<const double> xs) {
  Summary s;
  s.n = xs.size();
  if (xs.empty()) return s;
  double sum = 0;
  s.min = s.max = xs[0];
  for (double x : xs) {
    sum += x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
  }
  s.mean = sum / static_cast<double>(s.n);
  if (s.n > 1 && s.min != s.max) {
    double ss = 0;
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(s.n - 1));
  }
  return s;
}

double Summary::half_width(double confidence) const {
  if (n < 2 || sd == 0) return 0;
  boost::math::students_t t(static_cast<double>(n - 1));
  const double q = boost::math::quantile(boost::math::complement(t, (1 - confidence) / 2));
  return q * sd / std::sqrt(static_cast<double>(n));
}

void proportion_interval(const Proportion& x, double confidence, double& low, double& high) {
  low = 0;
  high = 1;
  if (x.n == 0) return;
  auto i = sizing::clopper_pearson_interval(x.k, x.n, 1 - confidence);
  if (!i.ok()) return;
  low = i->lower;
  high = i->upper;
}

}  // namespace verdict::sim
