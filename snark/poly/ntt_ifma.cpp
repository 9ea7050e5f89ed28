// The AVX-512 IFMA NTT path: the column and row passes of ntt_plan.hpp on eight
// lanes at a time, values kept in the lazy 52-bit form of ifma_field.hpp inside each
// pass and written back (still lazily reduced, < 3p) between passes; the last pass
// writes canonical Fr elements.
//
// Column pass: lanes = 8 adjacent columns; the task's n1 x 8 block is loaded into a
// scratch buffer (n1 * 320 bytes), all k1 column stages run there, and it is stored.
// Row pass: lanes = 8 adjacent rows (each a contiguous run of n2 elements); the
// 8 x n2 block is gathered column by column into scratch (n2 * 320 bytes), the k2 row
// stages run with broadcast twiddles, and it is scattered back.
#include "snark/poly/ifma_field.hpp"
#include "snark/poly/ntt_kernels.hpp"

#ifdef VERDICT_POLY_HAVE_IFMA

#include <cassert>
#include <memory>

namespace verdict::poly::detail {

namespace {

using ifma::F8;

bool parallel(const NttPlan& p) { return p.n >= kParallelThreshold; }

inline void dif_bf(Lane8x5& U, Lane8x5& V, const F8& w) {
  const F8 u = ifma::load(U), v = ifma::load(V);
  ifma::store(U, ifma::add_lazy(u, v));
  ifma::store(V, ifma::mul(ifma::sub_for_mul(u, v), w));
}

inline void dit_bf(Lane8x5& U, Lane8x5& V, const F8& w) {
  const F8 u = ifma::load(U);
  const F8 t = ifma::mul(ifma::load(V), w);
  ifma::store(U, ifma::add_lazy(u, t));
  ifma::store(V, ifma::sub_lazy(u, t));
}

// The butterfly with twiddle 1 (j = 0 of every row stage), DIF and DIT alike:
// (u + v, u - v), no multiplication.
inline void unit_bf(Lane8x5& U, Lane8x5& V) {
  const F8 u = ifma::load(U), v = ifma::load(V);
  ifma::store(U, ifma::add_lazy(u, v));
  ifma::store(V, ifma::sub_reduced(u, v));
}

// The scale factors of row r, columns 8g .. 8g + 7.
inline F8 scale_factor(const ScaleSet& s, std::size_t r, std::size_t g) {
  if (s.uniform) return ifma::broadcast(s.constant52);
  return ifma::mul(ifma::broadcast(s.row52[r]), ifma::load(s.col52[g]));
}

// Column stage u (distance x = n1 / 2^(u+1) rows) on column group g held in s[0..n1).
template <bool kDif>
void column_stage(const NttPlan& p, const TwiddleSet& t, unsigned u, std::size_t g, Lane8x5* s) {
  const std::size_t n1 = p.n1, x = n1 >> (u + 1);
  const F8 col = ifma::load(t.col52[u * (p.n2 / 8) + g]);
  for (std::size_t r = 0; r < x; ++r) {
    const F8 w = r == 0 ? col : ifma::mul(ifma::broadcast(t.row52[r << u]), col);
    for (std::size_t blk = r; blk < n1; blk += 2 * x) {
      if constexpr (kDif) {
        dif_bf(s[blk], s[blk + x], w);
      } else {
        dit_bf(s[blk], s[blk + x], w);
      }
    }
  }
}

template <bool kDif>
void row_stages(const NttPlan& p, const TwiddleSet& t, Lane8x5* s) {
  const std::size_t n2 = p.n2;
  for (unsigned i = 0; i < p.k2; ++i) {
    // DIF runs distances n2/2, ..., 1; DIT the reverse.
    const std::size_t m = kDif ? (n2 >> (i + 1)) : (std::size_t(1) << i);
    const std::size_t step = n2 / (2 * m);
    for (std::size_t blk = 0; blk < n2; blk += 2 * m) unit_bf(s[blk], s[blk + m]);
    for (std::size_t j = 1; j < m; ++j) {
      const F8 w = ifma::broadcast(t.inner52[j * step]);
      for (std::size_t blk = j; blk < n2; blk += 2 * m) {
        if constexpr (kDif) {
          dif_bf(s[blk], s[blk + m], w);
        } else {
          dit_bf(s[blk], s[blk + m], w);
        }
      }
    }
  }
}

template <bool kDif>
void column_pass(const NttPlan& p, const TwiddleSet& t, const ScaleSet* scale, Fr* a) {
  const std::size_t groups = p.n2 / 8;
  for_each_chunk(groups, parallel(p), [&](std::size_t begin, std::size_t end) {
    const auto scratch = std::make_unique_for_overwrite<Lane8x5[]>(p.n1);
    Lane8x5* s = scratch.get();
    for (std::size_t g = begin; g < end; ++g) {
      Fr* base = a + 8 * g;
      for (std::size_t r = 0; r < p.n1; ++r) {
        F8 v = ifma::load_contiguous(base + r * p.n2);
        if (kDif && scale) v = ifma::mul(v, scale_factor(*scale, r, g));
        ifma::store(s[r], v);
      }
      if constexpr (kDif) {
        for (unsigned u = 0; u < p.k1; ++u) column_stage<true>(p, t, u, g, s);
      } else {
        for (unsigned u = p.k1; u-- > 0;) column_stage<false>(p, t, u, g, s);
      }
      for (std::size_t r = 0; r < p.n1; ++r) {
        F8 v = ifma::load(s[r]);
        if (!kDif && scale) v = ifma::mul(v, scale_factor(*scale, r, g));
        // DIF continues with the row pass; DIT ends here.
        if (!kDif) v = ifma::reduce_canonical(v);
        ifma::store_contiguous(base + r * p.n2, v);
      }
    }
  });
}

template <bool kDif>
void row_pass(const NttPlan& p, const TwiddleSet& t, Fr* a) {
  const std::size_t groups = p.n1 / 8;
  for_each_chunk(groups, parallel(p), [&](std::size_t begin, std::size_t end) {
    const auto scratch = std::make_unique_for_overwrite<Lane8x5[]>(p.n2);
    Lane8x5* s = scratch.get();
    for (std::size_t q = begin; q < end; ++q) {
      Fr* base = a + 8 * q * p.n2;
      for (std::size_t c = 0; c < p.n2; ++c) ifma::store(s[c], ifma::load_strided(base + c, p.n2));
      row_stages<kDif>(p, t, s);
      for (std::size_t c = 0; c < p.n2; ++c) {
        F8 v = ifma::load(s[c]);
        if (kDif) v = ifma::reduce_canonical(v);  // DIF ends here
        ifma::store_strided(base + c, p.n2, v);
      }
    }
  });
}

}  // namespace

bool ifma_available() { return true; }

void dif_ifma(const NttPlan& p, const TwiddleSet& t, const ScaleSet* scale, Fr* a) {
  assert(p.n1 >= 8 && p.n2 >= 8);
  column_pass<true>(p, t, scale, a);
  row_pass<true>(p, t, a);
}

void dit_ifma(const NttPlan& p, const TwiddleSet& t, const ScaleSet* scale, Fr* a) {
  assert(p.n1 >= 8 && p.n2 >= 8);
  row_pass<false>(p, t, a);
  column_pass<false>(p, t, scale, a);
}

}  // namespace verdict::poly::detail

#else  // no AVX-512 IFMA: the scalar path only

#include <cstdlib>

namespace verdict::poly::detail {

bool ifma_available() { return false; }
void dif_ifma(const NttPlan&, const TwiddleSet&, const ScaleSet*, Fr*) { std::abort(); }
void dit_ifma(const NttPlan&, const TwiddleSet&, const ScaleSet*, Fr*) { std::abort(); }

}  // namespace verdict::poly::detail

#endif
