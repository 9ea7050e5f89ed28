#pragma once
// NttPlan: the precomputed tables of one power-of-two NTT size (internal to snark/poly;
// callers reach it only through EvaluationDomain).
//
// Layout. n = 2^k is viewed as an n1 x n2 row-major matrix, n1 = 2^k1 rows of
// n2 = 2^k2 columns, k1 = floor(k/2), k2 = k - k1; element i sits at row i1 = i / n2,
// column i2 = i % n2. A radix-2 NTT then splits into
//   - "column" stages (butterfly distance m >= n2, i.e. between rows), done on
//     groups of adjacent columns, and
//   - "row" stages (distance m < n2), done on contiguous rows,
// so that each pass touches O(sqrt n) elements at a time (in L2 up to n ~ 2^24).
//
// Twiddles. Stage "distance m" uses w_{2m}^j for j = i mod 2m < m, w_N a primitive
// N-th root of unity (w_N = omega^(n/N)). For a row stage, w_{2m}^j is a power of
// w_{n2} (table `inner`). For a column stage with m = x n2 (x = n1 / 2^(u+1)) and
// i = i1 n2 + i2, r = i1 mod 2x:
//     w_{2m}^j = w_{2x}^r * w_n^(i2 2^u) = row[r 2^u] * col[u][i2],
// so a column-stage twiddle costs one multiplication to form (when r > 0), and the
// tables stay O(sqrt(n) log n) instead of the n/2 entries of a full table.
//
// Scaling. Coset and inverse transforms multiply element i by s(i) = s_row[i1] *
// s_col[i2] (the coset shift's powers, 1/n), fused into the column pass.
//
// Memory (both directions, both scale sets, Fr form plus the 52-bit IFMA form):
// about 2 * k1 * n2 * (32 + 40) bytes of column tables plus O(n1 + n2) others,
// measured by memory_bytes(): 0.4 MiB at 2^16, 1.8 MiB at 2^20, 8.4 MiB at 2^24,
// 18 MiB at 2^26, 38 MiB at 2^28 (one polynomial at 2^26 is 2 GiB).
//
// Invariants: k <= Fr::kTwoAdicity; every table holds canonical Fr elements; the
// 52-bit tables hold the same values "adjusted" for the IFMA Montgomery product
// (16 * t * R mod p in five 52-bit limbs, see ifma_field.hpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "snark/field/fr.hpp"

namespace verdict::poly::detail {

using field::Fr;

// One element as five 52-bit limbs (least significant first).
struct Limbs52 {
  std::uint64_t l[5];
};

// Eight elements limb-major (l[limb][lane]): one aligned 64-byte load per limb.
struct alignas(64) Lane8x5 {
  std::uint64_t l[5][8];
};

constexpr std::uint64_t kMask52 = (std::uint64_t(1) << 52) - 1;

// The 256-bit integer a as five 52-bit limbs (the top limb takes 48 bits).
constexpr Limbs52 split52(const field::Limbs& a) {
  return Limbs52{{a[0] & kMask52, (a[0] >> 52 | a[1] << 12) & kMask52, (a[1] >> 40 | a[2] << 24) & kMask52,
                  (a[2] >> 28 | a[3] << 36) & kMask52, a[3] >> 16}};
}

// The IFMA multiplier form of t: the limbs of 16 * t * R mod p.
Limbs52 adjusted52(const Fr& t);

// Per-element scale factors s(i1 n2 + i2) = row[i1] * col[i2], or one constant.
struct ScaleSet {
  bool uniform = false;
  Fr constant;
  Limbs52 constant52{};
  std::vector<Fr> row, col;          // n1 and n2 entries (empty when uniform)
  std::vector<Limbs52> row52;        // n1 entries
  std::vector<Lane8x5> col52;        // n2 / 8 groups (empty when n2 < 8)
};

// Twiddles of one direction (root w = omega or omega^-1).
struct TwiddleSet {
  std::vector<Fr> row;       // row[t] = w_{n1}^t, t < n1 / 2
  std::vector<Fr> inner;     // inner[t] = w_{n2}^t, t < n2 / 2
  std::vector<Fr> col;       // col[u * n2 + i2] = w_n^(i2 2^u), u < k1
  std::vector<Limbs52> row52, inner52;
  std::vector<Lane8x5> col52;  // [u * (n2 / 8) + i2 / 8], lane i2 % 8
};

struct NttPlan {
  unsigned k = 0, k1 = 0, k2 = 0;
  std::size_t n = 1, n1 = 1, n2 = 1;
  TwiddleSet forward, inverse;
  ScaleSet coset_forward;  // g^i                 (applied before a forward DIF)
  ScaleSet coset_inverse;  // g^-i / n            (applied after an inverse DIT)
  ScaleSet inverse_scale;  // 1 / n, uniform      (applied after an inverse DIT)

  // Requires k <= Fr::kTwoAdicity (checked by EvaluationDomain::create).
  static NttPlan build(unsigned k, const Fr& coset_shift);

  // Bytes held by the tables.
  std::size_t memory_bytes() const;
};

}  // namespace verdict::poly::detail
