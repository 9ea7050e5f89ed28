// The proof system on generated circuits (random_circuit_testing.hpp):
//   completeness   many shapes, from a few active rows to a completely full domain,
//                  one or two phases, with and without lookups; mock prover and proofs
//   soundness      single-cell mutations of gate outputs, copied cells, lookup inputs
//                  and phase-1 cells: the mock prover names the failure, and a proof
//                  forced out of the bad witness is rejected
//   tampering      every sampled byte flip of a proof, a changed public input, another
//                  circuit's verifying key: rejected
//   keys           verifying and proving keys survive their encodings; damaged keys
//                  are refused
//   zero knowledge (smoke) two witnesses of one statement give proofs of one shape, and
//                  two proofs of one witness share no advice commitment or evaluation
#include <gtest/gtest.h>

#include <set>

#include "snark/plonk/mock_prover.hpp"
#include "snark/plonk/prover.hpp"
#include "snark/plonk/random_circuit_testing.hpp"
#include "snark/plonk/verifier.hpp"

namespace verdict::plonk {
namespace {

using testing::Mutation;
using testing::RandomCircuit;
using testing::RandomCircuitParams;

std::shared_ptr<const commit::Srs> srs_for(unsigned k) {
  static std::shared_ptr<const commit::Srs> cache[12];  // test-local memo by k
  if (!cache[k]) {
    ChaChaRng rng(4321);
    cache[k] = std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau((std::size_t(1) << k) + 1, Fr::random(rng)));
  }
  return cache[k];
}

std::string message(const Status& s) { return s.ok() ? "" : s.error().message; }

void expect_complete(RandomCircuitParams params) {
  SCOPED_TRACE("seed " + std::to_string(params.seed) + " k " + std::to_string(params.k));
  RandomCircuit circuit(params);
  auto pk = keygen(circuit, srs_for(params.k), params.k);
  ASSERT_TRUE(pk.ok()) << pk.error().message;
  auto instances = circuit.instances();
  auto mock = MockProver::run(circuit, params.k, instances);
  ASSERT_TRUE(mock.ok()) << mock.error().message;
  EXPECT_TRUE(mock->verify().ok()) << message(mock->verify());
  OsRng rng;
  auto proof = prove(*pk, circuit, instances, rng);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  Status st = verify_bytes(pk->vk, instances, proof->to_bytes());
  EXPECT_TRUE(st.ok()) << message(st);
}

TEST(PlonkRandom, CompletenessAcrossShapes) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    RandomCircuitParams p;
    p.seed = seed;
    p.k = 4 + unsigned(seed % 4);
    p.inputs = 2 + unsigned(seed % 3);
    p.gates = 1 + unsigned(seed % 3);
    p.fixed = unsigned(seed % 2);
    p.committed = unsigned(seed % 3);
    p.copies = unsigned(seed % 4);
    p.lookup = seed % 3 != 0;
    p.two_column_lookup = seed % 2 == 0;
    p.batched_lookup = seed % 3 == 1;
    p.two_phase = seed % 4 != 1;
    p.active_rows = seed % 2 ? 0 : 3 + seed % 5;  // the full domain, or a few rows
    expect_complete(p);
  }
}

TEST(PlonkRandom, EdgeSizes) {
  RandomCircuitParams few;  // the smallest interesting table: three active rows
  few.k = 4;
  few.active_rows = 3;
  expect_complete(few);
  RandomCircuitParams full;  // every usable row of the domain holds constraints
  full.k = 5;
  full.active_rows = 0;
  full.seed = 99;
  expect_complete(full);
  RandomCircuitParams bare;  // no lookups, one phase
  bare.lookup = false;
  bare.two_phase = false;
  bare.seed = 5;
  expect_complete(bare);
}

// A mutation must be named by the mock prover and make a forced proof fail.
void expect_caught(RandomCircuit& circuit, const ProvingKey& pk, unsigned k, const Mutation& m,
                   VerifyFailure::Kind expected_kind) {
  SCOPED_TRACE("mutating " + m.column.to_string() + " row " + std::to_string(m.row));
  auto instances = circuit.instances();
  circuit.mutation = m;
  auto mock = MockProver::run(circuit, k, instances);
  ASSERT_TRUE(mock.ok());
  ASSERT_FALSE(mock->failures().empty()) << "the mock prover missed the mutation";
  bool kind_seen = false;
  for (const auto& f : mock->failures()) kind_seen |= f.kind == expected_kind;
  EXPECT_TRUE(kind_seen) << mock->failures()[0].to_string();
  EXPECT_NE(mock->failures()[0].to_string().find("row"), std::string::npos);
  OsRng rng;
  EXPECT_FALSE(prove(pk, circuit, instances, rng).ok()) << "the prover accepted a bad witness";
  auto forced = prove(pk, circuit, instances, rng, ProverOptions{true});
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_FALSE(verify(pk.vk, instances, *forced).ok()) << "a proof of a bad witness verified";
  circuit.mutation.reset();
}

