// Committed columns: hidden values fixed at key generation, bound to the verifying
// key's commitment, re-randomised in every proof.
#include <gtest/gtest.h>

#include "snark/plonk/mock_prover.hpp"
#include "snark/plonk/prover.hpp"
#include "snark/plonk/random_circuit_testing.hpp"
#include "snark/plonk/verifier.hpp"
#include "snark/poly/ntt.hpp"

namespace verdict::plonk {
namespace {

std::shared_ptr<const commit::Srs> test_srs(std::size_t n) {
  ChaChaRng rng(4321);
  return std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau(n, Fr::random(rng)));
}

// A hidden-weight dot product: acc_r = acc_(r-1) + w_r * x_r over rows 0 .. len-1,
// w a committed column (the "model"), x advice, the final acc public.
class DotCircuit : public Circuit {
 public:
  DotCircuit(std::vector<std::uint64_t> weights, std::vector<std::uint64_t> inputs)
      : weights_(std::move(weights)), inputs_(std::move(inputs)) {}

  void configure(ConstraintSystem& cs) override {
    w = cs.committed_column();
    x = cs.advice_column();
    acc = cs.advice_column();
    first = cs.selector();
    rest = cs.selector();
    pub = cs.instance_column();
    cs.enable_equality(acc);
    cs.enable_equality(pub);
    auto q = [](Column c, std::int32_t rot = 0) { return Expression::query(c, rot); };
    cs.create_gate("dot", {{"acc = w x", q(first) * (q(acc) - q(w) * q(x))},
                           {"acc = acc' + w x", q(rest) * (q(acc) - q(acc, -1) - q(w) * q(x))}});
  }
  Status assign_fixed(FixedAssignment& f) const override {
    for (std::size_t r = 0; r < weights_.size(); ++r) {
      if (auto st = f.assign_committed(w, r, Fr::from_u64(weights_[r])); !st.ok()) return st;
      if (auto st = f.assign(r == 0 ? first : rest, r, Fr::one()); !st.ok()) return st;
    }
    return f.copy(acc, weights_.size() - 1, pub, 0);
  }
  Status assign_advice(unsigned, std::span<const Fr>, AdviceAssignment& adv) const override {
    Fr sum = Fr::zero();
    for (std::size_t r = 0; r < weights_.size(); ++r) {
      auto wr = adv.value(w, r);  // the circuit reads its committed cells like fixed ones
      if (!wr.ok()) return wr.error();
      sum += *wr * Fr::from_u64(inputs_[r]);
      if (auto st = adv.assign(x, r, Fr::from_u64(inputs_[r])); !st.ok()) return st;
      if (auto st = adv.assign(acc, r, sum); !st.ok()) return st;
    }
    return {};
  }
  Fr output() const {
    Fr sum = Fr::zero();
    for (std::size_t r = 0; r < weights_.size(); ++r) sum += Fr::from_u64(weights_[r] * inputs_[r]);
    return sum;
  }
  std::vector<std::uint64_t> weights_, inputs_;
  Column w, x, acc, first, rest, pub;
};

constexpr unsigned kK = 5;

struct Fixture {
  std::shared_ptr<const commit::Srs> srs = test_srs((1u << kK) + 1);
  DotCircuit circuit{{3, 1, 4, 1, 5, 9, 2, 6}, {2, 7, 1, 8, 2, 8, 1, 8}};
  ProvingKey pk = [&] {
    ChaChaRng rng(99);
    auto k = keygen(circuit, srs, kK, &rng);
    EXPECT_TRUE(k.ok()) << k.error().message;
    return std::move(*k);
  }();
  Proof prove_with(const ProvingKey& key, Circuit& c, std::uint64_t seed) {
    ChaChaRng rng(seed);
    auto p = prove(key, c, {{circuit.output()}}, rng);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? std::move(*p) : Proof{};
  }
};

TEST(Committed, ProofsVerifyAndTheModelCommitmentStaysTheSame) {
  Fixture f;
  ASSERT_EQ(f.pk.vk.committed_commitments.size(), 1u);
  const G1Affine model = f.pk.vk.committed_commitments[0];
  Proof a = f.prove_with(f.pk, f.circuit, 1), b = f.prove_with(f.pk, f.circuit, 2);
  EXPECT_TRUE(verify(f.pk.vk, {{f.circuit.output()}}, a).ok());
  EXPECT_TRUE(verify(f.pk.vk, {{f.circuit.output()}}, b).ok());
  EXPECT_TRUE(f.pk.vk.committed_commitments[0] == model);
  // Every proof re-randomises: different D, and different opened values of the
  // re-randomised column even where the points would coincide.
  EXPECT_FALSE(a.committed_blinding[0] == b.committed_blinding[0]);
  EXPECT_FALSE(a.committed_quotient[0] == b.committed_quotient[0]);
  // The claimed output is bound.
  EXPECT_FALSE(verify(f.pk.vk, {{f.circuit.output() + Fr::one()}}, a).ok());
}

TEST(Committed, AnotherModelsCommitmentRejectsTheProof) {
  Fixture f;
  Proof proof = f.prove_with(f.pk, f.circuit, 3);
  DotCircuit other{{3, 1, 4, 1, 5, 9, 2, 7}, f.circuit.inputs_};
  ChaChaRng rng(100);
  auto other_pk = keygen(other, f.srs, kK, &rng);
  ASSERT_TRUE(other_pk.ok());
  EXPECT_FALSE(verify(other_pk->vk, {{f.circuit.output()}}, proof).ok());
  // Same weights, fresh keygen blinding: a different (hiding) commitment, also rejected.
  ChaChaRng rng2(101);
  auto same_weights = keygen(f.circuit, f.srs, kK, &rng2);
  ASSERT_TRUE(same_weights.ok());
  EXPECT_FALSE(same_weights->vk.committed_commitments[0] == f.pk.vk.committed_commitments[0]);
  EXPECT_FALSE(verify(same_weights->vk, {{f.circuit.output()}}, proof).ok());
}

TEST(Committed, AProverWithOtherWeightsCannotUseTheCommitment) {
  Fixture f;
  // The prover's key holds different hidden values on a usable row but claims the
  // published commitment: the re-randomised commitment no longer matches its openings.
  ProvingKey cheat = f.pk;
  cheat.committed_values[0][7] = Fr::from_u64(7);  // weight 6 -> 7
  cheat.committed_polys[0] = cheat.committed_values[0];
  (void)poly::intt(*cheat.domain, cheat.committed_polys[0]);
  DotCircuit claims{{3, 1, 4, 1, 5, 9, 2, 7}, f.circuit.inputs_};
  ChaChaRng rng(5);
  auto proof = prove(cheat, claims, {{claims.output()}}, rng);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_FALSE(verify(f.pk.vk, {{claims.output()}}, *proof).ok());
}

TEST(Committed, MovingAUsableRowThroughTheBlindingFailsThePairingCheck) {
  // The attack the blinding check exists for: D also moves a usable row (a weight),
  // so that C_W + D commits exactly to the values the prover opens. Everything is
  // consistent except that d no longer vanishes outside the blinding rows.
  Fixture f;
  const std::size_t row = 7, u = f.pk.vk.usable_rows();
  const Fr delta_w = Fr::one();  // weight 6 -> 7
  ProvingKey cheat = f.pk;
  cheat.committed_values[0][row] += delta_w;
  // The prover's first random draw is nu for row u + 1; replay it to know delta_0.
  const std::uint64_t seed = 77;
  ChaChaRng replay(seed);
  const Fr delta_0 = Fr::random(replay) - cheat.committed_values[0][u + 1];
  std::vector<Fr> unit(f.pk.vk.n(), Fr::zero());
  unit[row] = Fr::one();
  (void)poly::intt(*f.pk.domain, unit);
  const curve::G1 l_row = *commit::kzg_commit(*f.srs, unit);
  cheat.blinding_lagrange[0] =
      (curve::G1::from_affine(cheat.blinding_lagrange[0]) + l_row.mul_vartime(delta_w * delta_0.inverse())).to_affine();
  DotCircuit claims{{3, 1, 4, 1, 5, 9, 2, 7}, f.circuit.inputs_};
  ChaChaRng rng(seed);
  auto proof = prove(cheat, claims, {{claims.output()}}, rng);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  auto st = verify(f.pk.vk, {{claims.output()}}, *proof);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("pairing"), std::string::npos) << st.error().message;
}

