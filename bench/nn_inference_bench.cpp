// One integer reference inference of a quantized model (nn::run_reference): what an MP
// pays to inspect one example in the simulator's cost model (sim/cost_model.cpp).
//   nn_inference_bench MODEL [google-benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "base/rng.hpp"
#include "snark/nn/model.hpp"

namespace {

verdict::nn::Model g_model;  // set once in main, read-only while benchmarks run

void BM_ReferenceInference(benchmark::State& state) {
  std::vector<std::uint8_t> input(g_model.tensors[g_model.input].shape.size());
  verdict::ChaChaRng rng(1);
  rng.fill(input);
  for (auto _ : state) {
    auto out = verdict::nn::run_reference(g_model, input);
    if (!out.ok()) state.SkipWithError(out.error().message.c_str());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_ReferenceInference)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: nn_inference_bench MODEL [benchmark flags]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto model = verdict::nn::Model::from_bytes(bytes);
  if (!model.ok()) {
    std::fprintf(stderr, "nn_inference_bench: %s: %s\n", argv[1], model.error().message.c_str());
    return 2;
  }
  g_model = std::move(*model);
  argv[1] = argv[0];
  --argc;
  ++argv;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
