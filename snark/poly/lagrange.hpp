#pragma once
// Lagrange bases and interpolation.
//
// On a domain H = {w^i} of size n the Lagrange basis polynomials are
//     L_i(X) = prod_{j != i} (X - w^j) / (w^i - w^j) = w^i (X^n - 1) / (n (X - w^i)),
// so that f = sum_i f(w^i) L_i for deg f < n (the barycentric formula). For z outside
// H every L_i(z) comes from one batch inversion; for z = w^j in H the values are the
// indicator L_i(z) = [i = j], returned exactly. These functions branch on whether z is
// in H: z is a public challenge.
//
// Through arbitrary points, interpolate_points builds the polynomial of degree < m
// through m distinct points in O(m^2) (for the handful of points of a batched KZG
// opening).

#include <cstddef>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/field/fr.hpp"
#include "snark/poly/evaluation_domain.hpp"

namespace verdict::poly {

// [L_0(z), ..., L_{n-1}(z)]; about 4n multiplications and one inversion, parallel.
std::vector<Fr> lagrange_basis_at(const EvaluationDomain& domain, const Fr& z);
// L_i(z) for one i < n (i is reduced mod n).
Fr lagrange_at(const EvaluationDomain& domain, std::size_t i, const Fr& z);
// L_0(z) = (z^n - 1) / (n (z - 1)).
Fr lagrange_first_at(const EvaluationDomain& domain, const Fr& z);

// f(z) = sum_i evals[i] L_i(z) for f given by evals[i] = f(w^i); an Error when
// evals.size() != domain.size().
[[nodiscard]] Result<Fr> evaluate_from_evaluations(const EvaluationDomain& domain, std::span<const Fr> evals,
                                                   const Fr& z);

// The n coefficients of the polynomial of degree < n with f(w^i) = evals[i] (an
// inverse NTT on a copy); an Error when evals.size() != domain.size().
[[nodiscard]] Result<std::vector<Fr>> interpolate(const EvaluationDomain& domain, std::span<const Fr> evals);

// The m coefficients of the polynomial of degree < m through (xs[i], ys[i]). Errors:
// xs.size() != ys.size(), or two equal xs. Empty input gives the zero polynomial
// (an empty vector). O(m^2) multiplications.
[[nodiscard]] Result<std::vector<Fr>> interpolate_points(std::span<const Fr> xs, std::span<const Fr> ys);

}  // namespace verdict::poly
