#include "snark/poly/polynomial.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "base/parallel.hpp"
#include "snark/poly/evaluation_domain.hpp"
#include "snark/poly/ifma_field.hpp"
#include "snark/poly/ntt.hpp"

namespace verdict::poly {

namespace {

constexpr std::size_t kParallelGrain = std::size_t(1) << 14;

Fr horner_scalar(std::span<const Fr> f, const Fr& x) {
  Fr acc = Fr::zero();
  for (std::size_t i = f.size(); i-- > 0;) acc = acc * x + f[i];
  return acc;
}

#ifdef VERDICT_POLY_HAVE_IFMA
// sum_{j < 32 B} f[j] x^j for f.size() = 32 B, on 32 lanes: four F8 accumulators,
// acc_k lane l collecting S_{8k+l} = sum_s f[32 s + 8 k + l] (x^32)^s by Horner, so
// that the four independent chains hide the multiplication latency; then
// sum_j x^j S_j on the scalar side. acc < 3p throughout (a product < 2p plus a
// canonical coefficient), within mul's input bound.
Fr horner_ifma(std::span<const Fr> f, const Fr& x) {
  using ifma::F8;
  const std::size_t blocks = f.size() / 32;
  const F8 x32 = ifma::broadcast(detail::adjusted52(x.pow(32)));
  F8 acc[4];
  for (auto& a : acc) {
    for (auto& l : a.l) l = _mm512_setzero_si512();
  }
  for (std::size_t b = blocks; b-- > 0;) {
    const Fr* block = f.data() + 32 * b;
    for (int k = 0; k < 4; ++k) {
      F8 t = ifma::mul(acc[k], x32);
      const F8 c = ifma::load_contiguous(block + 8 * k);
      for (int i = 0; i < 5; ++i) t.l[i] = _mm512_add_epi64(t.l[i], c.l[i]);
      ifma::normalize(t);
      acc[k] = t;
    }
  }
  std::array<Fr, 32> sums;
  for (int k = 0; k < 4; ++k) ifma::store_contiguous(sums.data() + 8 * k, ifma::reduce_canonical(acc[k]));
  return horner_scalar(sums, x);
}
#endif

Fr horner(std::span<const Fr> f, const Fr& x) {
#ifdef VERDICT_POLY_HAVE_IFMA
  if (f.size() >= 64) {
    // Low 32 B coefficients on the vector path, the rest (< 32) times x^(32 B).
    const std::size_t main = f.size() / 32 * 32;
    const Fr low = horner_ifma(f.first(main), x);
    return low + horner_scalar(f.subspan(main), x) * x.pow(std::uint64_t(main));
  }
#endif
  return horner_scalar(f, x);
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
  if (n < 4 * kParallelGrain || workers <= 1) return horner(f, x);
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

#ifdef VERDICT_POLY_HAVE_IFMA
namespace {

// Synthetic division of the top part q[base, base + 32 T L) on S = 32 T segments of
// length L (T tasks, each four F8 chains of eight lanes, lane l of chain v of task t
// holding segment j = 32 t + 8 v + l = [base + j L, base + (j + 1) L)):
//   pass 1: each segment runs q[i] = f[i + 1] + z q[i + 1] from its top with 0 coming
//           in, storing these local values;
//   carries: c_j = q[base + (j + 1) L] (the true value above segment j), from the top:
//           q[base + j L] = local + z^L c_j;
//   pass 2: q[base + j L + t] += z^(L - t) c_j.
// Returns q[base] (true value). Chains stay < 3p (a product < 2p plus a value < p).
Fr divide_top_ifma(std::span<const Fr> f, const Fr& z, std::span<Fr> q, std::size_t base, std::size_t len,
                   std::size_t tasks) {
  using ifma::F8;
  const std::size_t segments = 32 * tasks;
  const F8 zadj = ifma::broadcast(detail::adjusted52(z));
  auto zero8 = [] {
    F8 x;
    for (auto& l : x.l) l = _mm512_setzero_si512();
    return x;
  };
  parallel_tasks(tasks, [&](std::size_t task) {
    F8 acc[4] = {zero8(), zero8(), zero8(), zero8()};
    for (std::size_t t = len; t-- > 0;) {
      for (std::size_t v = 0; v < 4; ++v) {
        const std::size_t idx = base + (32 * task + 8 * v) * len + t;
        F8 x = ifma::mul(acc[v], zadj);
        const F8 c = ifma::load_strided(f.data() + idx + 1, len);
        for (int i = 0; i < 5; ++i) x.l[i] = _mm512_add_epi64(x.l[i], c.l[i]);
        ifma::normalize(x);
        acc[v] = x;
        ifma::store_strided(q.data() + idx, len, ifma::reduce_canonical(x));
      }
    }
  });
  std::vector<Fr> carry(segments);
  const Fr zl = z.pow(std::uint64_t(len));
  Fr c = Fr::zero();
  for (std::size_t j = segments; j-- > 0;) {
    carry[j] = c;
    c = q[base + j * len] + zl * c;
  }
  parallel_tasks(tasks, [&](std::size_t task) {
    F8 pw[4];
    for (std::size_t v = 0; v < 4; ++v) pw[v] = ifma::load_contiguous(carry.data() + 32 * task + 8 * v);
    for (std::size_t t = len; t-- > 0;) {
      for (std::size_t v = 0; v < 4; ++v) {
        const std::size_t idx = base + (32 * task + 8 * v) * len + t;
        pw[v] = ifma::mul(pw[v], zadj);
        F8 x = ifma::load_strided(q.data() + idx, len);
        for (int i = 0; i < 5; ++i) x.l[i] = _mm512_add_epi64(x.l[i], pw[v].l[i]);
        ifma::normalize(x);
        ifma::store_strided(q.data() + idx, len, ifma::reduce_canonical(x));
      }
    }
  });
  return c;
}

constexpr std::size_t kDivideIfmaThreshold = std::size_t(1) << 12;

}  // namespace
#endif

std::vector<Fr> divide_by_linear(std::span<const Fr> f, const Fr& z, Fr* remainder) {
  // q[i] = f[i + 1] + z q[i + 1] from the top (q[|f| - 1] = 0); f(z) = f[0] + z q[0].
  if (f.empty()) {
    if (remainder) *remainder = Fr::zero();
    return {};
  }
  const std::size_t m = f.size() - 1;
  std::vector<Fr> q(m);
  std::size_t top = m;  // q[top] is known (0 at the very top)
  Fr carry = Fr::zero();
#ifdef VERDICT_POLY_HAVE_IFMA
  if (m >= kDivideIfmaThreshold) {
    // Segments of at least 128 coefficients: tasks <= m / 4096.
    const std::size_t tasks = std::max<std::size_t>(1, std::min(worker_count(), m / kDivideIfmaThreshold));
    const std::size_t len = m / (32 * tasks);
    top = m - 32 * tasks * len;
    carry = divide_top_ifma(f, z, q, top, len, tasks);
  }
#endif
  for (std::size_t i = top; i > 0; --i) {
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
  return horner_scalar(values, challenge);
}

}  // namespace verdict::poly
