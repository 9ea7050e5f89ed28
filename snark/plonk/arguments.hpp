#pragma once
// Every constraint of a proof as one list of expressions (docs/plonk.md):
//
//   gates        each constraint of each gate, in declaration order
//   permutation  with chunks Z_0..Z_{c-1} of (degree - 2) equality columns each,
//                v_i the column, sigma_i its permutation, id_i = delta^i X:
//     l_0 (1 - Z_0)
//     l_last (Z_{c-1}^2 - Z_{c-1})
//     l_0 (Z_j - Z_{j-1}(omega^u X))                                       j >= 1
//     l_active (Z_j(omega X) prod (v_i + beta sigma_i + gamma)
//               - Z_j(X) prod (v_i + beta id_i + gamma))                   each j
//   lookups      (logUp) with f_i = lambda + sum_k theta^k tuple_i[k] per input tuple,
//                t = lambda + sum theta^k table_k, m the multiplicities, phi the running sum:
//     l_0 phi,  l_last phi,
//     l_active ((phi(omega X) - phi(X)) prod_i f_i t - m prod_i f_i + t sum_i prod_(k != i) f_k)
//
// On the usable rows the last line says phi(r+1) - phi(r) = m_r / t_r - sum_i 1 / f_i,r; phi starts and ends at 0, so the inputs' reciprocals and the
// table's weighted reciprocals sum to the same value, which for a random lambda means
// every input is a table row (the log-derivative lookup of Haboeck, "Multivariate
// lookups based on logarithmic derivatives").
//
// The quotient is h = (sum_i y^(N-1-i) term_i) / Z_H (Horner in y). The leaves that
// are not user columns use internal column kinds that never appear in a key.

#include <cstddef>
#include <vector>

#include "snark/plonk/constraint_system.hpp"

namespace verdict::plonk::detail {

enum InternalKind : std::uint8_t {
  kSigma = 16,      // index: equality column slot
  kPermZ = 17,      // index: chunk
  kLookupM = 18,    // index: lookup
  kLookupPhi = 19,  // index: lookup
  kLagrange = 20,   // index: kL0, kLLast, kLActive
  kX = 21,          // the point itself
};
enum LagrangeIndex : std::uint32_t { kL0 = 0, kLLast = 1, kLActive = 2 };

inline Column internal(InternalKind kind, std::uint32_t index) { return Column{ColumnKind(kind), index}; }

struct ArgumentChallenges {
  Fr theta, beta, gamma, lambda;
};

// sum_k theta^k tuple[k] for input tuple i of the lookup.
Expression compressed_input(const Lookup& lookup, std::size_t i, const Fr& theta);
Expression compressed_table(const Lookup& lookup, const Fr& theta);

std::vector<Expression> quotient_terms(const ConstraintSystem& cs, std::size_t usable, const ArgumentChallenges& ch);

}  // namespace verdict::plonk::detail