TEST(PlonkRandom, SoundnessByMutation) {
  for (std::uint64_t seed : {3u, 8u, 21u}) {
    RandomCircuitParams p;
    p.seed = seed;
    p.k = 5;
    p.copies = 3;
    p.batched_lookup = seed != 8;
    RandomCircuit circuit(p);
    auto pk = keygen(circuit, srs_for(p.k), p.k);
    ASSERT_TRUE(pk.ok()) << pk.error().message;
    const std::size_t row = 2 + seed % (circuit.active() - 4);
    const Fr delta = Fr::from_u64(1000003 + seed);
    expect_caught(circuit, *pk, p.k, {circuit.output_cols[0], row, delta}, VerifyFailure::Kind::kGate);
    for (const auto& [a, b] : circuit.copy_pairs) {
      if (a.column == b.column && a.row == b.row) continue;
      expect_caught(circuit, *pk, p.k, {b.column, b.row, delta}, VerifyFailure::Kind::kCopy);
      break;
    }
    expect_caught(circuit, *pk, p.k, {circuit.lookup_cols[0], row, delta}, VerifyFailure::Kind::kLookup);
    if (p.batched_lookup)  // the second tuple of the batched argument
      expect_caught(circuit, *pk, p.k, {circuit.lookup_cols.back(), row, delta}, VerifyFailure::Kind::kLookup);
    expect_caught(circuit, *pk, p.k, {circuit.rlc_col, row, delta}, VerifyFailure::Kind::kGate);
  }
}

struct Fixture {
  RandomCircuit circuit{RandomCircuitParams{7, 5}};
  ProvingKey pk;
  std::vector<std::vector<Fr>> instances;
  Proof proof;
  Fixture() {
    auto k = keygen(circuit, srs_for(5), 5);
    pk = std::move(*k);
    instances = circuit.instances();
    OsRng rng;
    proof = std::move(*prove(pk, circuit, instances, rng));
  }
};

TEST(PlonkRandom, TamperedProofsPublicInputsAndKeysAreRejected) {
  Fixture fx;
  auto bytes = fx.proof.to_bytes();
  ASSERT_TRUE(verify_bytes(fx.pk.vk, fx.instances, bytes).ok());
  int accepted = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 5) {
    auto bad = bytes;
    bad[i] ^= std::uint8_t(1u << (i % 8));
    if (verify_bytes(fx.pk.vk, fx.instances, bad).ok()) ++accepted;
  }
  EXPECT_EQ(accepted, 0);
  for (std::size_t len : {std::size_t(0), std::size_t(5), bytes.size() / 2, bytes.size() - 1}) {
    Status st = verify_bytes(fx.pk.vk, fx.instances, std::span(bytes.data(), len));
    EXPECT_FALSE(st.ok());
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(verify_bytes(fx.pk.vk, fx.instances, longer).ok());
  auto changed = fx.instances;
  changed[0][0] += Fr::one();
  EXPECT_FALSE(verify(fx.pk.vk, changed, fx.proof).ok());
  changed = fx.instances;
  changed[0].push_back(Fr::zero());  // one more public value, even a zero, is another statement
  EXPECT_FALSE(verify(fx.pk.vk, changed, fx.proof).ok());
  // Another circuit of the same shape (another seed) and its key.
  RandomCircuit other(RandomCircuitParams{8, 5});
  auto other_pk = keygen(other, srs_for(5), 5);
  ASSERT_TRUE(other_pk.ok());
  EXPECT_FALSE(verify_bytes(other_pk->vk, fx.instances, bytes).ok());
}