TEST(Committed, TamperedBlindingIsRejected) {
  Fixture f;
  Proof proof = f.prove_with(f.pk, f.circuit, 4);
  using curve::G1;
  const G1 g = G1::generator();
  {
    Proof bad = proof;  // D moved by [1]_1: the blinding check fails
    bad.committed_blinding[0] = (G1::from_affine(bad.committed_blinding[0]) + g).to_affine();
    EXPECT_FALSE(verify(f.pk.vk, {{f.circuit.output()}}, bad).ok());
  }
  {
    Proof bad = proof;
    bad.committed_quotient[0] = (G1::from_affine(bad.committed_quotient[0]) + g).to_affine();
    EXPECT_FALSE(verify(f.pk.vk, {{f.circuit.output()}}, bad).ok());
  }
  {
    Proof bad = proof;
    bad.committed_evals[0] += Fr::one();
    EXPECT_FALSE(verify(f.pk.vk, {{f.circuit.output()}}, bad).ok());
  }
}

TEST(Committed, KeysRoundTripAndADecodedKeyProves) {
  Fixture f;
  auto vk = VerifyingKey::from_bytes(f.pk.vk.to_bytes());
  ASSERT_TRUE(vk.ok()) << vk.error().message;
  EXPECT_EQ(vk->digest, f.pk.vk.digest);
  auto pk = ProvingKey::from_bytes(f.pk.to_bytes(), f.srs);
  ASSERT_TRUE(pk.ok()) << pk.error().message;
  Proof proof = f.prove_with(*pk, f.circuit, 6);
  EXPECT_TRUE(verify(*vk, {{f.circuit.output()}}, proof).ok());
  auto decoded = Proof::from_bytes(proof.to_bytes(), *vk);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(verify(*vk, {{f.circuit.output()}}, *decoded).ok());
  // A truncated verifying key (the committed-column points cut off) is refused.
  auto bytes = f.pk.vk.to_bytes();
  bytes.resize(bytes.size() - 64);
  EXPECT_FALSE(VerifyingKey::from_bytes(bytes).ok());
}

