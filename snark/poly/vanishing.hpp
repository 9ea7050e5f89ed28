#pragma once
// The vanishing polynomial of a domain, Z_H(X) = X^n - 1 = prod_{h in H} (X - h), and
// division by it in both forms a PLONK prover uses.
//
// Coefficient form: f = q Z_H + r with deg r < n; divide_by_vanishing returns q and
// insists on r = 0 (a non-zero remainder means the constraints do not hold on H).
//
// Evaluation form (the quotient polynomial): with an extended domain H' of size
// N = n 2^e (n = |H|) and evaluations of t(X) on the coset g H', t(X) / Z_H(X) is
// evaluated pointwise: at x_i = g w'^i,
//     Z_H(x_i) = g^n (w'^n)^i - 1 = g^n w_e^(i mod 2^e) - 1,  w_e = w'^n of order 2^e,
// so only 2^e distinct values occur, all non-zero (g^n is in no 2-power subgroup, see
// EvaluationDomain), and one batch inversion of 2^e values serves all N points.

#include <cstddef>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/field/fr.hpp"
#include "snark/poly/evaluation_domain.hpp"

namespace verdict::poly {

// Z_H(z) = z^n - 1 (zero exactly when z is in H).
Fr vanishing_at(const EvaluationDomain& domain, const Fr& z);
// 1 / Z_H(z); an Error when z is in H (Z_H(z) = 0), e.g. a verifier's challenge that
// landed on the domain.
[[nodiscard]] Result<Fr> vanishing_inverse_at(const EvaluationDomain& domain, const Fr& z);

// q with f = q (X^n - 1), |q| = |f| - n (empty when |f| <= n and f = 0). An Error when
// the remainder is not zero ("not divisible"). Parallel within each block of n.
[[nodiscard]] Result<std::vector<Fr>> divide_by_vanishing(std::span<const Fr> f, const EvaluationDomain& domain);

// Order of the evaluations of an extended-coset vector.
enum class EvalOrder { kNatural, kBitReversed };

// The 2^e values 1 / Z_H(g w'^i), i < 2^e, of the comment above. An Error unless
// extended.size() is a multiple of base.size().
[[nodiscard]] Result<std::vector<Fr>> vanishing_inverses_on_coset(const EvaluationDomain& base,
                                                                  const EvaluationDomain& extended);

// evals[i] *= 1 / Z_H(x_i) for evaluations on g H' (natural: evals[i] at g w'^i;
// bit-reversed: evals[bitrev(i)] at g w'^i, as coset_ntt_to_bitrev leaves them). An
// Error (evals unchanged) when evals.size() != extended.size() or the domains do not
// nest.
[[nodiscard]] Status divide_by_vanishing_on_coset(std::span<Fr> evals, const EvaluationDomain& base,
                                                  const EvaluationDomain& extended,
                                                  EvalOrder order = EvalOrder::kNatural);

}  // namespace verdict::poly
