// SRS loading and KZG. The SRS benchmarks load and validate the tau powers of a
// .ptau file: a development file of the requested power, generated on first use into
// $VERDICT_BENCH_DATA (default /tmp/verdict-bench-data) and kept for later runs. The
// loading work (read, decode, on-curve and subgroup checks, consistency MSM and
// pairing check) is the same as for a ceremony file; only the marker section differs.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "snark/commit/kzg.hpp"
#include "snark/commit/ptau.hpp"

namespace {
using namespace verdict;
using namespace verdict::commit;

std::filesystem::path dev_ptau(unsigned power) {
  const char* env = std::getenv("VERDICT_BENCH_DATA");
  std::filesystem::path dir = env && *env ? env : "/tmp/verdict-bench-data";
  std::filesystem::create_directories(dir);
  auto path = dir / ("dev_k" + std::to_string(power) + ".ptau");
  if (!std::filesystem::exists(path)) {
    ChaChaRng rng(power);
    Status st = write_dev_ptau(path, power, rng, "bench_commit");
    if (!st.ok()) std::abort();
  }
  return path;
}

// Arg: log2 of the number of G1 powers loaded (from a file of that power).
void BM_LoadSrs(benchmark::State& state) {
  unsigned k = unsigned(state.range(0));
  auto path = dev_ptau(k);
  for (auto _ : state) {
    OsRng rng;
    auto srs = load_srs(path, SrsLoadOptions{std::size_t(1) << k, true}, rng);
    if (!srs.ok()) state.SkipWithError(srs.error().message.c_str());
    benchmark::DoNotOptimize(srs);
  }
}
BENCHMARK(BM_LoadSrs)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

struct Setup {
  Srs srs;
  KzgVerifierKey vk;
  std::vector<Fr> poly;
  explicit Setup(std::size_t n) {
    ChaChaRng rng(3);
    srs = insecure_srs_from_tau(n, Fr::random(rng));
    vk = KzgVerifierKey::from(srs);
    poly.resize(n);
    for (auto& c : poly) c = Fr::random(rng);
  }
};

void BM_KzgCommit(benchmark::State& state) {
  Setup s(std::size_t(1) << state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(kzg_commit(s.srs, s.poly));
}
BENCHMARK(BM_KzgCommit)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_KzgOpen(benchmark::State& state) {
  Setup s(std::size_t(1) << state.range(0));
  Fr z = Fr::from_u64(123456789);
  for (auto _ : state) benchmark::DoNotOptimize(kzg_open(s.srs, s.poly, z));
}
BENCHMARK(BM_KzgOpen)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_KzgVerify(benchmark::State& state) {
  Setup s(1024);
  G1Affine c = kzg_commit(s.srs, s.poly)->to_affine();
  Fr z = Fr::from_u64(7);
  auto op = kzg_open(s.srs, s.poly, z);
  for (auto _ : state) {
    bool ok = kzg_verify(s.vk, c, z, op->value, op->proof);
    if (!ok) state.SkipWithError("did not verify");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_KzgVerify)->Unit(benchmark::kMillisecond);

// A PLONK-shaped batch: 30 claims on 25 polynomials at 2 points.
void BM_KzgBatchVerify(benchmark::State& state) {
  Setup s(1024);
  ChaChaRng rng(4);
  std::vector<std::vector<Fr>> polys(25, s.poly);
  for (auto& p : polys) p[0] = Fr::random(rng);
  std::vector<G1Affine> cs;
  for (auto& p : polys) cs.push_back(kzg_commit(s.srs, p)->to_affine());
  Fr z1 = Fr::random(rng), z2 = Fr::random(rng);
  std::vector<KzgProverQuery> pq;
  for (std::size_t i = 0; i < polys.size(); ++i) pq.push_back({polys[i], cs[i], z1});
  for (std::size_t i = 0; i < 5; ++i) pq.push_back({polys[i], cs[i], z2});
  hash::Transcript tp("bench");
  auto opening = kzg_open_batch(s.srs, pq, tp);
  std::vector<KzgVerifierQuery> vq;
  for (std::size_t i = 0; i < pq.size(); ++i) vq.push_back({pq[i].commitment, pq[i].point, opening->values[i]});
  for (auto _ : state) {
    hash::Transcript tv("bench");
    Status st = kzg_verify_batch(s.vk, vq, opening->proof, tv);
    if (!st.ok()) state.SkipWithError(st.error().message.c_str());
  }
}
BENCHMARK(BM_KzgBatchVerify)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
