#include "snark/poly/vanishing.hpp"

#include <algorithm>
#include <atomic>
#include <string>

#include "base/parallel.hpp"
#include "snark/field/batch_inverse.hpp"

namespace verdict::poly {

namespace {
constexpr std::size_t kParallelGrain = std::size_t(1) << 14;
}

Fr vanishing_at(const EvaluationDomain& domain, const Fr& z) { return z.pow(std::uint64_t(domain.size())) - Fr::one(); }

Result<Fr> vanishing_inverse_at(const EvaluationDomain& domain, const Fr& z) {
  const Fr v = vanishing_at(domain, z);
  if (v.is_zero()) {
    return Error{"vanishing_inverse_at: the point is in the domain of size " + std::to_string(domain.size()) +
                 " (Z_H = 0)"};
  }
  return v.inverse();
}

Result<std::vector<Fr>> divide_by_vanishing(std::span<const Fr> f, const EvaluationDomain& domain) {
  const std::size_t n = domain.size(), m = f.size();
  // f = q (X^n - 1) + r: f[j] = q[j - n] - q[j] (+ r[j] for j < n), so from the top
  // q[j - n] = f[j] + q[j] (q[j] = 0 for j >= m - n) and r[j] = f[j] + q[j].
  std::vector<Fr> q(m > n ? m - n : 0, Fr::zero());
  // Blocks of n indices j, from the top: within a block every j is independent.
  for (std::size_t top = m; top > n;) {
    const std::size_t lo = top - std::min(n, top - n);  // block [lo, top), lo >= n
    parallel_for(top - lo, kParallelGrain, [&](std::size_t begin, std::size_t end) {
      for (std::size_t j = lo + begin; j < lo + end; ++j) q[j - n] = f[j] + (j < q.size() ? q[j] : Fr::zero());
    });
    top = lo;
  }
  // The remainder must vanish.
  const std::size_t rlen = std::min(n, m);
  std::atomic<bool> nonzero{false};
  parallel_for(rlen, kParallelGrain, [&](std::size_t begin, std::size_t end) {
    bool any = false;
    for (std::size_t j = begin; j < end; ++j) any |= !(f[j] + (j < q.size() ? q[j] : Fr::zero())).is_zero();
    if (any) nonzero.store(true, std::memory_order_relaxed);
  });
  if (nonzero.load()) {
    return Error{"divide_by_vanishing: polynomial is not divisible by X^" + std::to_string(n) + " - 1"};
  }
  return q;
}

Result<std::vector<Fr>> vanishing_inverses_on_coset(const EvaluationDomain& base, const EvaluationDomain& extended) {
  if (extended.log_size() < base.log_size()) {
    return Error{"vanishing_inverses_on_coset: extended domain 2^" + std::to_string(extended.log_size()) +
                 " is smaller than the base domain 2^" + std::to_string(base.log_size())};
  }
  const unsigned e = extended.log_size() - base.log_size();
  const std::size_t count = std::size_t(1) << e;
  // Z_H(g w'^i) = g^n w_e^i - 1 with w_e = w'^n = omega_e.
  const Fr gn = EvaluationDomain::coset_shift().pow(std::uint64_t(base.size()));
  const Fr we = Fr::root_of_unity(e);
  std::vector<Fr> values(count);
  Fr acc = gn;
  for (std::size_t i = 0; i < count; ++i) {
    values[i] = acc - Fr::one();
    acc *= we;
  }
  field::batch_inverse<Fr>(values);
  return values;
}

Status divide_by_vanishing_on_coset(std::span<Fr> evals, const EvaluationDomain& base,
                                    const EvaluationDomain& extended, EvalOrder order) {
  if (evals.size() != extended.size()) {
    return Error{"divide_by_vanishing_on_coset: " + std::to_string(evals.size()) +
                 " evaluations for an extended domain of " + std::to_string(extended.size())};
  }
  auto inv = vanishing_inverses_on_coset(base, extended);
  if (!inv.ok()) return inv.error();
  const std::vector<Fr>& z = *inv;
  const std::size_t mask = z.size() - 1;
  const unsigned k = extended.log_size(), e = unsigned(extended.log_size() - base.log_size());
  parallel_for(evals.size(), kParallelGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t pos = begin; pos < end; ++pos) {
      // Natural: point index i = pos. Bit-reversed: i = bitrev_k(pos), and i mod 2^e is
      // the top e bits of pos, reversed.
      std::size_t idx;
      if (order == EvalOrder::kNatural) {
        idx = pos & mask;
      } else {
        const std::size_t top = e == 0 ? 0 : pos >> (k - e);
        idx = 0;
        for (unsigned b = 0; b < e; ++b) idx |= ((top >> b) & 1) << (e - 1 - b);
      }
      evals[pos] *= z[idx];
    }
  });
  return Status::ok_status();
}

}  // namespace verdict::poly
