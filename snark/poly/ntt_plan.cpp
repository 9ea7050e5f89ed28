#include "snark/poly/ntt_plan.hpp"

#include <cassert>

namespace verdict::poly::detail {

namespace {

// base^0, ..., base^(count-1).
std::vector<Fr> powers(const Fr& base, std::size_t count, const Fr& first = Fr::one()) {
  std::vector<Fr> out(count);
  Fr acc = first;
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = acc;
    acc *= base;
  }
  return out;
}

std::vector<Limbs52> adjusted(const std::vector<Fr>& values) {
  std::vector<Limbs52> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = adjusted52(values[i]);
  return out;
}

// Groups of eight consecutive entries of `values` (size a multiple of 8) limb-major.
std::vector<Lane8x5> lanes(const std::vector<Fr>& values) {
  std::vector<Lane8x5> out(values.size() / 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    Limbs52 a = adjusted52(values[i]);
    for (int l = 0; l < 5; ++l) out[i / 8].l[l][i % 8] = a.l[l];
  }
  return out;
}

TwiddleSet twiddles(const NttPlan& p, const Fr& w) {
  // w is a primitive n-th root; w_{n1} = w^n2, w_{n2} = w^n1.
  TwiddleSet t;
  t.row = powers(w.pow(p.n2), p.n1 / 2);
  t.inner = powers(w.pow(p.n1), p.n2 / 2);
  t.col.reserve(std::size_t(p.k1) * p.n2);
  Fr step = w;  // w^(2^u)
  for (unsigned u = 0; u < p.k1; ++u) {
    std::vector<Fr> c = powers(step, p.n2);
    t.col.insert(t.col.end(), c.begin(), c.end());
    step = step.square();
  }
  t.row52 = adjusted(t.row);
  t.inner52 = adjusted(t.inner);
  if (p.n2 >= 8) t.col52 = lanes(t.col);
  return t;
}

ScaleSet row_col_scale(const NttPlan& p, const Fr& g, const Fr& first) {
  // s(i1 n2 + i2) = first * g^(i1 n2) * g^i2.
  ScaleSet s;
  s.row = powers(g.pow(p.n2), p.n1, first);
  s.col = powers(g, p.n2);
  s.row52 = adjusted(s.row);
  if (p.n2 >= 8) s.col52 = lanes(s.col);
  return s;
}

}  // namespace

Limbs52 adjusted52(const Fr& t) { return split52((Fr::from_u64(16) * t).montgomery_limbs()); }

NttPlan NttPlan::build(unsigned k, const Fr& coset_shift) {
  assert(k <= Fr::kTwoAdicity);
  NttPlan p;
  p.k = k;
  p.k1 = k / 2;
  p.k2 = k - p.k1;
  p.n = std::size_t(1) << k;
  p.n1 = std::size_t(1) << p.k1;
  p.n2 = std::size_t(1) << p.k2;
  const Fr w = Fr::root_of_unity(k);
  const Fr w_inv = w.inverse();
  const Fr n_inv = Fr::from_u64(p.n).inverse();
  p.forward = twiddles(p, w);
  p.inverse = twiddles(p, w_inv);
  p.coset_forward = row_col_scale(p, coset_shift, Fr::one());
  p.coset_inverse = row_col_scale(p, coset_shift.inverse(), n_inv);
  p.inverse_scale.uniform = true;
  p.inverse_scale.constant = n_inv;
  p.inverse_scale.constant52 = adjusted52(n_inv);
  return p;
}

std::size_t NttPlan::memory_bytes() const {
  auto bytes = [](const auto& v) { return v.size() * sizeof(v[0]); };
  std::size_t total = 0;
  for (const TwiddleSet* t : {&forward, &inverse}) {
    total += bytes(t->row) + bytes(t->inner) + bytes(t->col) + bytes(t->row52) + bytes(t->inner52) + bytes(t->col52);
  }
  for (const ScaleSet* s : {&coset_forward, &coset_inverse, &inverse_scale}) {
    total += bytes(s->row) + bytes(s->col) + bytes(s->row52) + bytes(s->col52);
  }
  return total;
}

}  // namespace verdict::poly::detail
