#include "snark/plonk/arguments.hpp"

#include "snark/plonk/keys.hpp"

namespace verdict::plonk::detail {

namespace {
Expression leaf(InternalKind kind, std::uint32_t index, std::int32_t rotation = 0) {
  return Expression::query(internal(kind, index), rotation);
}
Expression c(const Fr& v) { return Expression::constant(v); }
}  // namespace

Expression compressed_input(const Lookup& lookup, std::size_t i, const Fr& theta) {
  const auto& tuple = lookup.inputs[i];
  Expression acc = tuple[0];
  for (std::size_t k = 1; k < tuple.size(); ++k) acc = acc.scaled(theta) + tuple[k];
  return acc;
}

Expression compressed_table(const Lookup& lookup, const Fr& theta) {
  Expression acc = Expression::query(lookup.table[0]);
  for (std::size_t k = 1; k < lookup.table.size(); ++k) acc = acc.scaled(theta) + Expression::query(lookup.table[k]);
  return acc;
}

std::vector<Expression> quotient_terms(const ConstraintSystem& cs, std::size_t usable, const ArgumentChallenges& ch) {
  std::vector<Expression> terms;
  for (const Gate& g : cs.gates())
    for (const Expression& e : g.constraints) terms.push_back(e);

  const Expression one = c(Fr::one());
  const Expression l0 = leaf(kLagrange, kL0), l_last = leaf(kLagrange, kLLast), l_active = leaf(kLagrange, kLActive);
  const auto& eq = cs.equality_columns();
  const unsigned chunks = cs.num_permutation_chunks();
  const unsigned chunk = cs.permutation_chunk_size();
  if (chunks > 0) {
    terms.push_back(l0 * (one - leaf(kPermZ, 0)));
    Expression z_last = leaf(kPermZ, chunks - 1);
    terms.push_back(l_last * (z_last * z_last - z_last));
    for (unsigned j = 1; j < chunks; ++j)
      terms.push_back(l0 * (leaf(kPermZ, j) - leaf(kPermZ, j - 1, std::int32_t(usable))));
    const Fr delta = permutation_delta();
    Fr delta_i = Fr::one();
    for (unsigned j = 0; j < chunks; ++j) {
      Expression left = leaf(kPermZ, j, 1), right = leaf(kPermZ, j);
      for (std::size_t i = j * chunk; i < std::min<std::size_t>(eq.size(), (j + 1) * chunk); ++i) {
        Expression v = Expression::query(eq[i]);
        left = left * (v + leaf(kSigma, std::uint32_t(i)).scaled(ch.beta) + c(ch.gamma));
        right = right * (v + leaf(kX, 0).scaled(ch.beta * delta_i) + c(ch.gamma));
        delta_i *= delta;
      }
      terms.push_back(l_active * (left - right));
    }
  }

  for (std::size_t l = 0; l < cs.lookups().size(); ++l) {
    const Lookup& lookup = cs.lookups()[l];
    Expression phi = leaf(kLookupPhi, std::uint32_t(l)), phi_next = leaf(kLookupPhi, std::uint32_t(l), 1);
    Expression m = leaf(kLookupM, std::uint32_t(l));
    std::vector<Expression> f;
    for (std::size_t i = 0; i < lookup.inputs.size(); ++i) f.push_back(c(ch.lambda) + compressed_input(lookup, i, ch.theta));
    Expression t = c(ch.lambda) + compressed_table(lookup, ch.theta);
    Expression prod_f = f[0];
    for (std::size_t i = 1; i < f.size(); ++i) prod_f = prod_f * f[i];
    Expression sum_others;  // sum_i prod_(k != i) f_k
    for (std::size_t i = 0; i < f.size(); ++i) {
      Expression p = one;
      for (std::size_t k = 0; k < f.size(); ++k)
        if (k != i) p = p * f[k];
      sum_others = i == 0 ? p : sum_others + p;
    }
    terms.push_back(l0 * phi);
    terms.push_back(l_last * phi);
    terms.push_back(l_active * ((phi_next - phi) * prod_f * t - m * prod_f + t * sum_others));
  }
  return terms;
}

}  // namespace verdict::plonk::detail