TEST(PlonkRandom, KeysSurviveTheirEncodingsAndDamagedKeysAreRefused) {
  Fixture fx;
  auto vk_bytes = fx.pk.vk.to_bytes();
  auto vk = VerifyingKey::from_bytes(vk_bytes);
  ASSERT_TRUE(vk.ok()) << vk.error().message;
  EXPECT_EQ(vk->digest, fx.pk.vk.digest);
  EXPECT_TRUE(verify(*vk, fx.instances, fx.proof).ok());
  for (std::size_t len = 0; len < vk_bytes.size(); len += 3)
    EXPECT_FALSE(VerifyingKey::from_bytes(std::span(vk_bytes.data(), len)).ok()) << len;
  int accepted_and_verified = 0;
  for (std::size_t i = 0; i < vk_bytes.size(); i += 7) {
    auto bad = vk_bytes;
    bad[i] ^= 0x04;
    auto v = VerifyingKey::from_bytes(bad);
    if (v.ok() && verify(*v, fx.instances, fx.proof).ok()) ++accepted_and_verified;
  }
  EXPECT_EQ(accepted_and_verified, 0);

  auto pk_bytes = fx.pk.to_bytes();
  auto pk = ProvingKey::from_bytes(pk_bytes, srs_for(5));
  ASSERT_TRUE(pk.ok()) << pk.error().message;
  OsRng rng;
  auto proof = prove(*pk, fx.circuit, fx.instances, rng);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_TRUE(verify(fx.pk.vk, fx.instances, *proof).ok());
  auto bad = pk_bytes;
  bad[bad.size() / 2] ^= 1;
  auto refused = ProvingKey::from_bytes(bad, srs_for(5));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("digest"), std::string::npos);
  EXPECT_FALSE(ProvingKey::from_bytes(std::span(pk_bytes.data(), pk_bytes.size() - 1), srs_for(5)).ok());
}

// x * y = out with out public: many witnesses for one statement.
class FactorCircuit : public Circuit {
 public:
  FactorCircuit(std::uint64_t x, std::uint64_t y) : x_(x), y_(y) {}
  void configure(ConstraintSystem& cs) override {
    x = cs.advice_column();
    y = cs.advice_column();
    out = cs.advice_column();
    q = cs.selector();
    pub = cs.instance_column();
    cs.enable_equality(out);
    cs.enable_equality(pub);
    cs.create_gate("x*y=out", {{"product", Expression::query(q) * (Expression::query(x) * Expression::query(y) - Expression::query(out))}});
  }
  Status assign_fixed(FixedAssignment& f) const override {
    if (auto st = f.assign(q, 0, Fr::one()); !st.ok()) return st;
    return f.copy(out, 0, pub, 0);
  }
  Status assign_advice(unsigned, std::span<const Fr>, AdviceAssignment& a) const override {
    (void)a.assign(x, 0, Fr::from_u64(x_));
    (void)a.assign(y, 0, Fr::from_u64(y_));
    return a.assign(out, 0, Fr::from_u64(x_ * y_));
  }
  Column x, y, out, q, pub;

 private:
  std::uint64_t x_, y_;
};

TEST(PlonkRandom, ZeroKnowledgeSmoke) {
  FactorCircuit w1(3, 4), w2(2, 6);
  auto pk = keygen(w1, srs_for(4), 4);
  ASSERT_TRUE(pk.ok());
  std::vector<std::vector<Fr>> statement = {{Fr::from_u64(12)}};
  OsRng rng;
  auto p1 = prove(*pk, w1, statement, rng), p2 = prove(*pk, w2, statement, rng), p3 = prove(*pk, w1, statement, rng);
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok());
  for (const Proof* p : {&*p1, &*p2, &*p3}) EXPECT_TRUE(verify(pk->vk, statement, *p).ok());
  // One statement, two witnesses: the same structure, byte for byte in length and layout.
  EXPECT_EQ(p1->to_bytes().size(), p2->to_bytes().size());
  EXPECT_EQ(p1->advice_evals.size(), p2->advice_evals.size());
  // The same witness twice: nothing about the advice repeats.
  std::set<std::vector<std::uint8_t>> seen;
  for (const Proof* p : {&*p1, &*p3}) {
    for (const auto& c : p->advice_commitments) {
      auto b = curve::g1_to_bytes_compressed(c);
      EXPECT_TRUE(seen.insert({b.begin(), b.end()}).second) << "an advice commitment repeats";
    }
    for (const Fr& v : p->advice_evals) {
      auto b = v.to_bytes_be();
      EXPECT_TRUE(seen.insert({b.begin(), b.end()}).second) << "an advice evaluation repeats";
    }
  }
}

}  // namespace
}  // namespace verdict::plonk
