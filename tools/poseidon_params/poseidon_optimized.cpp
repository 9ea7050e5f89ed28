#include "tools/poseidon_params/poseidon_optimized.hpp"

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace verdict::poseidon_params {

using field::Fr;

namespace {

using Vec = std::vector<Fr>;
using Mat = std::vector<Vec>;  // rows

Mat identity(std::size_t n) {
  Mat m(n, Vec(n));
  for (std::size_t i = 0; i < n; ++i) m[i][i] = Fr::one();
  return m;
}

// Gauss-Jordan. The matrices inverted here (a Cauchy matrix and its square submatrices)
// are invertible by construction; a singular one is a bug in the generator.
Mat invert(Mat a) {
  const std::size_t n = a.size();
  Mat inv = identity(n);
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    while (pivot < n && a[pivot][col].is_zero()) ++pivot;
    if (pivot == n) {
      std::fprintf(stderr, "poseidon_params: singular matrix\n");
      std::abort();
    }
    std::swap(a[pivot], a[col]);
    std::swap(inv[pivot], inv[col]);
    const Fr s = a[col][col].inverse();
    for (std::size_t j = 0; j < n; ++j) a[col][j] *= s, inv[col][j] *= s;
    for (std::size_t row = 0; row < n; ++row) {
      if (row == col) continue;
      const Fr f = a[row][col];
      for (std::size_t j = 0; j < n; ++j) a[row][j] -= f * a[col][j], inv[row][j] -= f * inv[col][j];
    }
  }
  return inv;
}

Vec mat_vec(const Mat& m, const Vec& x) {
  Vec y(m.size());
  for (std::size_t i = 0; i < m.size(); ++i)
    for (std::size_t j = 0; j < x.size(); ++j) y[i] += m[i][j] * x[j];
  return y;
}

Vec vec_mat(const Vec& x, const Mat& m) {  // x^T m
  Vec y(m[0].size());
  for (std::size_t j = 0; j < y.size(); ++j)
    for (std::size_t i = 0; i < x.size(); ++i) y[j] += x[i] * m[i][j];
  return y;
}

Mat mat_mul(const Mat& a, const Mat& b) {
  Mat c(a.size(), Vec(b[0].size()));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < b.size(); ++k)
      for (std::size_t j = 0; j < b[0].size(); ++j) c[i][j] += a[i][k] * b[k][j];
  return c;
}

}  // namespace

OptimizedPoseidon derive_optimized_form(const PoseidonConstants& pc) {
  const std::size_t t = pc.instance.width;
  const std::size_t half = pc.instance.full_rounds / 2;
  const std::size_t rp = pc.instance.partial_rounds;
  const std::size_t rounds = pc.instance.full_rounds + rp;
  assert(pc.round_constants.size() == rounds * t && pc.mds.size() == t * t);

  Mat m(t, Vec(t));
  for (std::size_t i = 0; i < t; ++i)
    for (std::size_t j = 0; j < t; ++j) m[i][j] = Fr::from_canonical_unchecked(pc.mds[i * t + j]);
  const Mat m_inv = invert(m);
  auto constants = [&](std::size_t k) {
    Vec c(t);
    for (std::size_t i = 0; i < t; ++i) c[i] = Fr::from_canonical_unchecked(pc.round_constants[k * t + i]);
    return c;
  };

  OptimizedPoseidon out;
  out.instance = pc.instance;

  // (1) constants.
  out.initial = constants(0);
  std::vector<Vec> d(rounds, Vec(t));
  for (std::size_t k = 0; k + 1 < rounds; ++k) d[k] = mat_vec(m_inv, constants(k + 1));
  for (std::size_t k = half + rp - 1; k >= half; --k) {
    Vec rest = d[k];
    rest[0] = Fr::zero();
    for (std::size_t i = 1; i < t; ++i) d[k][i] = Fr::zero();
    const Vec back = mat_vec(m_inv, rest);
    for (std::size_t i = 0; i < t; ++i) d[k - 1][i] += back[i];
  }
  for (std::size_t k = 0; k < half; ++k) out.full_first.insert(out.full_first.end(), d[k].begin(), d[k].end());
  for (std::size_t r = 0; r < rp; ++r) out.partial.push_back(d[half + r][0]);
  for (std::size_t k = half + rp; k + 1 < rounds; ++k) out.full_last.insert(out.full_last.end(), d[k].begin(), d[k].end());
  assert(d[rounds - 1] == Vec(t));

  // (2) sparse matrices.
  const std::size_t h = t - 1;
  Mat mh(h, Vec(h));
  for (std::size_t i = 0; i < h; ++i)
    for (std::size_t j = 0; j < h; ++j) mh[i][j] = m[i + 1][j + 1];
  const Mat mh_inv = invert(mh);
  Vec w(h), v(h);
  for (std::size_t i = 0; i < h; ++i) w[i] = m[i + 1][0], v[i] = m[0][i + 1];
  v = vec_mat(v, mh_inv);  // k = 1: v^T Mh^-1, w = Mh^0 w
  std::vector<Vec> sparse(rp);
  Mat power = identity(h);  // Mh^R_P after the loop
  for (std::size_t r = rp; r-- > 0;) {
    Vec& row = sparse[r];
    row.push_back(m[0][0]);
    row.insert(row.end(), v.begin(), v.end());
    row.insert(row.end(), w.begin(), w.end());
    w = mat_vec(mh, w);
    v = vec_mat(v, mh_inv);
    power = mat_mul(mh, power);
  }
  for (const Vec& row : sparse) out.sparse.insert(out.sparse.end(), row.begin(), row.end());

  for (std::size_t i = 0; i < t; ++i) out.mds.insert(out.mds.end(), m[i].begin(), m[i].end());
  // pre_sparse_mds = diag(1, Mh^R_P) M.
  Mat lower(h);
  for (std::size_t i = 0; i < h; ++i) lower[i] = m[i + 1];
  lower = mat_mul(power, lower);
  out.pre_sparse_mds.insert(out.pre_sparse_mds.end(), m[0].begin(), m[0].end());
  for (const Vec& row : lower) out.pre_sparse_mds.insert(out.pre_sparse_mds.end(), row.begin(), row.end());
  return out;
}

}  // namespace verdict::poseidon_params
