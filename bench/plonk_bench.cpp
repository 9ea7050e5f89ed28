// End-to-end benchmark of the Plonkish prover on the synthetic circuit:
//   2^k rows, 10 advice columns (all equality-enabled), two degree-4 gates on every
//   usable row, a 2^16-row table looked up on every usable row, and six copy
//   constraints per row chaining each row's outputs into the next row's inputs.
// Prints keygen / prove / verify times, the prover's profile, proof size and peak RSS,
// then one JSON line. The SRS is an in-memory INSECURE one (its generation is timed
// apart and not part of any figure).
//
// Usage: plonk_bench [--k K] [--verify-runs R]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "snark/plonk/prover.hpp"
#include "snark/plonk/verifier.hpp"

using namespace verdict;
using namespace verdict::plonk;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

constexpr std::size_t kTableRows = std::size_t(1) << 16;

class SyntheticCircuit : public Circuit {
 public:
  void configure(ConstraintSystem& cs) override {
    for (auto& c : a) {
      c = cs.advice_column();
      cs.enable_equality(c);
    }
    q1 = cs.selector();
    q2 = cs.selector();
    table = cs.table_column();
    auto A = [&](int i) { return Expression::query(a[i]); };
    cs.create_gate("deg4 a", {{"a5 = a0 a1 a2 + a3 a4", Expression::query(q1) * (A(0) * A(1) * A(2) + A(3) * A(4) - A(5))}});
    cs.create_gate("deg4 b", {{"a9 = a6 a7 a8", Expression::query(q2) * (A(6) * A(7) * A(8) - A(9))}});
    cs.lookup("a3 in [0, 2^16)", {A(3)}, {table});
  }
  Status assign_fixed(FixedAssignment& f) const override {
    const std::size_t u = f.usable_rows();
    for (std::size_t r = 0; r < kTableRows && r < u; ++r)
      if (auto st = f.assign(table, r, Fr::from_u64(r)); !st.ok()) return st;
    for (std::size_t r = 0; r < u; ++r) {
      (void)f.assign(q1, r, Fr::one());
      (void)f.assign(q2, r, Fr::one());
    }
    for (std::size_t r = 1; r < u; ++r) {
      for (auto [from, to] : kCopies)
        if (auto st = f.copy(a[from], r - 1, a[to], r); !st.ok()) return st;
    }
    return {};
  }
  Status assign_advice(unsigned, std::span<const Fr>, AdviceAssignment& adv) const override {
    const std::size_t u = adv.usable_rows();
    ChaChaRng rng(2024);
    std::array<Fr, 10> prev{}, cur{};
    for (std::size_t r = 0; r < u; ++r) {
      cur[1] = r ? prev[7] : Fr::random(rng);
      cur[0] = r ? prev[5] : Fr::random(rng);
      cur[2] = r ? prev[1] : Fr::random(rng);
      cur[3] = Fr::from_u64(rng.uniform(std::min(kTableRows, u)));
      cur[4] = r ? prev[8] : Fr::random(rng);
      cur[6] = r ? prev[9] : Fr::random(rng);
      cur[7] = Fr::random(rng);
      cur[8] = r ? prev[3] : Fr::random(rng);
      cur[5] = cur[0] * cur[1] * cur[2] + cur[3] * cur[4];
      cur[9] = cur[6] * cur[7] * cur[8];
      for (int i = 0; i < 10; ++i)
        if (auto st = adv.assign(a[i], r, cur[i]); !st.ok()) return st;
      prev = cur;
    }
    return {};
  }

  std::array<Column, 10> a;
  Column q1, q2, table;

 private:
  // (from column at row r-1, to column at row r)
  static constexpr std::pair<int, int> kCopies[6] = {{5, 0}, {7, 1}, {1, 2}, {8, 4}, {9, 6}, {3, 8}};
};

}  // namespace

int main(int argc, char** argv) {
  unsigned k = 20;
  int verify_runs = 20;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--k") && i + 1 < argc) {
      k = unsigned(std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--verify-runs") && i + 1 < argc) {
      verify_runs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: plonk_bench [--k K] [--verify-runs R]\n");
      return 2;
    }
  }
  // Below 2^17 rows the table holds the prefix [0, usable rows) of [0, 2^16), and
  // the inputs are drawn from that prefix.
  const std::size_t n = std::size_t(1) << k;
  double t = now();
  OsRng rng;
  auto srs = std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau(n + 1, Fr::random(rng)));
  double t_srs = now() - t;

  SyntheticCircuit circuit;
  t = now();
  auto pk = keygen(circuit, srs, k);
  double t_keygen = now() - t;
  if (!pk.ok()) {
    std::fprintf(stderr, "keygen: %s\n", pk.error().message.c_str());
    return 1;
  }
  ProverStats stats;
  t = now();
  auto proof = prove(*pk, circuit, {}, rng, {}, &stats);
  double t_prove = now() - t;
  if (!proof.ok()) {
    std::fprintf(stderr, "prove: %s\n", proof.error().message.c_str());
    return 1;
  }
  auto bytes = proof->to_bytes();
  t = now();
  for (int i = 0; i < verify_runs; ++i) {
    Status st = verify_bytes(pk->vk, {}, bytes);
    if (!st.ok()) {
      std::fprintf(stderr, "verify: %s\n", st.error().message.c_str());
      return 1;
    }
  }
  double t_verify = (now() - t) / verify_runs;
  long rss = peak_rss_mib();

  std::printf("synthetic circuit: 2^%u rows (%zu usable), 10 advice columns, degree %u, %u permutation chunks\n", k,
              pk->vk.usable_rows(), pk->vk.cs.degree(), pk->vk.cs.num_permutation_chunks());
  std::printf("  srs (insecure, in memory) %.2f s\n  keygen %.2f s\n  prove  %.2f s\n  verify %.2f ms\n", t_srs,
              t_keygen, t_prove, t_verify * 1e3);
  std::printf("  proof  %zu bytes\n  peak RSS %ld MiB\n", bytes.size(), rss);
  std::printf("  prover profile: witness %.2f, interpolate %.2f, commit (MSM) %.2f, lookups %.2f, permutation %.2f,\n"
              "                  quotient NTT %.2f, quotient evaluation %.2f, evaluations %.2f, opening %.2f (s)\n",
              stats.witness, stats.interpolate, stats.commit, stats.lookups, stats.permutation, stats.quotient_ntt,
              stats.quotient_eval, stats.evaluations, stats.opening);
  std::printf(
      "{\"bench\":\"plonk\",\"k\":%u,\"keygen_s\":%.3f,\"prove_s\":%.3f,\"verify_ms\":%.3f,\"proof_bytes\":%zu,"
      "\"peak_rss_mib\":%ld,\"msm_s\":%.3f,\"quotient_ntt_s\":%.3f,\"quotient_eval_s\":%.3f,\"lookups_s\":%.3f,"
      "\"permutation_s\":%.3f,\"opening_s\":%.3f,\"interpolate_s\":%.3f,\"evaluations_s\":%.3f,\"witness_s\":%.3f}\n",
      k, t_keygen, t_prove, t_verify * 1e3, bytes.size(), rss, stats.commit, stats.quotient_ntt, stats.quotient_eval,
      stats.lookups, stats.permutation, stats.opening, stats.interpolate, stats.evaluations, stats.witness);
  return 0;
}
