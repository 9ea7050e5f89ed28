#include "snark/plonk/prover.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "base/parallel.hpp"
#include "snark/curve/msm.hpp"
#include "snark/field/batch_inverse.hpp"
#include "snark/field/mul_batch.hpp"
#include "snark/hash/transcript.hpp"
#include "snark/plonk/arguments.hpp"
#include "snark/plonk/evaluator.hpp"
#include "snark/plonk/transcript_steps.hpp"
#include "snark/poly/ntt.hpp"
#include "snark/poly/polynomial.hpp"

namespace verdict::plonk {

namespace {

using detail::InternalKind;

// Values on the domain -> coefficients, with `blinding` rows at the bottom (rows
// n - blinding .. n - 1) overwritten by random values first.
std::vector<Fr> blind_and_interpolate(const poly::EvaluationDomain& domain, std::vector<Fr> values, std::size_t blinding,
                                      Rng& rng) {
  const std::size_t n = values.size();
  for (std::size_t r = n - blinding; r < n; ++r) values[r] = Fr::random(rng);
  (void)poly::intt(domain, values);
  return values;
}

G1Affine commit(const commit::Srs& srs, std::span<const Fr> coeffs, double& seconds) {
  auto t = std::chrono::steady_clock::now();
  G1Affine c = commit::kzg_commit(srs, coeffs)->to_affine();
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  return c;
}

// f evaluated on the coset shift * H (natural order), given powers[i] = shift^i.
void coset_evaluate(const poly::EvaluationDomain& domain, std::span<const Fr> coeffs, std::span<const Fr> powers,
                    std::vector<Fr>& out) {
  const std::size_t n = domain.size();
  out.assign(n, Fr::zero());
  const std::size_t m = std::min(n, coeffs.size());
  parallel_for(m, 1 << 14, [&](std::size_t b, std::size_t e) {
    field::mul_batch<Fr>(std::span<Fr>(out.data() + b, e - b), coeffs.subspan(b, e - b), powers.subspan(b, e - b));
  });
  (void)poly::ntt(domain, out);
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A committed column's re-randomisation for one proof (keys.hpp): fresh values nu on
// the blinding rows B = u+1 .. n-1 of `values` (changed in place), delta = nu - W on B,
// D = sum_r delta_r [L_r(tau)]_1 and S = [s(tau)]_1 with
//   s(X) = (1/n) sum_{r in B} delta_r omega^r Z_B(X) / (X - omega^r),
// so that s(X) Z_H(X) / Z_B(X) = sum_r delta_r L_r(X) = d(X).
void rerandomise_committed(const ProvingKey& pk, std::vector<Fr>& values, const std::vector<Fr>& z_b, Rng& rng,
                           G1Affine& d_out, G1Affine& s_out) {
  const poly::EvaluationDomain& domain = *pk.domain;
  const std::size_t n = domain.size(), u = pk.vk.usable_rows(), b = n - u - 1;
  std::vector<Fr> delta(b), s(b, Fr::zero());
  const Fr n_inv = Fr::from_u64(n).inverse();
  for (std::size_t i = 0; i < b; ++i) {
    const std::size_t row = u + 1 + i;
    const Fr nu = Fr::random(rng);
    delta[i] = nu - values[row];
    values[row] = nu;
    // q = Z_B / (X - omega^row), synthetic division (exact), degree b - 1.
    const Fr root = domain.element(row);
    std::vector<Fr> q(b);
    Fr carry = z_b[b];
    for (std::size_t j = b; j-- > 0;) {
      q[j] = carry;
      carry = z_b[j] + carry * root;
    }
    const Fr scale = delta[i] * root * n_inv;
    for (std::size_t j = 0; j < b; ++j) s[j] += scale * q[j];
  }
  d_out = curve::msm_vartime(pk.blinding_lagrange, delta).to_affine();
  s_out = curve::msm_vartime(std::span(pk.srs->g1_powers).subspan(0, b), s).to_affine();
}

struct Witness {
  std::vector<std::vector<Fr>> committed_values, committed_polys;
  std::vector<G1Affine> committed_commitments;  // C_W + D
  std::vector<std::vector<Fr>> advice_values, advice_polys;
  std::vector<std::vector<Fr>> instance_values, instance_polys;
  std::vector<std::vector<Fr>> m_values, m_polys, phi_polys, z_polys;
  std::vector<Fr> challenges;
};

}  // namespace

Result<Proof> prove(const ProvingKey& pk, Circuit& circuit, const std::vector<std::vector<Fr>>& instances, Rng& rng,
                    const ProverOptions& options, ProverStats* stats_out) {
  ProverStats stats;
  const auto t_start = Clock::now();
  const VerifyingKey& vk = pk.vk;
  const ConstraintSystem& cs = vk.cs;
  const poly::EvaluationDomain& domain = *pk.domain;
  const commit::Srs& srs = *pk.srs;
  const std::size_t n = vk.n(), u = vk.usable_rows(), blinding = n - u - 1;

  {
    ConstraintSystem mine;
    circuit.configure(mine);
    if (constraint_system_bytes(mine) != constraint_system_bytes(cs))
      return Error{"prove: the circuit's constraint system is not the proving key's"};
  }
  if (instances.size() != cs.num_instance())
    return Error{"prove: " + std::to_string(instances.size()) + " instance columns given, the circuit has " +
                 std::to_string(cs.num_instance())};

  Proof proof;
  Witness w;
  hash::Transcript transcript(detail::kTranscriptLabel);
  detail::absorb_key_and_instances(transcript, vk, instances);

  // Public inputs.
  for (const auto& column : instances) {
    if (column.size() > u) return Error{"prove: an instance column has more values than usable rows"};
    std::vector<Fr> values(n);
    std::copy(column.begin(), column.end(), values.begin());
    w.instance_values.push_back(values);
    (void)poly::intt(domain, values);
    w.instance_polys.push_back(std::move(values));
  }

  // Committed columns: fresh blinding, D and S.
  if (cs.num_committed() > 0) {
    const std::vector<Fr> z_b = detail::blinding_vanishing(domain, u);
    for (std::size_t c = 0; c < cs.num_committed(); ++c) {
      std::vector<Fr> values = pk.committed_values[c];
      G1Affine d, s;
      rerandomise_committed(pk, values, z_b, rng, d, s);
      proof.committed_blinding.push_back(d);
      proof.committed_quotient.push_back(s);
      w.committed_commitments.push_back(
          (curve::G1::from_affine(vk.committed_commitments[c]) + curve::G1::from_affine(d)).to_affine());
      w.committed_polys.push_back(values);
      (void)poly::intt(domain, w.committed_polys.back());
      w.committed_values.push_back(std::move(values));
    }
  }
  (void)detail::absorb_committed(transcript, proof);

  // Advice, phase by phase, with the challenges in between.
  w.advice_values.assign(cs.num_advice(), std::vector<Fr>(n));
  w.advice_polys.resize(cs.num_advice());
  proof.advice_commitments.resize(cs.num_advice());
  w.challenges.assign(cs.num_challenges(), Fr::zero());
  for (unsigned phase = 0; phase < cs.num_phases(); ++phase) {
    AdviceAssignment assignment(cs, phase, u, pk.fixed_values, pk.committed_values, w.instance_values, w.advice_values);
    auto t_witness = Clock::now();
    if (auto st = circuit.assign_advice(phase, w.challenges, assignment); !st.ok())
      return st.error().context("prove: assign_advice phase " + std::to_string(phase));
    stats.witness += since(t_witness);
    for (std::size_t c = 0; c < cs.num_advice(); ++c) {
      if (cs.advice_phase(std::uint32_t(c)) != phase) continue;
      for (std::size_t r = n - blinding; r < n; ++r) w.advice_values[c][r] = Fr::random(rng);
      w.advice_polys[c] = w.advice_values[c];
      auto t_intt = Clock::now();
      (void)poly::intt(domain, w.advice_polys[c]);
      stats.interpolate += since(t_intt);
      proof.advice_commitments[c] = commit(srs, w.advice_polys[c], stats.commit);
    }
    detail::absorb_phase(transcript, cs, phase, proof.advice_commitments, w.challenges);
  }

  // Leaves on the domain rows (for lookups and the permutation).
  auto row_leaves = [&](Column c) -> const Fr* {
    switch (c.kind) {
      case ColumnKind::kFixed: return pk.fixed_values[c.index].data();
      case ColumnKind::kAdvice: return w.advice_values[c.index].data();
      case ColumnKind::kInstance: return w.instance_values[c.index].data();
      case ColumnKind::kCommitted: return w.committed_values[c.index].data();
    }
    return nullptr;
  };
  detail::BlockEvaluator rows(n, row_leaves, w.challenges);

  // Lookups: multiplicities.
  auto t_lookups = Clock::now();
  const double commit_before_lookups = stats.commit;
  const Fr theta = transcript.challenge_scalar("lookup.theta");
  const std::size_t nl = cs.lookups().size();
  // f_values[l][i]: tuple i of lookup l, compressed, on every row.
  std::vector<std::vector<std::vector<Fr>>> f_values(nl);
  std::vector<std::vector<Fr>> t_values(nl, std::vector<Fr>(n));
  for (std::size_t l = 0; l < nl; ++l) {
    const Lookup& lookup = cs.lookups()[l];
    f_values[l].assign(lookup.inputs.size(), std::vector<Fr>(n));
    for (std::size_t i = 0; i < lookup.inputs.size(); ++i)
      rows.evaluate(detail::compressed_input(lookup, i, theta), f_values[l][i]);
    rows.evaluate(detail::compressed_table(lookup, theta), t_values[l]);
    std::unordered_map<Fr, std::size_t, detail::FrHash> first_row;
    first_row.reserve(u);
    for (std::size_t r = 0; r < u; ++r) first_row.emplace(t_values[l][r], r);
    std::vector<std::uint64_t> count(n, 0);
    for (const auto& f : f_values[l]) {
      for (std::size_t r = 0; r < u; ++r) {
        auto it = first_row.find(f[r]);
        if (it == first_row.end()) {
          if (options.allow_unsatisfied) continue;
          return Error{"prove: lookup '" + lookup.name + "': an input on row " + std::to_string(r) +
                       " is not in the table (run the mock prover for the cells)"};
        }
        ++count[it->second];
      }
    }
    std::vector<Fr> m(n);
    for (std::size_t r = 0; r < u; ++r) m[r] = Fr::from_u64(count[r]);
    w.m_values.push_back(m);
    w.m_polys.push_back(blind_and_interpolate(domain, m, blinding, rng));
    proof.lookup_m_commitments.push_back(commit(srs, w.m_polys.back(), stats.commit));
  }
  for (const auto& c : proof.lookup_m_commitments) transcript.absorb_point("lookup.m", c);
  stats.lookups += since(t_lookups) - (stats.commit - commit_before_lookups);

  const Fr beta = transcript.challenge_scalar("permutation.beta");
  const Fr gamma = transcript.challenge_scalar("permutation.gamma");
  const Fr lambda = transcript.challenge_scalar("lookup.lambda");

  // Permutation products, chunk by chunk, over rows 0..u.
  auto t_perm = Clock::now();
  const double commit_before_perm = stats.commit;
  const auto& eq = cs.equality_columns();
  const unsigned chunks = cs.num_permutation_chunks(), chunk = cs.permutation_chunk_size();
  std::vector<Fr> omega_pow(n);
  omega_pow[0] = Fr::one();
  for (std::size_t r = 1; r < n; ++r) omega_pow[r] = omega_pow[r - 1] * domain.omega();
  const Fr delta = permutation_delta();
  Fr carry = Fr::one();
  Fr delta_i = Fr::one();
  for (unsigned j = 0; j < chunks; ++j) {
    // Z(r + 1) = Z(r) prod (v + beta delta^i omega^r + gamma) / prod (v + beta sigma + gamma).
    std::vector<Fr> num(u, Fr::one()), den(u, Fr::one());
    for (std::size_t i = j * chunk; i < std::min<std::size_t>(eq.size(), (j + 1) * chunk); ++i) {
      const Fr* v = row_leaves(eq[i]);
      const Fr* sigma = pk.sigma_values[i].data();
      const Fr beta_delta = beta * delta_i;
      parallel_for(u, 1 << 12, [&](std::size_t b, std::size_t e) {
        for (std::size_t r = b; r < e; ++r) {
          num[r] *= v[r] + beta_delta * omega_pow[r] + gamma;
          den[r] *= v[r] + beta * sigma[r] + gamma;
        }
      });
      delta_i *= delta;
    }
    parallel_for(u, 1 << 12, [&](std::size_t b, std::size_t e) {
      field::batch_inverse<Fr>(std::span<Fr>(den.data() + b, e - b));
    });
    std::vector<Fr> z(n);
    z[0] = carry;
    for (std::size_t r = 0; r < u; ++r) z[r + 1] = z[r] * num[r] * den[r];
    carry = z[u];
    w.z_polys.push_back(blind_and_interpolate(domain, std::move(z), blinding, rng));
    proof.permutation_commitments.push_back(commit(srs, w.z_polys.back(), stats.commit));
  }
  if (chunks > 0 && !carry.is_one() && !options.allow_unsatisfied)
    return Error{"prove: the copy constraints do not hold (run the mock prover for the cells)"};

  stats.permutation += since(t_perm) - (stats.commit - commit_before_perm);
  // Lookup running sums.
  t_lookups = Clock::now();
  const double commit_before_phi = stats.commit;
  for (std::size_t l = 0; l < nl; ++l) {
    // delta_r = m_r / (lambda + t_r) - sum_i 1 / (lambda + f_i,r)
    std::vector<Fr> inv_t(u);
    for (std::size_t r = 0; r < u; ++r) inv_t[r] = lambda + t_values[l][r];
    parallel_for(u, 1 << 12, [&](std::size_t b, std::size_t e) {
      field::batch_inverse<Fr>(std::span<Fr>(inv_t.data() + b, e - b));
    });
    std::vector<Fr> delta(u);
    for (std::size_t r = 0; r < u; ++r) delta[r] = w.m_values[l][r] * inv_t[r];
    for (auto& f : f_values[l]) {
      parallel_for(u, 1 << 12, [&](std::size_t b, std::size_t e) {
        for (std::size_t r = b; r < e; ++r) f[r] += lambda;
        field::batch_inverse<Fr>(std::span<Fr>(f.data() + b, e - b));
        for (std::size_t r = b; r < e; ++r) delta[r] -= f[r];
      });
    }
    std::vector<Fr> phi(n);
    for (std::size_t r = 0; r < u; ++r) phi[r + 1] = phi[r] + delta[r];
    if (!phi[u].is_zero() && !options.allow_unsatisfied)
      return Error{"prove: lookup '" + cs.lookups()[l].name + "' does not close (internal error)"};
    w.phi_polys.push_back(blind_and_interpolate(domain, std::move(phi), blinding, rng));
    proof.lookup_phi_commitments.push_back(commit(srs, w.phi_polys.back(), stats.commit));
  }
  stats.lookups += since(t_lookups) - (stats.commit - commit_before_phi);
  for (const auto& c : proof.permutation_commitments) transcript.absorb_point("permutation.z", c);
  for (const auto& c : proof.lookup_phi_commitments) transcript.absorb_point("lookup.phi", c);
  f_values.clear();
  t_values.clear();

  // The quotient, one coset part at a time.
  const Fr y = transcript.challenge_scalar("quotient.y");
  const std::vector<Expression> terms = detail::quotient_terms(cs, u, {theta, beta, gamma, lambda});
  const unsigned pieces = cs.degree() - 1;
  unsigned ext_log = 0;
  while ((1u << ext_log) < pieces) ++ext_log;
  const std::size_t ext = std::size_t(1) << ext_log;
  auto ext_domain = poly::EvaluationDomain::create(vk.k + ext_log);
  if (!ext_domain.ok()) return ext_domain.error().context("prove: extended domain");
  std::vector<Column> leaves_used;
  for (const Expression& t : terms)
    t.for_each_leaf([&](const Expression& leaf) {
      if (leaf.op() == Expression::Op::kQuery &&
          std::find(leaves_used.begin(), leaves_used.end(), leaf.column()) == leaves_used.end())
        leaves_used.push_back(leaf.column());
    });
  auto coefficients_of = [&](Column c) -> std::span<const Fr> {
    switch (std::uint8_t(c.kind)) {
      case std::uint8_t(ColumnKind::kFixed): return pk.fixed_polys[c.index];
      case std::uint8_t(ColumnKind::kAdvice): return w.advice_polys[c.index];
      case std::uint8_t(ColumnKind::kInstance): return w.instance_polys[c.index];
      case std::uint8_t(ColumnKind::kCommitted): return w.committed_polys[c.index];
      case detail::kSigma: return pk.sigma_polys[c.index];
      case detail::kPermZ: return w.z_polys[c.index];
      case detail::kLookupM: return w.m_polys[c.index];
      case detail::kLookupPhi: return w.phi_polys[c.index];
      case detail::kLagrange: return c.index == detail::kL0 ? pk.l0 : c.index == detail::kLLast ? pk.l_last : pk.l_active;
    }
    return {};
  };
  std::vector<Fr> h(ext * n);
  {
    std::vector<std::vector<Fr>> part(leaves_used.size());
    std::vector<Fr> numerator(n);
    const Fr g = poly::EvaluationDomain::coset_shift();
    Fr shift = g;
    std::vector<Fr> shift_powers(n);
    for (std::size_t j = 0; j < ext; ++j, shift *= ext_domain->omega()) {
      parallel_for(n, 1 << 14, [&](std::size_t b, std::size_t e) {
        Fr s = shift.pow(field::Limbs{b, 0, 0, 0});
        for (std::size_t i = b; i < e; ++i, s *= shift) shift_powers[i] = s;
      });
      for (std::size_t i = 0; i < leaves_used.size(); ++i) {
        Column c = leaves_used[i];
        if (std::uint8_t(c.kind) == detail::kX) {
          part[i].resize(n);
          Fr x = shift;
          for (std::size_t r = 0; r < n; ++r, x *= domain.omega()) part[i][r] = x;
        } else {
          auto t_ntt = Clock::now();
          coset_evaluate(domain, coefficients_of(c), shift_powers, part[i]);
          stats.quotient_ntt += since(t_ntt);
        }
      }
      auto leaves = [&](Column c) -> const Fr* {
        for (std::size_t i = 0; i < leaves_used.size(); ++i)
          if (leaves_used[i] == c) return part[i].data();
        return nullptr;
      };
      detail::BlockEvaluator evaluator(n, leaves, w.challenges);
      auto t_eval = Clock::now();
      evaluator.combine(terms, y, numerator);
      stats.quotient_eval += since(t_eval);
      Fr zh_inv = (shift.pow(field::Limbs{n, 0, 0, 0}) - Fr::one()).inverse();
      parallel_for(n, 1 << 14, [&](std::size_t b, std::size_t e) {
        for (std::size_t r = b; r < e; ++r) h[r * ext + j] = numerator[r] * zh_inv;
      });
    }
  }
  {
    auto t_ntt = Clock::now();
    (void)poly::coset_intt(*ext_domain, h);
    stats.quotient_ntt += since(t_ntt);
  }
  if (!options.allow_unsatisfied) {
    // h is a polynomial (of degree < pieces * n) only if every term vanishes on the
    // rows. Check the identity sum y^i term_i(x) = h(x) Z_H(x) at a random point: a
    // few evaluations, and it catches a bad witness whatever the degree slack.
    for (std::size_t i = pieces * n; i < ext * n; ++i)
      if (!h[i].is_zero()) return Error{"prove: the witness does not satisfy the constraints (run the mock prover)"};
    Fr x = Fr::random(rng);
    auto at_x = [&](Column c, std::int32_t rotation) -> Fr {
      std::int64_t r = rotation % std::int64_t(n);
      if (r < 0) r += std::int64_t(n);
      Fr point = x * domain.element(std::size_t(r));
      if (std::uint8_t(c.kind) == detail::kX) return point;
      return poly::evaluate(coefficients_of(c), point);
    };
    Fr numerator = Fr::zero();
    for (const Expression& t : terms)
      numerator = numerator * y + t.evaluate(at_x, [&](std::uint32_t i) { return w.challenges[i]; });
    if (numerator != poly::evaluate(h, x) * (x.pow(field::Limbs{n, 0, 0, 0}) - Fr::one()))
      return Error{"prove: the witness does not satisfy the constraints (run the mock prover)"};
  }
  std::vector<std::vector<Fr>> h_pieces(pieces, std::vector<Fr>(n + 1));
  for (unsigned p = 0; p < pieces; ++p) std::copy_n(h.begin() + long(p * n), n, h_pieces[p].begin());
  h.clear();
  h.shrink_to_fit();
  for (unsigned p = 0; p + 1 < pieces; ++p) {  // h_p += b X^n, h_{p+1} -= b: the sum is unchanged
    Fr b = Fr::random(rng);
    h_pieces[p][n] += b;
    h_pieces[p + 1][0] -= b;
  }
  for (const auto& piece : h_pieces) proof.quotient_commitments.push_back(commit(srs, piece, stats.commit));
  for (const auto& c : proof.quotient_commitments) transcript.absorb_point("quotient.h", c);

  // Evaluations at zeta.
  const Fr zeta = transcript.challenge_scalar("zeta");
  auto t_evals = Clock::now();
  auto at = [&](std::int64_t rotation) {
    std::int64_t r = rotation % std::int64_t(n);
    if (r < 0) r += std::int64_t(n);
    return zeta * domain.element(std::size_t(r));
  };
  std::vector<commit::KzgProverQuery> queries;
  for (const Query& q : cs.queries(ColumnKind::kAdvice)) {
    queries.push_back({w.advice_polys[q.column.index], proof.advice_commitments[q.column.index], at(q.rotation)});
    proof.advice_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
  }
  for (const Query& q : cs.queries(ColumnKind::kCommitted)) {
    queries.push_back({w.committed_polys[q.column.index], w.committed_commitments[q.column.index], at(q.rotation)});
    proof.committed_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
  }
  for (const Query& q : cs.queries(ColumnKind::kFixed)) {
    queries.push_back({pk.fixed_polys[q.column.index], vk.fixed_commitments[q.column.index], at(q.rotation)});
    proof.fixed_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
  }
  for (std::size_t i = 0; i < eq.size(); ++i) {
    queries.push_back({pk.sigma_polys[i], vk.permutation_commitments[i], at(0)});
    proof.sigma_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
  }
  for (unsigned j = 0; j < chunks; ++j) {
    for (std::int64_t rot : {std::int64_t(0), std::int64_t(1), std::int64_t(u)}) {
      if (rot == std::int64_t(u) && j + 1 == chunks) continue;
      queries.push_back({w.z_polys[j], proof.permutation_commitments[j], at(rot)});
      proof.permutation_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
    }
  }
  for (std::size_t l = 0; l < nl; ++l) {
    queries.push_back({w.m_polys[l], proof.lookup_m_commitments[l], at(0)});
    proof.lookup_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
    for (std::int64_t rot : {0, 1}) {
      queries.push_back({w.phi_polys[l], proof.lookup_phi_commitments[l], at(rot)});
      proof.lookup_evals.push_back(poly::evaluate(queries.back().poly, queries.back().point));
    }
  }
  detail::absorb_evaluations(transcript, proof);
  stats.evaluations += since(t_evals);
  auto t_opening = Clock::now();

  // The quotient combination sum_p zeta^(n p) h_p, opened at zeta.
  const Fr zeta_n = zeta.pow(field::Limbs{n, 0, 0, 0});
  std::vector<Fr> h_combined(n + 1, Fr::zero());
  std::vector<Fr> powers(pieces);
  Fr power = Fr::one();
  for (unsigned p = 0; p < pieces; ++p, power *= zeta_n) {
    powers[p] = power;
    poly::add_scaled_assign(h_combined, power, h_pieces[p]);
  }
  G1Affine h_commitment = curve::msm_vartime(proof.quotient_commitments, powers).to_affine();
  queries.push_back({h_combined, h_commitment, zeta});

  auto opening = commit::kzg_open_batch(srs, queries, transcript);
  if (!opening.ok()) return opening.error().context("prove: opening");
  proof.opening = std::move(opening->proof);
  stats.opening += since(t_opening);
  stats.total = since(t_start);
  if (stats_out) *stats_out = stats;
  return proof;
}

}  // namespace verdict::plonk
