// Field kernels: Fr and Fq multiplication (throughput over independent operands and
// latency of a dependent chain), squaring, inversion.
#include <benchmark/benchmark.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/field/fq.hpp"
#include "snark/field/fq12.hpp"
#include "snark/field/fr.hpp"
#include "snark/field/mul_batch.hpp"

namespace {
using namespace verdict::field;

template <class F>
void BM_MulThroughput(benchmark::State& state) {
  verdict::ChaChaRng rng(1);
  constexpr std::size_t n = 1024;  // 64 KiB of operands: stays in L2
  std::vector<F> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = F::random(rng), b[i] = F::random(rng);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) a[i] = a[i] * b[i];
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_MulThroughput<Fr>);
BENCHMARK(BM_MulThroughput<Fq>);

// The throughput form: mul_batch over the same arrays (eight lanes with IFMA).
template <class F>
void BM_MulBatch(benchmark::State& state) {
  verdict::ChaChaRng rng(1);
  constexpr std::size_t n = 1024;
  std::vector<F> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = F::random(rng), b[i] = F::random(rng);
  for (auto _ : state) {
    mul_batch<F>(a, a, b);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_MulBatch<Fr>);
BENCHMARK(BM_MulBatch<Fq>);

template <class F>
void BM_MulLatency(benchmark::State& state) {
  verdict::ChaChaRng rng(2);
  F x = F::random(rng), y = F::random(rng);
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) x = x * y;
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_MulLatency<Fr>);

template <class F>
void BM_Add(benchmark::State& state) {
  verdict::ChaChaRng rng(3);
  constexpr std::size_t n = 1024;
  std::vector<F> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = F::random(rng), b[i] = F::random(rng);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) a[i] = a[i] + b[i];
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Add<Fr>);

template <class F>
void BM_Inverse(benchmark::State& state) {
  verdict::ChaChaRng rng(4);
  F x = F::random(rng);
  for (auto _ : state) benchmark::DoNotOptimize(x = x.inverse() + F::one());
}
BENCHMARK(BM_Inverse<Fr>);

template <class F>
void BM_InverseVartime(benchmark::State& state) {
  verdict::ChaChaRng rng(5);
  F x = F::random(rng);
  for (auto _ : state) benchmark::DoNotOptimize(x = x.inverse_vartime() + F::one());
}
BENCHMARK(BM_InverseVartime<Fr>);

void BM_Fq12Mul(benchmark::State& state) {
  verdict::ChaChaRng rng(6);
  auto r2 = [&] { return Fq2{Fq::random(rng), Fq::random(rng)}; };
  auto r6 = [&] { return Fq6{r2(), r2(), r2()}; };
  Fq12 a{r6(), r6()}, b{r6(), r6()};
  for (auto _ : state) benchmark::DoNotOptimize(a = a * b);
}
BENCHMARK(BM_Fq12Mul);

}  // namespace

BENCHMARK_MAIN();
