// KZG: open/verify round trips at every degree up to the SRS size; rejection of a
// wrong value, a wrong point, a wrong commitment and a wrong proof; batched openings
// at several points, their tampering, transcript binding and proof encoding.
#include <gtest/gtest.h>

#include "snark/commit/kzg.hpp"
#include "snark/poly/polynomial.hpp"

namespace verdict::commit {
namespace {

using curve::G2;

struct Fixture {
  Srs srs;
  KzgVerifierKey vk;
  ChaChaRng rng{0xC0FFEE};
  explicit Fixture(std::size_t n) {
    ChaChaRng tau_rng(99);
    srs = insecure_srs_from_tau(n, Fr::random(tau_rng));
    vk = KzgVerifierKey::from(srs);
  }
  std::vector<Fr> random_poly(std::size_t size) {
    std::vector<Fr> f(size);
    for (auto& c : f) c = Fr::random(rng);
    return f;
  }
};

TEST(Kzg, OpenVerifyRoundTripAtEveryDegree) {
  Fixture fx(64);
  for (std::size_t size : {0u, 1u, 2u, 3u, 17u, 63u, 64u}) {
    auto f = fx.random_poly(size);
    auto c = kzg_commit(fx.srs, f);
    ASSERT_TRUE(c.ok());
    Fr z = Fr::random(fx.rng);
    auto op = kzg_open(fx.srs, f, z);
    ASSERT_TRUE(op.ok());
    EXPECT_EQ(op->value, poly::evaluate(f, z));
    EXPECT_TRUE(kzg_verify(fx.vk, c->to_affine(), z, op->value, op->proof)) << "size " << size;
  }
  // Opening at a root gives value 0.
  std::vector<Fr> f = {-Fr::from_u64(6), Fr::from_u64(1)};  // X - 6
  auto op = kzg_open(fx.srs, f, Fr::from_u64(6));
  EXPECT_TRUE(op->value.is_zero());
  EXPECT_TRUE(kzg_verify(fx.vk, kzg_commit(fx.srs, f)->to_affine(), Fr::from_u64(6), op->value, op->proof));
}

TEST(Kzg, RejectsWrongValuePointCommitmentAndProof) {
  Fixture fx(32);
  auto f = fx.random_poly(32), g = fx.random_poly(32);
  G1Affine c = kzg_commit(fx.srs, f)->to_affine();
  G1Affine cg = kzg_commit(fx.srs, g)->to_affine();
  Fr z = Fr::random(fx.rng);
  auto op = kzg_open(fx.srs, f, z);
  ASSERT_TRUE(kzg_verify(fx.vk, c, z, op->value, op->proof));
  EXPECT_FALSE(kzg_verify(fx.vk, c, z, op->value + Fr::one(), op->proof)) << "wrong value";
  EXPECT_FALSE(kzg_verify(fx.vk, c, z + Fr::one(), op->value, op->proof)) << "wrong point";
  EXPECT_FALSE(kzg_verify(fx.vk, cg, z, op->value, op->proof)) << "wrong commitment";
  auto og = kzg_open(fx.srs, g, z);
  EXPECT_FALSE(kzg_verify(fx.vk, c, z, op->value, og->proof)) << "wrong proof";
  EXPECT_FALSE(kzg_verify(fx.vk, c, z, op->value, G1Affine::identity())) << "identity proof";
  EXPECT_FALSE(kzg_commit(fx.srs, fx.random_poly(33)).ok()) << "too many coefficients";
}

struct BatchCase {
  std::vector<std::vector<Fr>> polys;
  std::vector<G1Affine> commitments;
  std::vector<Fr> points;  // per query
  std::vector<std::size_t> poly_of_query;
};

BatchCase make_batch(Fixture& fx) {
  BatchCase b;
  for (std::size_t size : {32u, 20u, 1u, 32u, 7u}) {
    b.polys.push_back(fx.random_poly(size));
    b.commitments.push_back(kzg_commit(fx.srs, b.polys.back())->to_affine());
  }
  Fr z1 = Fr::random(fx.rng), z2 = Fr::random(fx.rng), z3 = Fr::random(fx.rng);
  // Polys opened at overlapping sets of three points (as PLONK opens at zeta and omega*zeta).
  const std::pair<std::size_t, Fr> qs[] = {{0, z1}, {1, z1}, {2, z1}, {3, z2}, {0, z2}, {4, z3}, {1, z3}};
  for (const auto& [p, z] : qs) {
    b.poly_of_query.push_back(p);
    b.points.push_back(z);
  }
  return b;
}

TEST(KzgBatch, OpensSeveralPolynomialsAtSeveralPoints) {
  Fixture fx(32);
  BatchCase b = make_batch(fx);
  std::vector<KzgProverQuery> pq;
  for (std::size_t i = 0; i < b.points.size(); ++i)
    pq.push_back({b.polys[b.poly_of_query[i]], b.commitments[b.poly_of_query[i]], b.points[i]});
  hash::Transcript tp("kzg-test");
  auto opening = kzg_open_batch(fx.srs, pq, tp);
  ASSERT_TRUE(opening.ok()) << opening.error().message;
  EXPECT_EQ(opening->proof.witnesses.size(), 3u);

  auto verifier_queries = [&](const std::vector<Fr>& values) {
    std::vector<KzgVerifierQuery> vq;
    for (std::size_t i = 0; i < b.points.size(); ++i) vq.push_back({b.commitments[b.poly_of_query[i]], b.points[i], values[i]});
    return vq;
  };
  auto verify = [&](const std::vector<KzgVerifierQuery>& vq, const KzgBatchProof& proof, const char* label = "kzg-test") {
    hash::Transcript tv(label);
    return kzg_verify_batch(fx.vk, vq, proof, tv);
  };
  auto vq = verifier_queries(opening->values);
  Status ok = verify(vq, opening->proof);
  EXPECT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().message);
  // Both transcripts end in the same state.
  hash::Transcript tv("kzg-test");
  ASSERT_TRUE(kzg_verify_batch(fx.vk, vq, opening->proof, tv).ok());
  EXPECT_EQ(tv.challenge_scalar("next"), tp.challenge_scalar("next"));

