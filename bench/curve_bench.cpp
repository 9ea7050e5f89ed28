// Curve kernels: group operations, pairing, 2-pairing product check, and G1 MSM at
// 2^16 and 2^20 points (random points and scalars), across window widths.
#include <benchmark/benchmark.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/curve/msm.hpp"
#include "snark/curve/pairing.hpp"

namespace {
using namespace verdict::curve;
using verdict::field::Fr;

struct MsmInput {
  std::vector<G1Affine> bases;
  std::vector<Fr> scalars;
};

const MsmInput& msm_input(std::size_t n) {
  static MsmInput cache[32];  // benchmark-local memo, per size
  unsigned log = 0;
  while ((std::size_t(1) << log) < n) ++log;
  MsmInput& in = cache[log];
  if (in.bases.size() != n) {
    verdict::ChaChaRng rng(77);
    std::vector<G1> jac(n);
    G1 p = G1::generator().mul_vartime(Fr::random(rng)), step = G1::generator().mul_vartime(Fr::random(rng));
    for (auto& j : jac) j = p, p += step;
    in.bases.resize(n);
    G1::batch_to_affine(jac, in.bases);
    in.scalars.resize(n);
    for (auto& s : in.scalars) s = Fr::random(rng);
  }
  return in;
}

void BM_G1Add(benchmark::State& state) {
  verdict::ChaChaRng rng(1);
  G1 a = G1::generator().mul_vartime(Fr::random(rng)), b = G1::generator().mul_vartime(Fr::random(rng));
  for (auto _ : state) benchmark::DoNotOptimize(a = a + b);
}
BENCHMARK(BM_G1Add);

void BM_G1MixedAdd(benchmark::State& state) {
  verdict::ChaChaRng rng(2);
  G1 a = G1::generator().mul_vartime(Fr::random(rng));
  G1Affine b = G1::generator().mul_vartime(Fr::random(rng)).to_affine();
  for (auto _ : state) benchmark::DoNotOptimize(a = a.add_mixed(b));
}
BENCHMARK(BM_G1MixedAdd);

void BM_G1Double(benchmark::State& state) {
  G1 a = G1::generator();
  for (auto _ : state) benchmark::DoNotOptimize(a = a.dbl());
}
BENCHMARK(BM_G1Double);

void BM_Pairing(benchmark::State& state) {
  verdict::ChaChaRng rng(3);
  G1Affine p = G1::generator().mul_vartime(Fr::random(rng)).to_affine();
  G2Affine q = G2::generator().mul_vartime(Fr::random(rng)).to_affine();
  for (auto _ : state) benchmark::DoNotOptimize(pairing(p, q));
}
BENCHMARK(BM_Pairing)->Unit(benchmark::kMillisecond);

void BM_PairingProduct2(benchmark::State& state) {
  verdict::ChaChaRng rng(4);
  Fr a = Fr::random(rng);
  std::vector<std::pair<G1Affine, G2Affine>> pairs = {
      {G1::generator().mul_vartime(a).to_affine(), G2Affine::generator()},
      {(-G1::generator()).to_affine(), G2::generator().mul_vartime(a).to_affine()}};
  for (auto _ : state) {
    bool ok = pairing_product_is_one(pairs);
    if (!ok) state.SkipWithError("pairing check failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_PairingProduct2)->Unit(benchmark::kMillisecond);

void BM_PairingProduct2Prepared(benchmark::State& state) {
  verdict::ChaChaRng rng(5);
  Fr a = Fr::random(rng);
  G2Prepared g = G2Prepared::from(G2Affine::generator()), ag = G2Prepared::from(G2::generator().mul_vartime(a).to_affine());
  std::vector<std::pair<G1Affine, const G2Prepared*>> pairs = {{G1::generator().mul_vartime(a).to_affine(), &g},
                                                               {(-G1::generator()).to_affine(), &ag}};
  for (auto _ : state) benchmark::DoNotOptimize(pairing_product_is_one(pairs));
}
BENCHMARK(BM_PairingProduct2Prepared)->Unit(benchmark::kMillisecond);

void BM_G2SubgroupCheck(benchmark::State& state) {
  G2 q = G2::generator().mul_u64_vartime(12345);
  for (auto _ : state) benchmark::DoNotOptimize(g2_in_subgroup_vartime(q));
}
BENCHMARK(BM_G2SubgroupCheck)->Unit(benchmark::kMicrosecond);

// Arg 0: log2 n; arg 1: window width (0 = default).
void BM_MsmG1(benchmark::State& state) {
  std::size_t n = std::size_t(1) << state.range(0);
  unsigned c = unsigned(state.range(1));
  const MsmInput& in = msm_input(n);
  for (auto _ : state) {
    G1 r = c == 0 ? msm_vartime(in.bases, in.scalars) : msm_vartime_window(in.bases, in.scalars, c);
    benchmark::DoNotOptimize(r);
  }
  state.counters["window"] = c == 0 ? msm_default_window(n) : c;
}
BENCHMARK(BM_MsmG1)->Args({10, 0})->Args({16, 0})->Args({20, 0})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MsmG1)
    ->ArgsProduct({{10}, {5, 6, 7, 8, 9}})
    ->ArgsProduct({{11}, {5, 6, 7, 8, 9, 10}})
    ->ArgsProduct({{12}, {7, 8, 9, 10}})
    ->ArgsProduct({{13}, {8, 9, 10, 11}})
    ->ArgsProduct({{14}, {7, 8, 9, 10, 11, 12}})
    ->ArgsProduct({{16}, {10, 11, 12, 13, 14}})
    ->ArgsProduct({{20}, {14, 15, 16, 17, 18}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
