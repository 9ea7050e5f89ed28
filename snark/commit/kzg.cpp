#include "snark/commit/kzg.hpp"

#include <algorithm>

#include "snark/curve/msm.hpp"
#include "snark/poly/polynomial.hpp"

namespace verdict::commit {

KzgVerifierKey KzgVerifierKey::from(const Srs& srs) {
  KzgVerifierKey vk;
  vk.g1 = srs.g1_powers.at(0);
  vk.g2 = srs.g2;
  vk.tau_g2 = srs.tau_g2;
  vk.g2_prepared = curve::G2Prepared::from(vk.g2);
  vk.tau_g2_prepared = curve::G2Prepared::from(vk.tau_g2);
  return vk;
}

Result<G1> kzg_commit(const Srs& srs, std::span<const Fr> coeffs) {
  if (coeffs.size() > srs.size())
    return Error{"KZG commit: polynomial has " + std::to_string(coeffs.size()) + " coefficients, the SRS " +
                 std::to_string(srs.size()) + " powers"};
  return curve::msm_vartime(std::span<const G1Affine>(srs.g1_powers.data(), coeffs.size()), coeffs);
}

Result<KzgOpening> kzg_open(const Srs& srs, std::span<const Fr> coeffs, const Fr& z) {
  Fr value;
  std::vector<Fr> q = poly::divide_by_linear(coeffs, z, &value);
  auto w = kzg_commit(srs, q);
  if (!w.ok()) return w.error();
  return KzgOpening{value, w->to_affine()};
}

namespace {
// e(lhs, [1]_2) * e(-w, [tau]_2) * prod extra == 1
bool pairing_check(const KzgVerifierKey& vk, const G1& lhs, const G1& w, std::span<const PreparedPair> extra = {}) {
  std::vector<PreparedPair> pairs = {{lhs.to_affine(), &vk.g2_prepared}, {(-w).to_affine(), &vk.tau_g2_prepared}};
  pairs.insert(pairs.end(), extra.begin(), extra.end());
  return curve::pairing_product_is_one(pairs);
}

// Distinct points in order of first appearance, and each query's group index.
struct Groups {
  std::vector<Fr> points;
  std::vector<std::size_t> of_query;
};
template <class Q>
Groups group_by_point(std::span<const Q> queries) {
  Groups g;
  for (const Q& q : queries) {
    auto it = std::find(g.points.begin(), g.points.end(), q.point);
    g.of_query.push_back(std::size_t(it - g.points.begin()));
    if (it == g.points.end()) g.points.push_back(q.point);
  }
  return g;
}

void absorb_query(hash::Transcript& t, const G1Affine& c, const Fr& z, const Fr& v) {
  t.absorb_point("kzg.commitment", c);
  t.absorb_scalar("kzg.point", z);
  t.absorb_scalar("kzg.value", v);
}
}  // namespace

bool kzg_verify(const KzgVerifierKey& vk, const G1Affine& commitment, const Fr& z, const Fr& value,
                const G1Affine& proof) {
  G1 w = G1::from_affine(proof);
  G1 lhs = G1::from_affine(commitment) + (-G1::from_affine(vk.g1).mul_vartime(value)) + w.mul_vartime(z);
  return pairing_check(vk, lhs, w);
}

Result<KzgBatchOpening> kzg_open_batch(const Srs& srs, std::span<const KzgProverQuery> queries,
                                       hash::Transcript& transcript) {
  if (queries.empty()) return Error{"KZG batch opening: no queries"};
  Groups groups = group_by_point(queries);
  if (groups.points.size() > KzgBatchProof::kMaxPoints)
    return Error{"KZG batch opening: more than " + std::to_string(KzgBatchProof::kMaxPoints) + " distinct points"};
  KzgBatchOpening out;
  out.values.resize(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    out.values[i] = poly::evaluate(queries[i].poly, queries[i].point);
    absorb_query(transcript, queries[i].commitment, queries[i].point, out.values[i]);
  }
  Fr gamma = transcript.challenge_scalar("kzg.gamma");
  for (std::size_t j = 0; j < groups.points.size(); ++j) {
    std::vector<std::span<const Fr>> members;
    for (std::size_t i = 0; i < queries.size(); ++i)
      if (groups.of_query[i] == j) members.push_back(queries[i].poly);
    std::vector<Fr> combined = poly::linear_combination(members, gamma);
    std::vector<Fr> q = poly::divide_by_linear(combined, groups.points[j]);
    auto w = kzg_commit(srs, q);
    if (!w.ok()) return w.error().context("KZG batch opening");
    out.proof.witnesses.push_back(w->to_affine());
  }
  for (const G1Affine& w : out.proof.witnesses) transcript.absorb_point("kzg.witness", w);
  (void)transcript.challenge_scalar("kzg.r");  // keeps prover and verifier transcripts in step
  return out;
}

Status kzg_verify_batch(const KzgVerifierKey& vk, std::span<const KzgVerifierQuery> queries,
                        const KzgBatchProof& proof, hash::Transcript& transcript,
                        std::span<const PreparedPair> extra_pairs) {
  if (queries.empty()) return Error{"KZG batch opening: no queries"};
  Groups groups = group_by_point(queries);
  if (proof.witnesses.size() != groups.points.size())
    return Error{"KZG batch opening: proof has " + std::to_string(proof.witnesses.size()) + " witnesses, the queries " +
                 std::to_string(groups.points.size()) + " distinct points"};
  for (const auto& q : queries) absorb_query(transcript, q.commitment, q.point, q.value);
  Fr gamma = transcript.challenge_scalar("kzg.gamma");
  for (const G1Affine& w : proof.witnesses) transcript.absorb_point("kzg.witness", w);
  Fr r = transcript.challenge_scalar("kzg.r");

  // One MSM: sum_j r^j (sum_k gamma^k C_k - v_j G + z_j W_j), and sum_j r^j W_j.
  const std::size_t m = groups.points.size();
  std::vector<Fr> r_pow(m), gamma_pow_in_group(m, Fr::one());
  r_pow[0] = Fr::one();
  for (std::size_t j = 1; j < m; ++j) r_pow[j] = r_pow[j - 1] * r;
  std::vector<G1Affine> bases;
  std::vector<Fr> scalars;
  Fr value_sum = Fr::zero();
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::size_t j = groups.of_query[i];
    Fr coeff = r_pow[j] * gamma_pow_in_group[j];
    gamma_pow_in_group[j] *= gamma;
    bases.push_back(queries[i].commitment);
    scalars.push_back(coeff);
    value_sum += coeff * queries[i].value;
  }
  for (std::size_t j = 0; j < m; ++j) {
    bases.push_back(proof.witnesses[j]);
    scalars.push_back(r_pow[j] * groups.points[j]);
  }
  bases.push_back(vk.g1);
  scalars.push_back(-value_sum);
  G1 lhs = curve::msm_vartime(bases, scalars);
  G1 w_sum = curve::msm_vartime(proof.witnesses, r_pow);
  std::vector<PreparedPair> extra;
  if (!extra_pairs.empty()) {
    const Fr r_m = r_pow[m - 1] * r;
    for (const auto& [p, q] : extra_pairs) extra.push_back({G1::from_affine(p).mul_vartime(r_m).to_affine(), q});
  }
  if (!pairing_check(vk, lhs, w_sum, extra)) return Error{"KZG batch opening: pairing check failed"};
  return {};
}