  for (std::size_t i = 0; i < vq.size(); ++i) {
    auto bad = vq;
    bad[i].value += Fr::one();
    EXPECT_FALSE(verify(bad, opening->proof).ok()) << "value " << i;
    bad = vq;
    bad[i].commitment = b.commitments[(b.poly_of_query[i] + 1) % b.commitments.size()];
    EXPECT_FALSE(verify(bad, opening->proof).ok()) << "commitment " << i;
  }
  for (std::size_t j = 0; j < opening->proof.witnesses.size(); ++j) {
    auto bad = opening->proof;
    bad.witnesses[j] = (G1::from_affine(bad.witnesses[j]) + G1::generator()).to_affine();
    EXPECT_FALSE(verify(vq, bad).ok()) << "witness " << j;
  }
  auto shifted = vq;  // move one query to a fresh point: group structure changes
  shifted[2].point += Fr::one();
  EXPECT_FALSE(verify(shifted, opening->proof).ok());
  EXPECT_FALSE(verify(vq, opening->proof, "another-protocol").ok()) << "transcript label";
  KzgBatchProof fewer{{opening->proof.witnesses[0], opening->proof.witnesses[1]}};
  auto st = verify(vq, fewer);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("2 witnesses"), std::string::npos);
}

TEST(KzgBatch, ProofEncodingRoundTripsAndRejectsGarbage) {
  Fixture fx(8);
  KzgBatchProof p{{G1::generator().mul_u64_vartime(3).to_affine(), G1Affine::identity()}};
  auto bytes = p.to_bytes();
  EXPECT_EQ(bytes.size(), 4u + 64u);
  auto back = KzgBatchProof::from_bytes(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->witnesses, p.witnesses);
  for (std::size_t len = 0; len < bytes.size(); ++len)
    EXPECT_FALSE(KzgBatchProof::from_bytes(std::span(bytes.data(), len)).ok()) << len;
  auto wrong_count = bytes;
  wrong_count[0] = 3;
  EXPECT_FALSE(KzgBatchProof::from_bytes(wrong_count).ok());
  auto huge = bytes;
  huge[3] = 0x80;
  EXPECT_FALSE(KzgBatchProof::from_bytes(huge).ok());
  auto off_curve = bytes;
  off_curve[4 + 31] ^= 0x01;
  off_curve[4 + 31] ^= 0x04;
  auto r = KzgBatchProof::from_bytes(off_curve);
  if (r.ok()) {  // another valid x: it must decode to a different point
    EXPECT_NE(r->witnesses[0], p.witnesses[0]);
  }
}

}  // namespace
}  // namespace verdict::commit
