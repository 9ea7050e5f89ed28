// verdict kzg demo: the foundation's end-to-end run. Loads (or makes) an SRS, commits
// to random polynomials, opens one at a random point and several at two points with
// one batched proof, verifies everything, and checks that tampered claims fail.
#include <chrono>
#include <iostream>

#include "parties/cli/commands.hpp"
#include "parties/cli/options.hpp"
#include "snark/commit/kzg.hpp"

namespace verdict::cli {

namespace po = boost::program_options;
using commit::G1Affine;
using field::Fr;

namespace {

struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double ms() const { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(); }
};

int kzg_demo(const std::vector<std::string>& args) {
  po::options_description desc("verdict kzg demo: commit, open and verify with KZG on BN254");
  unsigned k = 16;
  std::string srs_path;
  desc.add_options()("help,h", "show this help")("k", po::value<unsigned>(&k)->default_value(16),
                                                  "polynomials of 2^k coefficients (1..24)")(
      "srs", po::value<std::string>(&srs_path), ".ptau file (default: an in-memory INSECURE SRS from OS randomness)")(
      "insecure-dev-srs", "accept a development SRS file made by `verdict srs dev`");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, "verdict kzg demo"); rc >= 0) return rc;
  if (k < 1 || k > 24) {
    std::cerr << "verdict kzg demo: --k must be in [1, 24]\n";
    return kExitUsage;
  }
  const std::size_t n = std::size_t(1) << k;
  OsRng rng;

  Stopwatch sw;
  commit::Srs srs;
  if (vm.count("srs")) {
    auto loaded = commit::load_srs(srs_path, {n, vm.count("insecure-dev-srs") > 0}, rng);
    if (!loaded.ok()) {
      std::cerr << "verdict kzg demo: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    srs = std::move(*loaded);
    std::cout << "SRS: " << n << " powers from " << srs_path << ", validated in " << sw.ms() << " ms\n";
  } else {
    srs = commit::insecure_srs_from_tau(n, Fr::random(rng));
    std::cout << "SRS: " << n << " powers, INSECURE in-memory setup (tau from OS randomness, discarded), " << sw.ms()
              << " ms\n";
  }
  commit::KzgVerifierKey vk = commit::KzgVerifierKey::from(srs);

  auto random_poly = [&] {
    std::vector<Fr> f(n);
    for (auto& c : f) c = Fr::random(rng);
    return f;
  };
  std::vector<Fr> f = random_poly();
  sw = {};
  auto c = commit::kzg_commit(srs, f);
  if (!c.ok()) {
    std::cerr << c.error().message << "\n";
    return kExitUsage;
  }
  G1Affine commitment = c->to_affine();
  double t_commit = sw.ms();
  Fr z = Fr::random(rng);
  sw = {};
  auto opening = commit::kzg_open(srs, f, z);
  double t_open = sw.ms();
  sw = {};
  bool ok = commit::kzg_verify(vk, commitment, z, opening->value, opening->proof);
  double t_verify = sw.ms();
  bool tamper_rejected = !commit::kzg_verify(vk, commitment, z, opening->value + Fr::one(), opening->proof);
  std::cout << "single opening, degree " << n - 1 << ": commit " << t_commit << " ms, open " << t_open << " ms, verify "
            << t_verify << " ms, proof 32 B compressed: " << (ok ? "verified" : "REJECTED")
            << "; a wrong value is " << (tamper_rejected ? "rejected" : "ACCEPTED") << "\n";

  // Four polynomials opened at zeta and omega*zeta-like points: one batched proof.
  std::vector<std::vector<Fr>> polys = {f, random_poly(), random_poly(), random_poly()};
  std::vector<G1Affine> commitments = {commitment};
  for (std::size_t i = 1; i < polys.size(); ++i) commitments.push_back(commit::kzg_commit(srs, polys[i])->to_affine());
  Fr zeta = Fr::random(rng), zeta2 = zeta * Fr::root_of_unity(k);
  std::vector<commit::KzgProverQuery> pq = {{polys[0], commitments[0], zeta}, {polys[1], commitments[1], zeta},
                                            {polys[2], commitments[2], zeta}, {polys[3], commitments[3], zeta},
                                            {polys[0], commitments[0], zeta2}, {polys[2], commitments[2], zeta2}};
  hash::Transcript tp("verdict-kzg-demo");
  sw = {};
  auto batch = commit::kzg_open_batch(srs, pq, tp);
  double t_batch_open = sw.ms();
  if (!batch.ok()) {
    std::cerr << batch.error().message << "\n";
    return kExitUsage;
  }
  std::vector<commit::KzgVerifierQuery> vq;
  for (std::size_t i = 0; i < pq.size(); ++i) vq.push_back({pq[i].commitment, pq[i].point, batch->values[i]});
  hash::Transcript tv("verdict-kzg-demo");
  sw = {};
  Status batch_ok = commit::kzg_verify_batch(vk, vq, batch->proof, tv);
  double t_batch_verify = sw.ms();
  vq[3].value += Fr::one();
  hash::Transcript tv2("verdict-kzg-demo");
  bool batch_tamper_rejected = !commit::kzg_verify_batch(vk, vq, batch->proof, tv2).ok();
  std::cout << "batched opening, 6 claims on 4 polynomials at 2 points: open " << t_batch_open << " ms, verify "
            << t_batch_verify << " ms, proof " << batch->proof.to_bytes().size() << " B: "
            << (batch_ok.ok() ? "verified" : "REJECTED (" + batch_ok.error().message + ")") << "; a wrong value is "
            << (batch_tamper_rejected ? "rejected" : "ACCEPTED") << "\n";
  bool all = ok && tamper_rejected && batch_ok.ok() && batch_tamper_rejected;
  std::cout << (all ? "kzg demo: OK" : "kzg demo: FAILED") << "\n";
  return all ? kExitOk : kExitRejected;
}

}  // namespace

Command kzg_command() {
  return {"kzg", "KZG polynomial commitments", nullptr, {{"demo", "Commit, open and verify, single and batched", kzg_demo, {}}}};
}

}  // namespace verdict::cli
