// End-to-end timing of a model's proof: setup (key generation), proving with the
// prover's phase breakdown, verification, proof size and peak memory, plus the
// per-layer table of the circuit. A timed run, not a Google Benchmark (seconds per run).
//
//   nn_prove_bench MODEL.vnnm [--public-input] [--runs N] [--witness-only]
//
// The SRS is an in-memory insecure one (tau from OS randomness): the timings are those
// of a real SRS of the same size.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "base/rng.hpp"
#include "snark/nn/inspect.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model_proof.hpp"

using namespace verdict;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
double peak_gib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / (1024.0 * 1024.0);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: nn_prove_bench MODEL.vnnm [--public-input] [--runs N]\n";
    return 2;
  }
  nn::CircuitOptions options;
  int runs = 1;
  bool witness_only = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--public-input")) options.input = nn::InputVisibility::kPublic;
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--witness-only")) witness_only = true;
    else {
      std::cerr << "unknown argument " << argv[i] << "\n";
      return 2;
    }
  }
  std::ifstream f(argv[1], std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
  auto model = nn::Model::from_bytes(bytes);
  if (!model.ok()) {
    std::cerr << argv[1] << ": " << model.error().message << "\n";
    return 2;
  }
  auto layout = nn::detail::plan_layout(*model, options);
  if (!layout.ok()) {
    std::cerr << layout.error().message << "\n";
    return 2;
  }
  std::cout << nn::layout_table(*model, *layout) << "\n";
  if (witness_only) {  // the witness alone: checks it against the reference and the circuit's ranges
    std::vector<std::uint8_t> input(model->tensors[model->input].shape.size());
    ChaChaRng irng(1);
    irng.fill(input);
    nn::ModelCircuit circuit(std::make_shared<const nn::Model>(*model),
                             std::make_shared<const nn::detail::Layout>(*layout));
    auto t0 = std::chrono::steady_clock::now();
    auto st = circuit.set_input(input, field::Fr::one());
    std::printf("witness: %s in %.2f s\n", st.ok() ? "ok" : st.error().message.c_str(), since(t0));
    return st.ok() ? 0 : 1;
  }
  const unsigned k = nn::circuit_k(*model, options).value();
  OsRng rng;
  auto t0 = std::chrono::steady_clock::now();
  auto srs = std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau((std::size_t(1) << k) + 1, field::Fr::random(rng)));
  std::printf("srs (in-memory, 2^%u + 1 powers): %.2f s\n", k, since(t0));
  t0 = std::chrono::steady_clock::now();
  auto key = nn::setup(*model, options, srs, rng);
  if (!key.ok()) {
    std::cerr << key.error().message << "\n";
    return 1;
  }
  std::printf("setup (key generation): %.2f s; model commitment computed; verifying key %zu bytes\n", since(t0),
              key->mvk.to_bytes().size());
  std::vector<std::uint8_t> input(model->tensors[model->input].shape.size());
  ChaChaRng irng(1);
  irng.fill(input);
  for (int r = 0; r < runs; ++r) {
    plonk::ProverStats st;
    t0 = std::chrono::steady_clock::now();
    auto proof = nn::prove(*key, *model, input, field::Fr::random(rng), rng, &st);
    const double tp = since(t0);
    if (!proof.ok()) {
      std::cerr << proof.error().message << "\n";
      return 1;
    }
    t0 = std::chrono::steady_clock::now();
    auto ok = nn::verify(key->mvk, *proof);
    const double tv = since(t0);
    std::printf("prove: %.2f s (witness %.2f, interpolate %.2f, commit %.2f, lookups %.2f, permutation %.2f, quotient ntt %.2f, "
                "quotient eval %.2f, evaluations %.2f, opening %.2f)\n",
                tp, st.witness, st.interpolate, st.commit, st.lookups, st.permutation, st.quotient_ntt, st.quotient_eval,
                st.evaluations, st.opening);
    std::printf("verify: %.2f ms (%s); proof %zu bytes (Plonk %zu); peak RSS %.2f GiB\n", tv * 1e3, ok.ok() ? "ok" : "FAILED",
                proof->to_bytes().size(), proof->proof.size(), peak_gib());
    if (!ok.ok()) return 1;
    if (r == 0) {  // the prover is one circuit: attribute its time to layers by their share of the rows
      std::printf("\nper-layer share of the proving time (rows of the larger track, pro rata):\n");
      const bool weight_bound = layout->weight_rows > layout->main_rows;
      const double total_rows = double(std::max(layout->main_rows, layout->weight_rows));
      for (const auto& lr : layout->layer_rows) {
        const double rows = weight_bound ? double(lr.weight_rows)
                                         : double(lr.element_rows + lr.gather_rows + lr.dot_rows + lr.other_rows);
        if (rows == 0) continue;
        std::printf("  %-40.40s %-13s %9.0f rows  %6.2f s\n", lr.name.c_str(), lr.kind.c_str(), rows, tp * rows / total_rows);
      }
    }
  }
  return 0;
}
