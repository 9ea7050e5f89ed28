// The portable NTT path: the same column/row passes as the IFMA path, on Fr directly.
#include <algorithm>
#include <vector>

#include "base/parallel.hpp"
#include "snark/poly/ntt_kernels.hpp"

namespace verdict::poly::detail {

namespace {

constexpr std::size_t kColumnWidth = 16;  // columns per task: 512-byte row segments

Fr scale_at(const ScaleSet& s, std::size_t r, std::size_t c) { return s.uniform ? s.constant : s.row[r] * s.col[c]; }

// GS DIF of one contiguous row of n2 elements (twiddles w_{n2}^t = inner[t]).
void dif_row(Fr* a, std::size_t n2, const std::vector<Fr>& inner) {
  for (std::size_t m = n2 / 2; m >= 1; m /= 2) {
    const std::size_t step = n2 / (2 * m);
    for (std::size_t blk = 0; blk < n2; blk += 2 * m) {
      Fr* lo = a + blk;
      Fr* hi = lo + m;
      {
        const Fr u = lo[0], v = hi[0];
        lo[0] = u + v;
        hi[0] = u - v;
      }
      for (std::size_t j = 1; j < m; ++j) {
        const Fr u = lo[j], v = hi[j];
        lo[j] = u + v;
        hi[j] = (u - v) * inner[j * step];
      }
    }
  }
}

// CT DIT of one contiguous row.
void dit_row(Fr* a, std::size_t n2, const std::vector<Fr>& inner) {
  for (std::size_t m = 1; m < n2; m *= 2) {
    const std::size_t step = n2 / (2 * m);
    for (std::size_t blk = 0; blk < n2; blk += 2 * m) {
      Fr* lo = a + blk;
      Fr* hi = lo + m;
      {
        const Fr u = lo[0], t = hi[0];
        lo[0] = u + t;
        hi[0] = u - t;
      }
      for (std::size_t j = 1; j < m; ++j) {
        const Fr u = lo[j], t = hi[j] * inner[j * step];
        lo[j] = u + t;
        hi[j] = u - t;
      }
    }
  }
}

// Column stage u (distance x = n1 / 2^(u+1) rows) on columns [c0, c0 + width).
template <bool kDif>
void column_stage(const NttPlan& p, const TwiddleSet& t, unsigned u, std::size_t c0, std::size_t width, Fr* a,
                  Fr* tw) {
  const std::size_t n1 = p.n1, n2 = p.n2, x = n1 >> (u + 1);
  const Fr* col = t.col.data() + u * n2 + c0;
  for (std::size_t r = 0; r < x; ++r) {
    if (r == 0) {
      std::copy(col, col + width, tw);
    } else {
      const Fr row = t.row[r << u];
      for (std::size_t c = 0; c < width; ++c) tw[c] = row * col[c];
    }
    for (std::size_t blk = 0; blk < n1; blk += 2 * x) {
      Fr* lo = a + (blk + r) * n2 + c0;
      Fr* hi = lo + x * n2;
      for (std::size_t c = 0; c < width; ++c) {
        if constexpr (kDif) {
          const Fr uu = lo[c], v = hi[c];
          lo[c] = uu + v;
          hi[c] = (uu - v) * tw[c];
        } else {
          const Fr uu = lo[c], v = hi[c] * tw[c];
          lo[c] = uu + v;
          hi[c] = uu - v;
        }
      }
    }
  }
}

void scale_columns(const NttPlan& p, const ScaleSet& s, std::size_t c0, std::size_t width, Fr* a) {
  for (std::size_t r = 0; r < p.n1; ++r) {
    Fr* row = a + r * p.n2;
    for (std::size_t c = c0; c < c0 + width; ++c) row[c] *= scale_at(s, r, c);
  }
}

bool parallel(const NttPlan& p) { return p.n >= kParallelThreshold; }

}  // namespace

void dif_scalar(const NttPlan& p, const TwiddleSet& t, const ScaleSet* scale, Fr* a) {
  const std::size_t width = std::min(p.n2, kColumnWidth), chunks = p.n2 / width;
  for_each_chunk(chunks, parallel(p), [&](std::size_t begin, std::size_t end) {
    std::vector<Fr> tw(width);
    for (std::size_t ch = begin; ch < end; ++ch) {
      const std::size_t c0 = ch * width;
      if (scale) scale_columns(p, *scale, c0, width, a);
      for (unsigned u = 0; u < p.k1; ++u) column_stage<true>(p, t, u, c0, width, a, tw.data());
    }
  });
  for_each_chunk(p.n1, parallel(p), [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) dif_row(a + r * p.n2, p.n2, t.inner);
  });
}

void dit_scalar(const NttPlan& p, const TwiddleSet& t, const ScaleSet* scale, Fr* a) {
  for_each_chunk(p.n1, parallel(p), [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) dit_row(a + r * p.n2, p.n2, t.inner);
  });
  const std::size_t width = std::min(p.n2, kColumnWidth), chunks = p.n2 / width;
  for_each_chunk(chunks, parallel(p), [&](std::size_t begin, std::size_t end) {
    std::vector<Fr> tw(width);
    for (std::size_t ch = begin; ch < end; ++ch) {
      const std::size_t c0 = ch * width;
      for (unsigned u = p.k1; u-- > 0;) column_stage<false>(p, t, u, c0, width, a, tw.data());
      if (scale) scale_columns(p, *scale, c0, width, a);
    }
  });
}

}  // namespace verdict::poly::detail
