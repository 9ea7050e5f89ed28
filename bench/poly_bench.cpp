// snark/poly kernels: NTTs (forward, inverse, coset) at 2^16..2^22, the scalar NTT
// path for comparison, polynomial evaluation and division by X - z at 2^20.
// Multithreaded kernels report real time (UseRealTime). Run with
//   build/bin/bench_poly --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/poly/evaluation_domain.hpp"
#include "snark/poly/ntt.hpp"
#include "snark/poly/ntt_kernels.hpp"
#include "snark/poly/polynomial.hpp"

namespace {

using verdict::poly::EvaluationDomain;
using verdict::poly::Fr;

std::vector<Fr> random_vector(std::size_t n, std::uint64_t seed) {
  verdict::ChaChaRng rng(seed);
  std::vector<Fr> v(n);
  for (auto& x : v) x = Fr::random(rng);
  return v;
}

EvaluationDomain domain(benchmark::State& state) {
  auto d = EvaluationDomain::create(unsigned(state.range(0)));
  if (!d.ok()) state.SkipWithError(d.error().message.c_str());
  return std::move(d).value();
}

template <verdict::Status (*Transform)(const EvaluationDomain&, std::span<Fr>)>
void BM_Transform(benchmark::State& state) {
  const EvaluationDomain d = domain(state);
  std::vector<Fr> a = random_vector(d.size(), 1);
  for (auto _ : state) {
    if (!Transform(d, a).ok()) state.SkipWithError("transform failed");
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(d.size()));
}
BENCHMARK(BM_Transform<verdict::poly::ntt>)->Name("ntt")->DenseRange(16, 22, 2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Transform<verdict::poly::intt>)->Name("intt")->DenseRange(16, 22, 2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Transform<verdict::poly::coset_ntt>)->Name("coset_ntt")->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Transform<verdict::poly::coset_intt>)->Name("coset_intt")->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Transform<verdict::poly::ntt_to_bitrev>)->Name("ntt_to_bitrev")->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BitReverse(benchmark::State& state) {
  std::vector<Fr> a = random_vector(std::size_t(1) << state.range(0), 5);
  for (auto _ : state) {
    if (!verdict::poly::bit_reverse_permute(a).ok()) state.SkipWithError("bit reversal failed");
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(a.size()));
}
BENCHMARK(BM_BitReverse)->Name("bit_reverse_permute")->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);

// The portable path (what a CPU without AVX-512 IFMA runs).
void BM_NttScalar(benchmark::State& state) {
  const EvaluationDomain d = domain(state);
  std::vector<Fr> a = random_vector(d.size(), 2);
  for (auto _ : state) {
    verdict::poly::detail::dif(d.plan(), d.plan().forward, nullptr, a, verdict::poly::detail::Backend::kScalar);
    verdict::poly::detail::bit_reverse(a);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(d.size()));
}
BENCHMARK(BM_NttScalar)->Name("ntt_scalar")->Arg(16)->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Evaluate(benchmark::State& state) {
  const std::vector<Fr> f = random_vector(std::size_t(1) << state.range(0), 3);
  const Fr z = Fr::from_u64(123456789);
  for (auto _ : state) benchmark::DoNotOptimize(verdict::poly::evaluate(f, z));
  state.SetItemsProcessed(state.iterations() * std::int64_t(f.size()));
}
BENCHMARK(BM_Evaluate)->Name("evaluate")->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_DivideByLinear(benchmark::State& state) {
  const std::vector<Fr> f = random_vector(std::size_t(1) << state.range(0), 4);
  const Fr z = Fr::from_u64(987654321);
  for (auto _ : state) {
    Fr r;
    auto q = verdict::poly::divide_by_linear(f, z, &r);
    benchmark::DoNotOptimize(q.data());
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(f.size()));
}
BENCHMARK(BM_DivideByLinear)->Name("divide_by_linear")->Arg(20)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
