#pragma once
// Dense univariate polynomials over Fr in coefficient form.
//
// Representation: a polynomial is a std::vector<Fr> (taken as std::span<const Fr>)
// of coefficients, low degree first: f(X) = sum_i f[i] X^i. Trailing zeros are
// allowed (a vector of size m holds any polynomial of degree < m, so "size" is a
// degree bound, not the degree); the empty vector is the zero polynomial. Results
// are not trimmed unless a function says so: add(a, b) has size max(|a|, |b|),
// mul(a, b) has size |a| + |b| - 1, and so on, which keeps sizes predictable for
// NTTs and commitments.
//
// Large inputs run on all workers (base/parallel.hpp). Nothing here branches on the
// coefficients' values except the degree/trim helpers, which say so.

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/field/fr.hpp"

namespace verdict::poly {

using field::Fr;

// f(x) by Horner's rule (eight lanes at a time with AVX-512 IFMA); in parallel chunks
// (combined with powers of x) from 2^16
// coefficients. The zero polynomial evaluates to 0.
Fr evaluate(std::span<const Fr> f, const Fr& x);

// The degree (index of the last non-zero coefficient), nullopt for the zero
// polynomial. Variable time in the number of trailing zeros.
std::optional<std::size_t> degree_vartime(std::span<const Fr> f);
// Drops trailing zero coefficients (variable time, like degree_vartime).
void trim_vartime(std::vector<Fr>& f);

// Coefficient-wise arithmetic; results have size max(|a|, |b|).
std::vector<Fr> add(std::span<const Fr> a, std::span<const Fr> b);
std::vector<Fr> sub(std::span<const Fr> a, std::span<const Fr> b);
// a += b, a -= b, a += s * b; a grows to |b| when shorter.
void add_assign(std::vector<Fr>& a, std::span<const Fr> b);
void sub_assign(std::vector<Fr>& a, std::span<const Fr> b);
void add_scaled_assign(std::vector<Fr>& a, const Fr& s, std::span<const Fr> b);
// s * f.
std::vector<Fr> scale(std::span<const Fr> f, const Fr& s);
void scale_assign(std::span<Fr> f, const Fr& s);

// a * b, of size |a| + |b| - 1 (empty when either is empty). Schoolbook below
// kMulNttThreshold coefficients in the shorter factor, otherwise three NTTs on the
// smallest domain holding the product; an Error when that exceeds 2^28.
inline constexpr std::size_t kMulNttThreshold = 64;
[[nodiscard]] Result<std::vector<Fr>> mul(std::span<const Fr> a, std::span<const Fr> b);

// Division by (X - z): returns q with f(X) = q(X) (X - z) + f(z), |q| = |f| - 1
// (empty for |f| <= 1). The remainder f(z) goes to *remainder when it is non-null.
// Always defined. Synthetic division; with AVX-512 IFMA and |f| > 2^12 it runs as 32
// segment recurrences per worker plus a carry-fixing pass (two multiplications per
// coefficient, eight lanes at a time).
std::vector<Fr> divide_by_linear(std::span<const Fr> f, const Fr& z, Fr* remainder = nullptr);

// sum_i challenge^i polys[i] (polys[0] gets challenge^0 = 1), of size max |polys[i]|:
// the combination a batched opening commits to. Parallel over coefficients.
std::vector<Fr> linear_combination(std::span<const std::span<const Fr>> polys, const Fr& challenge);
// The same combination of scalars (e.g. the claimed evaluations): sum_i challenge^i v[i].
Fr linear_combination(std::span<const Fr> values, const Fr& challenge);

}  // namespace verdict::poly
