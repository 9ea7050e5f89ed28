#include "snark/plonk/verifier.hpp"

#include <map>

#include "snark/curve/msm.hpp"
#include "snark/field/batch_inverse.hpp"
#include "snark/hash/transcript.hpp"
#include "snark/plonk/arguments.hpp"
#include "snark/plonk/transcript_steps.hpp"

namespace verdict::plonk {

namespace {

// sum_r values[r] L_r(x) on the domain of size n (O(|values|), one batch inversion).
Fr evaluate_instance(const std::vector<Fr>& values, const Fr& x, std::size_t n, const Fr& omega) {
  if (values.empty()) return Fr::zero();
  Fr xn = x.pow(field::Limbs{n, 0, 0, 0});
  Fr w = Fr::one();
  if (xn.is_one()) {  // x is a row of the domain: the value there
    for (std::size_t r = 0; r < values.size(); ++r, w *= omega)
      if (w == x) return values[r];
    return Fr::zero();
  }
  std::vector<Fr> den(values.size()), wr(values.size());
  for (std::size_t r = 0; r < values.size(); ++r, w *= omega) {
    wr[r] = w;
    den[r] = x - w;
  }
  field::batch_inverse<Fr>(den);
  Fr sum = Fr::zero();
  for (std::size_t r = 0; r < values.size(); ++r) sum += values[r] * wr[r] * den[r];
  return sum * (xn - Fr::one()) * Fr::from_u64(n).inverse();
}

Status check_shape(const VerifyingKey& vk, const Proof& p) {
  const ProofShape s = ProofShape::of(vk);
  if (p.committed_blinding.size() != s.committed || p.committed_quotient.size() != s.committed ||
      p.committed_evals.size() != s.committed_evals || p.advice_commitments.size() != s.advice || p.lookup_m_commitments.size() != s.lookups ||
      p.permutation_commitments.size() != s.chunks || p.lookup_phi_commitments.size() != s.lookups ||
      p.quotient_commitments.size() != s.quotient || p.advice_evals.size() != s.advice_evals ||
      p.fixed_evals.size() != s.fixed_evals || p.sigma_evals.size() != s.sigma_evals ||
      p.permutation_evals.size() != s.permutation_evals || p.lookup_evals.size() != 3 * s.lookups)
    return Error{"proof does not have the shape the verifying key implies"};
  return {};
}

}  // namespace

Status verify(const VerifyingKey& vk, const std::vector<std::vector<Fr>>& instances, const Proof& proof) {
  const ConstraintSystem& cs = vk.cs;
  const std::size_t n = vk.n(), u = vk.usable_rows();
  if (auto st = check_shape(vk, proof); !st.ok()) return st;
  if (instances.size() != cs.num_instance())
    return Error{"verify: " + std::to_string(instances.size()) + " instance columns given, the circuit has " +
                 std::to_string(cs.num_instance())};
  for (const auto& column : instances)
    if (column.size() > u) return Error{"verify: an instance column has more values than usable rows"};

  hash::Transcript transcript(detail::kTranscriptLabel);
  detail::absorb_key_and_instances(transcript, vk, instances);
  const Fr rho = detail::absorb_committed(transcript, proof);
  std::vector<Fr> challenges(cs.num_challenges());
  for (unsigned phase = 0; phase < cs.num_phases(); ++phase)
    detail::absorb_phase(transcript, cs, phase, proof.advice_commitments, challenges);
  const Fr theta = transcript.challenge_scalar("lookup.theta");
  for (const auto& c : proof.lookup_m_commitments) transcript.absorb_point("lookup.m", c);
  const Fr beta = transcript.challenge_scalar("permutation.beta");
  const Fr gamma = transcript.challenge_scalar("permutation.gamma");
  const Fr lambda = transcript.challenge_scalar("lookup.lambda");
  for (const auto& c : proof.permutation_commitments) transcript.absorb_point("permutation.z", c);
  for (const auto& c : proof.lookup_phi_commitments) transcript.absorb_point("lookup.phi", c);
  const Fr y = transcript.challenge_scalar("quotient.y");
  for (const auto& c : proof.quotient_commitments) transcript.absorb_point("quotient.h", c);
  const Fr zeta = transcript.challenge_scalar("zeta");
  detail::absorb_evaluations(transcript, proof);

  auto domain = poly::EvaluationDomain::create(vk.k);
  if (!domain.ok()) return domain.error();
  const Fr omega = domain->omega();
  auto at = [&](std::int64_t rotation) {
    std::int64_t r = rotation % std::int64_t(n);
    if (r < 0) r += std::int64_t(n);
    return zeta * domain->element(std::size_t(r));
  };
  const Fr zeta_n = zeta.pow(field::Limbs{n, 0, 0, 0});
  const Fr zh = zeta_n - Fr::one();
  if (zh.is_zero()) return Error{"verify: degenerate challenge (zeta in the domain)"};

  // Leaf values at zeta.
  std::map<std::pair<Column, std::int32_t>, Fr> value;
  const auto advice_q = cs.queries(ColumnKind::kAdvice), fixed_q = cs.queries(ColumnKind::kFixed);
  const auto committed_q = cs.queries(ColumnKind::kCommitted);
  for (std::size_t i = 0; i < advice_q.size(); ++i) value[{advice_q[i].column, advice_q[i].rotation}] = proof.advice_evals[i];
  for (std::size_t i = 0; i < committed_q.size(); ++i)
    value[{committed_q[i].column, committed_q[i].rotation}] = proof.committed_evals[i];
  for (std::size_t i = 0; i < fixed_q.size(); ++i) value[{fixed_q[i].column, fixed_q[i].rotation}] = proof.fixed_evals[i];
  const auto& eq = cs.equality_columns();
  for (std::size_t i = 0; i < eq.size(); ++i) value[{detail::internal(detail::kSigma, std::uint32_t(i)), 0}] = proof.sigma_evals[i];
  const unsigned chunks = cs.num_permutation_chunks();
  std::size_t pe = 0;
  for (unsigned j = 0; j < chunks; ++j) {
    value[{detail::internal(detail::kPermZ, j), 0}] = proof.permutation_evals[pe++];
    value[{detail::internal(detail::kPermZ, j), 1}] = proof.permutation_evals[pe++];
    if (j + 1 < chunks) value[{detail::internal(detail::kPermZ, j), std::int32_t(u)}] = proof.permutation_evals[pe++];
  }
  for (std::size_t l = 0; l < cs.lookups().size(); ++l) {
    value[{detail::internal(detail::kLookupM, std::uint32_t(l)), 0}] = proof.lookup_evals[3 * l];
    value[{detail::internal(detail::kLookupPhi, std::uint32_t(l)), 0}] = proof.lookup_evals[3 * l + 1];
    value[{detail::internal(detail::kLookupPhi, std::uint32_t(l)), 1}] = proof.lookup_evals[3 * l + 2];
  }
  // Lagrange selectors: L_r(zeta) = omega^r (zeta^n - 1) / (n (zeta - omega^r)).
  {
    const Fr n_inv = Fr::from_u64(n).inverse();
    std::vector<Fr> den, wr;
    Fr w = domain->element(u);
    for (std::size_t r = u; r < n; ++r, w *= omega) {
      wr.push_back(w);
      den.push_back(zeta - w);
    }
    den.push_back(zeta - Fr::one());
    field::batch_inverse<Fr>(den);
    Fr tail = Fr::zero();
    for (std::size_t i = 0; i < wr.size(); ++i) tail += wr[i] * den[i];
    const Fr scale = zh * n_inv;
    value[{detail::internal(detail::kLagrange, detail::kL0), 0}] = scale * den.back();
    value[{detail::internal(detail::kLagrange, detail::kLLast), 0}] = scale * wr[0] * den[0];
    value[{detail::internal(detail::kLagrange, detail::kLActive), 0}] = Fr::one() - scale * tail;
  }
  value[{detail::internal(detail::kX, 0), 0}] = zeta;

  bool missing = false;
  auto leaf = [&](Column c, std::int32_t rotation) -> Fr {
    if (c.kind == ColumnKind::kInstance) return evaluate_instance(instances[c.index], at(rotation), n, omega);
    auto it = value.find({c, rotation});
    if (it == value.end()) {
      missing = true;
      return Fr::zero();
    }
    return it->second;
  };
  auto challenge = [&](std::uint32_t i) { return challenges[i]; };
  const std::vector<Expression> terms = detail::quotient_terms(cs, u, {theta, beta, gamma, lambda});
  Fr numerator = Fr::zero();
  for (const Expression& t : terms) numerator = numerator * y + t.evaluate(leaf, challenge);
  if (missing) return Error{"verify: internal error: a constraint reads a value the proof does not carry"};
  const Fr expected_h = numerator * zh.inverse();

  // The openings, in the prover's order.
  std::vector<commit::KzgVerifierQuery> queries;
  for (std::size_t i = 0; i < advice_q.size(); ++i)
    queries.push_back({proof.advice_commitments[advice_q[i].column.index], at(advice_q[i].rotation), proof.advice_evals[i]});
  std::vector<G1Affine> rerandomised;
  for (std::size_t c = 0; c < cs.num_committed(); ++c)
    rerandomised.push_back(
        (curve::G1::from_affine(vk.committed_commitments[c]) + curve::G1::from_affine(proof.committed_blinding[c])).to_affine());
  for (std::size_t i = 0; i < committed_q.size(); ++i)
    queries.push_back({rerandomised[committed_q[i].column.index], at(committed_q[i].rotation), proof.committed_evals[i]});
  for (std::size_t i = 0; i < fixed_q.size(); ++i)
    queries.push_back({vk.fixed_commitments[fixed_q[i].column.index], at(fixed_q[i].rotation), proof.fixed_evals[i]});
  for (std::size_t i = 0; i < eq.size(); ++i) queries.push_back({vk.permutation_commitments[i], at(0), proof.sigma_evals[i]});
  pe = 0;
  for (unsigned j = 0; j < chunks; ++j) {
    for (std::int64_t rot : {std::int64_t(0), std::int64_t(1), std::int64_t(u)}) {
      if (rot == std::int64_t(u) && j + 1 == chunks) continue;
      queries.push_back({proof.permutation_commitments[j], at(rot), proof.permutation_evals[pe++]});
    }
  }
  for (std::size_t l = 0; l < cs.lookups().size(); ++l) {
    queries.push_back({proof.lookup_m_commitments[l], at(0), proof.lookup_evals[3 * l]});
    queries.push_back({proof.lookup_phi_commitments[l], at(0), proof.lookup_evals[3 * l + 1]});
    queries.push_back({proof.lookup_phi_commitments[l], at(1), proof.lookup_evals[3 * l + 2]});
  }
  std::vector<Fr> powers(proof.quotient_commitments.size());
  Fr power = Fr::one();
  for (auto& p : powers) p = power, power *= zeta_n;
  queries.push_back({curve::msm_vartime(proof.quotient_commitments, powers).to_affine(), zeta, expected_h});

  // Committed columns: e(sum rho^c D_c, [Z_B]_2) * e(-sum rho^c S_c, [Z_H]_2) = 1.
  std::vector<commit::PreparedPair> extra;
  if (cs.num_committed() > 0) {
    std::vector<Fr> rho_pow(cs.num_committed());
    rho_pow[0] = Fr::one();
    for (std::size_t c = 1; c < rho_pow.size(); ++c) rho_pow[c] = rho_pow[c - 1] * rho;
    extra.push_back({curve::msm_vartime(proof.committed_blinding, rho_pow).to_affine(), &vk.zb_prepared});
    extra.push_back({(-curve::msm_vartime(proof.committed_quotient, rho_pow)).to_affine(), &vk.zh_prepared});
  }
  Status st = commit::kzg_verify_batch(vk.kzg, queries, proof.opening, transcript, extra);
  if (!st.ok()) return Error{"verify: the proof does not verify (" + st.error().message + ")"};
  return {};
}

Status verify_bytes(const VerifyingKey& vk, const std::vector<std::vector<Fr>>& instances,
                    std::span<const std::uint8_t> proof_bytes) {
  auto proof = Proof::from_bytes(proof_bytes, vk);
  if (!proof.ok()) return proof.error();
  return verify(vk, instances, *proof);
}

}  // namespace verdict::plonk
