#include "snark/poly/polynomial.hpp"

#include <algorithm>
#include <string>

#include "base/parallel.hpp"
#include "snark/poly/evaluation_domain.hpp"
#include "snark/poly/ntt.hpp"

namespace verdict::poly {

namespace {

constexpr std::size_t kParallelGrain = std::size_t(1) << 14;

Fr horner(std::span<const Fr> f, const Fr& x) {
  Fr acc = Fr::zero();
  for (std::size_t i = f.size(); i-- > 0;) acc = acc * x + f[i];
  return acc;
}

// out[i] = op(a[i] or 0, b[i] or 0) over max(|a|, |b|) entries, in parallel.
template <class Op>
std::vector<Fr> zip(std::span<const Fr> a, std::span<const Fr> b, Op op) {
  std::vector<Fr> out(std::max(a.size(), b.size()));
  parallel_for(out.size(), kParallelGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      out[i] = op(i < a.size() ? a[i] : Fr::zero(), i < b.size() ? b[i] : Fr::zero());
    }
  });
  return out;
}

template <class Op>
void zip_assign(std::vector<Fr>& a, std::span<const Fr> b, Op op) {
  if (a.size() < b.size()) a.resize(b.size(), Fr::zero());
  parallel_for(b.size(), kParallelGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) a[i] = op(a[i], b[i]);
  });
}

std::vector<Fr> mul_schoolbook(std::span<const Fr> a, std::span<const Fr> b) {
  std::vector<Fr> out(a.size() + b.size() - 1, Fr::zero());
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  }
  return out;
}

}  // namespace

Fr evaluate(std::span<const Fr> f, const Fr& x) {
  const std::size_t n = f.size();
  const std::size_t workers = worker_count();
  if (n < 2 * kParallelGrain || workers <= 1) return horner(f, x);
  // Chunk c covers [c L, (c + 1) L): f(x) = sum_c x^(c L) horner(chunk c).
  const std::size_t chunks = std::min(workers, n / kParallelGrain);
  const std::size_t len = (n + chunks - 1) / chunks;
  std::vector<Fr> partial(chunks);
  parallel_tasks(chunks, [&](std::size_t c) {
    const std::size_t begin = c * len, end = std::min(n, begin + len);
    partial[c] = begin < end ? horner(f.subspan(begin, end - begin), x) * x.pow(std::uint64_t(begin)) : Fr::zero();
  });
  Fr acc = Fr::zero();
  for (const Fr& p : partial) acc += p;
  return acc;
}

std::optional<std::size_t> degree_vartime(std::span<const Fr> f) {
  for (std::size_t i = f.size(); i-- > 0;) {
    if (!f[i].is_zero()) return i;
  }
  return std::nullopt;
}

void trim_vartime(std::vector<Fr>& f) {
  while (!f.empty() && f.back().is_zero()) f.pop_back();
}

std::vector<Fr> add(std::span<const Fr> a, std::span<const Fr> b) {
  return zip(a, b, [](const Fr& x, const Fr& y) { return x + y; });
}
std::vector<Fr> sub(std::span<const Fr> a, std::span<const Fr> b) {
  return zip(a, b, [](const Fr& x, const Fr& y) { return x - y; });
}
void add_assign(std::vector<Fr>& a, std::span<const Fr> b) {
  zip_assign(a, b, [](const Fr& x, const Fr& y) { return x + y; });
}
void sub_assign(std::vector<Fr>& a, std::span<const Fr> b) {
  zip_assign(a, b, [](const Fr& x, const Fr& y) { return x - y; });
}
void add_scaled_assign(std::vector<Fr>& a, const Fr& s, std::span<const Fr> b) {
  zip_assign(a, b, [&s](const Fr& x, const Fr& y) { return x + s * y; });
}

std::vector<Fr> scale(std::span<const Fr> f, const Fr& s) {
  std::vector<Fr> out(f.begin(), f.end());
  scale_assign(out, s);
  return out;
}
void scale_assign(std::span<Fr> f, const Fr& s) {
  parallel_for(f.size(), kParallelGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) f[i] *= s;
  });
}

Result<std::vector<Fr>> mul(std::span<const Fr> a, std::span<const Fr> b) {
  if (a.empty() || b.empty()) return std::vector<Fr>{};
  if (std::min(a.size(), b.size()) < kMulNttThreshold) return mul_schoolbook(a, b);
  const std::size_t size = a.size() + b.size() - 1;
  auto domain = EvaluationDomain::with_min_size(size);
  if (!domain.ok()) return domain.error().context("polynomial product of size " + std::to_string(size));
  const std::size_t n = domain->size();
  std::vector<Fr> fa(n, Fr::zero()), fb(n, Fr::zero());
  std::copy(a.begin(), a.end(), fa.begin());
  std::copy(b.begin(), b.end(), fb.begin());
  // Pointwise products do not care about the order of the evaluations.
  if (Status s = ntt_to_bitrev(*domain, fa); !s) return s.error();
  if (Status s = ntt_to_bitrev(*domain, fb); !s) return s.error();
  parallel_for(n, kParallelGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) fa[i] *= fb[i];
  });
  if (Status s = intt_from_bitrev(*domain, fa); !s) return s.error();
  fa.resize(size);
  return fa;
}

std::vector<Fr> divide_by_linear(std::span<const Fr> f, const Fr& z, Fr* remainder) {
  // q[i] = f[i + 1] + z q[i + 1] from the top (q[|f| - 1] = 0); f(z) = f[0] + z q[0].
  if (f.empty()) {
    if (remainder) *remainder = Fr::zero();
    return {};
  }
  std::vector<Fr> q(f.size() - 1);
  Fr carry = Fr::zero();
  for (std::size_t i = f.size() - 1; i > 0; --i) {
    carry = f[i] + z * carry;
    q[i - 1] = carry;
  }
  if (remainder) *remainder = f[0] + z * carry;
  return q;
}

std::vector<Fr> linear_combination(std::span<const std::span<const Fr>> polys, const Fr& challenge) {
  std::size_t size = 0;
  for (const auto& p : polys) size = std::max(size, p.size());
  std::vector<Fr> powers(polys.size());
  Fr acc = Fr::one();
  for (auto& pw : powers) {
    pw = acc;
    acc *= challenge;
  }
  std::vector<Fr> out(size, Fr::zero());
  parallel_for(size, kParallelGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = 0; k < polys.size(); ++k) {
      const auto& p = polys[k];
      const std::size_t stop = std::min(end, p.size());
      if (k == 0) {
        for (std::size_t i = begin; i < stop; ++i) out[i] += p[i];
      } else {
        for (std::size_t i = begin; i < stop; ++i) out[i] += powers[k] * p[i];
      }
    }
  });
  return out;
}

Fr linear_combination(std::span<const Fr> values, const Fr& challenge) {
  // Horner from the top: (((v[m-1]) c + v[m-2]) c + ...) = sum_i c^i v[i].
  return horner(values, challenge);
}

}  // namespace verdict::poly