std::vector<std::uint8_t> KzgBatchProof::to_bytes() const {
  std::vector<std::uint8_t> out;
  std::uint32_t n = std::uint32_t(witnesses.size());
  for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(n >> (8 * i)));
  for (const auto& w : witnesses) {
    auto b = curve::g1_to_bytes_compressed(w);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

Result<KzgBatchProof> KzgBatchProof::from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4) return Error{"KZG batch proof: shorter than its count"};
  std::uint32_t n = std::uint32_t(bytes[0]) | std::uint32_t(bytes[1]) << 8 | std::uint32_t(bytes[2]) << 16 |
                    std::uint32_t(bytes[3]) << 24;
  if (n == 0 || n > kMaxPoints) return Error{"KZG batch proof: witness count " + std::to_string(n) + " out of range"};
  if (bytes.size() != 4 + std::size_t(n) * curve::kG1CompressedBytes)
    return Error{"KZG batch proof: " + std::to_string(bytes.size()) + " bytes for " + std::to_string(n) + " witnesses"};
  KzgBatchProof proof;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto w = curve::g1_from_bytes_compressed(bytes.subspan(4 + 32 * std::size_t(i), 32));
    if (!w.ok()) return w.error().context("KZG batch proof witness " + std::to_string(i));
    proof.witnesses.push_back(*w);
  }
  return proof;
}

}  // namespace verdict::commit
