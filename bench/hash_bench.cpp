// Hash kernels: Keccak-256 throughput (1 KiB and 1 MiB messages), the Poseidon
// permutation for t = 3 and t = 5 (optimised and reference forms), circomlib's 2-to-1
// poseidon, and the sponge over 784 elements (an MNIST-sized packed input).
#include <benchmark/benchmark.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/hash/keccak256.hpp"
#include "snark/hash/poseidon.hpp"
#include "snark/hash/poseidon_sponge.hpp"
#include "snark/hash/transcript.hpp"

namespace {
using verdict::field::Fr;
using namespace verdict::hash;

void BM_Keccak256(benchmark::State& state) {
  verdict::ChaChaRng rng(1);
  std::vector<std::uint8_t> msg(static_cast<std::size_t>(state.range(0)));
  rng.fill(msg);
  for (auto _ : state) {
    auto d = keccak256(msg);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Keccak256)->Arg(1024)->Arg(1 << 20);

void BM_KeccakF1600(benchmark::State& state) {
  std::array<std::uint64_t, 25> s{};
  for (auto _ : state) {
    keccak_f1600(s);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_KeccakF1600);

template <std::size_t T>
void BM_PoseidonPermute(benchmark::State& state) {
  verdict::ChaChaRng rng(2);
  typename Poseidon<T>::State s;
  for (auto& x : s) x = Fr::random(rng);
  for (auto _ : state) {
    Poseidon<T>::permute(s);  // dependent chain: latency of one permutation
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_PoseidonPermute<3>);
BENCHMARK(BM_PoseidonPermute<5>);

template <std::size_t T>
void BM_PoseidonPermuteReference(benchmark::State& state) {
  verdict::ChaChaRng rng(3);
  typename Poseidon<T>::State s;
  for (auto& x : s) x = Fr::random(rng);
  for (auto _ : state) {
    Poseidon<T>::permute_reference(s);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_PoseidonPermuteReference<3>);
BENCHMARK(BM_PoseidonPermuteReference<5>);

void BM_PoseidonHash2(benchmark::State& state) {
  verdict::ChaChaRng rng(4);
  Fr a = Fr::random(rng), b = Fr::random(rng);
  for (auto _ : state) {
    a = poseidon_hash2(a, b);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_PoseidonHash2);

void BM_PoseidonHashMany784(benchmark::State& state) {
  verdict::ChaChaRng rng(5);
  std::vector<Fr> in(784);
  for (auto& x : in) x = Fr::random(rng);
  for (auto _ : state) {
    Fr h = poseidon_hash_many(in);
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations() * 784);
}
BENCHMARK(BM_PoseidonHashMany784);

void BM_TranscriptScalarAndChallenge(benchmark::State& state) {
  verdict::ChaChaRng rng(6);
  Fr x = Fr::random(rng);
  Transcript tr("bench");
  for (auto _ : state) {
    tr.absorb_scalar("x", x);
    x = tr.challenge_scalar("c");
    benchmark::DoNotOptimize(x);
  }
}
BENCHMARK(BM_TranscriptScalarAndChallenge);

}  // namespace

BENCHMARK_MAIN();