TEST(Committed, KeygenNeedsTheG2Powers) {
  Fixture f;
  auto bare = std::make_shared<commit::Srs>(*f.srs);
  bare->g2_powers.clear();
  auto pk = keygen(f.circuit, bare, kK);
  ASSERT_FALSE(pk.ok());
  EXPECT_NE(pk.error().message.find("_2"), std::string::npos) << pk.error().message;
}

TEST(Committed, MockProverReadsCommittedCells) {
  DotCircuit circuit{{3, 1, 4, 1, 5, 9, 2, 6}, {2, 7, 1, 8, 2, 8, 1, 8}};
  auto ok = MockProver::run(circuit, kK, {{circuit.output()}});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->verify().ok()) << ok->verify().error().message;
  auto wrong = MockProver::run(circuit, kK, {{circuit.output() + Fr::one()}});
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->verify().ok());
}

TEST(Committed, RandomCircuitsWithCommittedColumns) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    testing::RandomCircuitParams p;
    p.seed = seed;
    p.k = 5;
    p.committed = 2;
    p.fixed = 0;
    testing::RandomCircuit circuit(p);
    ChaChaRng rng(seed);
    auto pk = keygen(circuit, test_srs((1u << p.k) + 1), p.k, &rng);
    ASSERT_TRUE(pk.ok()) << pk.error().message;
    auto proof = prove(*pk, circuit, circuit.instances(), rng);
    ASSERT_TRUE(proof.ok()) << proof.error().message;
    EXPECT_TRUE(verify(pk->vk, circuit.instances(), *proof).ok()) << "seed " << seed;
  }
}

}  // namespace
}  // namespace verdict::plonk
