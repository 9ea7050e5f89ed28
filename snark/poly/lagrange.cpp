#include "snark/poly/lagrange.hpp"

#include <algorithm>
#include <string>

#include "base/parallel.hpp"
#include "snark/field/batch_inverse.hpp"
#include "snark/poly/ntt.hpp"
#include "snark/poly/polynomial.hpp"
#include "snark/poly/vanishing.hpp"

namespace verdict::poly {

namespace {
constexpr std::size_t kParallelGrain = std::size_t(1) << 13;
}

std::vector<Fr> lagrange_basis_at(const EvaluationDomain& domain, const Fr& z) {
  const std::size_t n = domain.size();
  std::vector<Fr> out(n, Fr::zero());
  const Fr zn1 = vanishing_at(domain, z);
  if (zn1.is_zero()) {
    // z = w^j: the indicator of j.
    Fr w = Fr::one();
    for (std::size_t i = 0; i < n; ++i, w *= domain.omega()) {
      if (w == z) {
        out[i] = Fr::one();
        break;
      }
    }
    return out;
  }
  // L_i(z) = c / (z w^-i - 1) with c = (z^n - 1) / n. Per chunk: d_i = z w^-i - 1
  // (one multiplication each), then a batch inversion of the chunk whose running
  // inverse starts at c / prod d_i, so each output is c / d_i directly.
  const Fr c = zn1 * domain.size_inv();
  parallel_for(n, kParallelGrain, [&](std::size_t begin, std::size_t end) {
    // prefix[i] = d_begin ... d_{i-1}, kept in out[]; d_i recomputed on the way back.
    std::vector<Fr> d(end - begin);
    Fr x = z * domain.omega_inv().pow(std::uint64_t(begin));  // z w^-begin
    for (std::size_t i = 0; i < d.size(); ++i, x *= domain.omega_inv()) d[i] = x - Fr::one();
    Fr acc = Fr::one();
    for (std::size_t i = 0; i < d.size(); ++i) {
      out[begin + i] = acc;
      acc *= d[i];
    }
    // d_i != 0 since z is not in H.
    Fr inv = c * acc.inverse();
    for (std::size_t i = d.size(); i-- > 0;) {
      out[begin + i] *= inv;
      inv *= d[i];
    }
  });
  return out;
}

Fr lagrange_at(const EvaluationDomain& domain, std::size_t i, const Fr& z) {
  const Fr wi = domain.element(i);
  const Fr zn1 = vanishing_at(domain, z);
  if (zn1.is_zero()) return z == wi ? Fr::one() : Fr::zero();
  // w^i (z^n - 1) / (n (z - w^i))
  return wi * zn1 * (Fr::from_u64(domain.size()) * (z - wi)).inverse();
}

Fr lagrange_first_at(const EvaluationDomain& domain, const Fr& z) { return lagrange_at(domain, 0, z); }

Result<Fr> evaluate_from_evaluations(const EvaluationDomain& domain, std::span<const Fr> evals, const Fr& z) {
  if (evals.size() != domain.size()) {
    return Error{"evaluate_from_evaluations: " + std::to_string(evals.size()) + " evaluations for a domain of " +
                 std::to_string(domain.size())};
  }
  const std::vector<Fr> basis = lagrange_basis_at(domain, z);
  Fr acc = Fr::zero();
  for (std::size_t i = 0; i < basis.size(); ++i) acc += basis[i] * evals[i];
  return acc;
}

Result<std::vector<Fr>> interpolate(const EvaluationDomain& domain, std::span<const Fr> evals) {
  std::vector<Fr> coeffs(evals.begin(), evals.end());
  if (Status s = intt(domain, coeffs); !s) return s.error().context("interpolate");
  return coeffs;
}

Result<std::vector<Fr>> interpolate_points(std::span<const Fr> xs, std::span<const Fr> ys) {
  if (xs.size() != ys.size()) {
    return Error{"interpolate_points: " + std::to_string(xs.size()) + " x values but " + std::to_string(ys.size()) +
                 " y values"};
  }
  const std::size_t m = xs.size();
  if (m == 0) return std::vector<Fr>{};
  // Z(X) = prod (X - x_i), m + 1 coefficients.
  std::vector<Fr> zpoly(m + 1, Fr::zero());
  zpoly[0] = Fr::one();
  for (std::size_t i = 0; i < m; ++i) {
    // multiply the first i + 1 coefficients by (X - x_i)
    for (std::size_t j = i + 1; j > 0; --j) zpoly[j] = zpoly[j - 1] - xs[i] * zpoly[j];
    zpoly[0] = -(xs[i] * zpoly[0]);
  }
  // Z_i = Z / (X - x_i) and d_i = Z_i(x_i) = prod_{j != i} (x_i - x_j).
  std::vector<std::vector<Fr>> zi(m);
  std::vector<Fr> d(m);
  for (std::size_t i = 0; i < m; ++i) {
    zi[i] = divide_by_linear(zpoly, xs[i]);
    d[i] = evaluate(zi[i], xs[i]);
    if (d[i].is_zero()) return Error{"interpolate_points: x value " + std::to_string(i) + " is repeated"};
  }
  field::batch_inverse<Fr>(d);
  std::vector<Fr> out(m, Fr::zero());
  for (std::size_t i = 0; i < m; ++i) {
    const Fr w = ys[i] * d[i];
    for (std::size_t j = 0; j < m; ++j) out[j] += w * zi[i][j];
  }
  return out;
}

}  // namespace verdict::poly
