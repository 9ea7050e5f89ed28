#include "snark/curve/batch_affine.hpp"

#include <type_traits>
#include <vector>

#include "snark/field/batch_inverse.hpp"
#include "snark/field/fq.hpp"
#include "snark/field/fq2.hpp"
#include "snark/field/ifma8.hpp"

namespace verdict::curve::detail {

struct BatchAffineScratch::Impl {
  std::vector<field::Fq> prefix_fq;
  std::vector<field::Fq2> prefix_fq2;
#ifdef VERDICT_HAVE_IFMA8
  std::vector<field::ifma8::Vec8> d, n, a;
#endif
  template <class Base>
  std::vector<Base>& prefix() {
    if constexpr (std::is_same_v<Base, field::Fq>) {
      return prefix_fq;
    } else {
      return prefix_fq2;
    }
  }
};

BatchAffineScratch::BatchAffineScratch() : impl_(std::make_unique<Impl>()) {}
BatchAffineScratch::~BatchAffineScratch() = default;
BatchAffineScratch::BatchAffineScratch(BatchAffineScratch&&) noexcept = default;
BatchAffineScratch& BatchAffineScratch::operator=(BatchAffineScratch&&) noexcept = default;

namespace {

template <class Base>
void scalar_batch_add(std::size_t m, Base* x1, Base* y1, const Base* x2, const Base* y2, std::vector<Base>& prefix) {
  if (m == 0) return;
  prefix.resize(m);
  Base acc = Base::one();
  for (std::size_t i = 0; i < m; ++i) {
    prefix[i] = acc;
    acc *= x2[i] - x1[i];
  }
  Base inv = acc.inverse();
  for (std::size_t i = m; i-- > 0;) {
    Base den = x2[i] - x1[i];
    Base den_inv = inv * prefix[i];
    inv *= den;
    Base lambda = (y2[i] - y1[i]) * den_inv;
    Base x3 = lambda.square() - x1[i] - x2[i];
    y1[i] = lambda * (x1[i] - x3) - y1[i];
    x1[i] = x3;
  }
}

#ifdef VERDICT_HAVE_IFMA8
using field::Fq;
namespace v = field::ifma8;

// Independent prefix-product chains (each 8 lanes), and how many vectors the final
// pass works on at once: enough independent multiplications in flight to cover the
// ~160-cycle latency of one (throughput is one VPMADD52 per cycle).
constexpr std::size_t kChains = 4;
constexpr std::size_t kLanes = 8 * kChains;

// Requires m a multiple of kLanes.
void ifma_batch_add(std::size_t m, Fq* x1, Fq* y1, const Fq* x2, const Fq* y2, BatchAffineScratch::Impl& s) {
  const std::size_t vecs = m / 8;
  if (s.d.size() < vecs) s.d.resize(vecs), s.n.resize(vecs), s.a.resize(vecs);
  std::vector<v::Vec8>& d = s.d;
  std::vector<v::Vec8>& n = s.n;
  std::vector<v::Vec8>& a = s.a;
  for (std::size_t k = 0; k < vecs; ++k) {
    d[k] = v::sub<Fq>(v::load(x2 + 8 * k), v::load(x1 + 8 * k));
    n[k] = v::sub<Fq>(v::load(y2 + 8 * k), v::load(y1 + 8 * k));
  }
  // Prefix products, chain c = k mod kChains: a[k] = a[k - kChains] * d[k] / T.
  for (std::size_t k = 0; k < kChains; ++k) a[k] = d[k];
  for (std::size_t k = kChains; k < vecs; ++k) a[k] = v::mul<Fq>(a[k - kChains], d[k]);
  // Invert the chain totals (the last kChains vectors) in scalar arithmetic: raw t ->
  // raw T R / t, which is the value 16 / tau for tau the value with Montgomery limbs t.
  Fq totals[kLanes];
  for (std::size_t c = 0; c < kChains; ++c) {
    std::size_t k = vecs - kChains + c;
    v::store(totals + 8 * (k % kChains), v::reduce_2p<Fq>(a[k]));
  }
  field::batch_inverse<Fq>(std::span<Fq>(totals, kLanes));
  const Fq k16 = Fq::from_u64(16);
  for (Fq& t : totals) t *= k16;
  v::Vec8 chain[kChains];
  for (std::size_t c = 0; c < kChains; ++c) chain[c] = v::load(totals + 8 * c);
  // Backward: inv_k = T R / d_k (raw), stored over a[k] (no longer needed).
  for (std::size_t k = vecs; k-- > 0;) {
    v::Vec8& ch = chain[k % kChains];
    if (k >= kChains) {
      v::Vec8 inv = v::mul<Fq>(ch, a[k - kChains]);
      ch = v::mul<Fq>(ch, d[k]);
      a[k] = inv;
    } else {
      a[k] = ch;
    }
  }
  // Slopes and coordinates, two vectors at a time: two independent multiplications
  // in flight cover most of the latency, and their operands still fit the 32 vector
  // registers (more interleaving spilled to the stack and ran slower).
  //   lambda_R = n * inv / T = R lambda (R-form);
  //   lambda_R^2 / T = R lambda^2 / 16, and times16 restores R lambda^2;
  //   lambda_R (x1 - x3) R / T likewise needs times16.
  for (std::size_t k = 0; k < vecs; k += 2) {
    v::Vec8 l0 = v::mul<Fq>(n[k], a[k]), l1 = v::mul<Fq>(n[k + 1], a[k + 1]);
    v::Vec8 q0 = v::mul<Fq>(l0, l0), q1 = v::mul<Fq>(l1, l1);
    v::Vec8 xa0 = v::load(x1 + 8 * k), xa1 = v::load(x1 + 8 * k + 8);
    v::Vec8 x30 = v::sub<Fq>(v::sub<Fq>(v::times16<Fq>(q0), xa0), v::load(x2 + 8 * k));
    v::Vec8 x31 = v::sub<Fq>(v::sub<Fq>(v::times16<Fq>(q1), xa1), v::load(x2 + 8 * k + 8));
    v::Vec8 t0 = v::mul<Fq>(l0, v::sub<Fq>(xa0, x30)), t1 = v::mul<Fq>(l1, v::sub<Fq>(xa1, x31));
    v::store(x1 + 8 * k, x30);
    v::store(x1 + 8 * k + 8, x31);
    v::store(y1 + 8 * k, v::sub<Fq>(v::times16<Fq>(t0), v::load(y1 + 8 * k)));
    v::store(y1 + 8 * k + 8, v::sub<Fq>(v::times16<Fq>(t1), v::load(y1 + 8 * k + 8)));
  }
}
#endif

}  // namespace

template <class Base>
void batch_affine_add(std::size_t m, Base* x1, Base* y1, const Base* x2, const Base* y2, BatchAffineScratch& scratch,
                      bool allow_simd) {
  auto& s = scratch.impl();
#ifdef VERDICT_HAVE_IFMA8
  if constexpr (std::is_same_v<Base, field::Fq>) {
    if (allow_simd && m >= 2 * kLanes) {
      std::size_t vec_m = m - m % kLanes;
      ifma_batch_add(vec_m, x1, y1, x2, y2, s);
      scalar_batch_add(m - vec_m, x1 + vec_m, y1 + vec_m, x2 + vec_m, y2 + vec_m, s.prefix<Base>());
      return;
    }
  }
#endif
  (void)allow_simd;
  scalar_batch_add(m, x1, y1, x2, y2, s.prefix<Base>());
}

template void batch_affine_add<field::Fq>(std::size_t, field::Fq*, field::Fq*, const field::Fq*, const field::Fq*,
                                          BatchAffineScratch&, bool);
template void batch_affine_add<field::Fq2>(std::size_t, field::Fq2*, field::Fq2*, const field::Fq2*, const field::Fq2*,
                                           BatchAffineScratch&, bool);

}  // namespace verdict::curve::detail
