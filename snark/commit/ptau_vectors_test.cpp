// Every *.ptau file under the vectors directory (written by snarkjs): the production
// loader accepts it whole; and, pair by pair, e(tau^i G1, G2) = e(tau^(i-1) G1, tau G2)
// along tauG1, alphaTauG1 and betaTauG1, tauG2 matches tauG1, e(beta G1, G2) =
// e(G1, beta G2), and the Lagrange sections (when present) satisfy sum_i B_i = M_0 and
// sum_i w^i B_i = M_1 per block. Where a sibling <name>.decoded.json exists, every
// tauG1 and tauG2 point equals its decimal coordinates there.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/parallel.hpp"
#include "base/vector_files.hpp"
#include "snark/commit/ptau.hpp"
#include "snark/commit/srs.hpp"
#include "snark/curve/msm.hpp"
#include "snark/curve/pairing.hpp"

namespace verdict::commit {
namespace {

using curve::G1;
using curve::G2;

// e(a, b) == e(c, d)
bool pairing_equal(const G1Affine& a, const G2Affine& b, const G1Affine& c, const G2Affine& d) {
  std::pair<G1Affine, G2Affine> pairs[2] = {{a, b}, {-c, d}};
  return curve::pairing_product_is_one(pairs);
}

// Checks, in parallel, that points[i] = tau * points[i-1] in the exponent.
void check_chain_g1(const std::vector<G1Affine>& pts, const G2Affine& g2, const G2Affine& tau_g2, const char* what) {
  std::atomic<int> bad{0};
  parallel_for(pts.size() - 1, 8, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      if (!pairing_equal(pts[i + 1], g2, pts[i], tau_g2)) bad++;
  });
  EXPECT_EQ(bad.load(), 0) << what;
}

TEST(PtauVectors, SnarkjsFilesLoadAndTheirPowersAreConsistent) {
  auto dir = vectors_directory(VERDICT_DEFAULT_VECTORS);
  auto files = find_files(dir, "*.ptau");
  ASSERT_TRUE(files.ok()) << files.error().message << " (set VERDICT_VECTORS)";
  if (files->empty()) GTEST_SKIP() << "no *.ptau under " << dir;
  for (const auto& path : *files) {
    SCOPED_TRACE(path.string());
    auto src = FileByteSource::open(path);
    ASSERT_TRUE(src.ok()) << src.error().message;
    auto layout = read_ptau_layout(**src);
    ASSERT_TRUE(layout.ok()) << layout.error().message;
    EXPECT_FALSE(layout->insecure_dev);
    const std::size_t n = layout->num_g2_powers();
    OsRng rng;
    auto srs = load_srs(**src, SrsLoadOptions{2 * n - 1, false}, rng);
    ASSERT_TRUE(srs.ok()) << srs.error().message;

    auto tau_g2 = read_ptau_g2(**src, *layout, kPtauSectionTauG2, n);
    auto alpha = read_ptau_g1(**src, *layout, kPtauSectionAlphaTauG1, n);
    auto beta = read_ptau_g1(**src, *layout, kPtauSectionBetaTauG1, n);
    auto beta_g2 = read_ptau_g2(**src, *layout, kPtauSectionBetaG2, 1);
    ASSERT_TRUE(tau_g2.ok() && alpha.ok() && beta.ok() && beta_g2.ok());
    const G2Affine& g2 = srs->g2;
    check_chain_g1(srs->g1_powers, g2, srs->tau_g2, "tauG1");
    check_chain_g1(*alpha, g2, srs->tau_g2, "alphaTauG1");
    check_chain_g1(*beta, g2, srs->tau_g2, "betaTauG1");
    int bad_g2 = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!pairing_equal(srs->g1_powers[i], g2, srs->g1_powers[0], (*tau_g2)[i])) ++bad_g2;
    EXPECT_EQ(bad_g2, 0) << "tauG2 disagrees with tauG1";
    EXPECT_TRUE(pairing_equal((*beta)[0], g2, srs->g1_powers[0], (*beta_g2)[0])) << "betaG2";

    // Lagrange blocks of section 12 (tauG1): block k starts 2^k - 1 points in.
    if (layout->sections.count(12)) {
      std::size_t total = (4 * n) - 1;
      auto lag = read_ptau_g1(**src, *layout, 12, total);
      ASSERT_TRUE(lag.ok()) << lag.error().message;
      for (unsigned k = 0; (std::size_t(1) << k) <= n; ++k) {  // the last block (2N) is approximate by design
        std::size_t size = std::size_t(1) << k, start = size - 1;
        std::span<const G1Affine> block(lag->data() + start, size);
        std::vector<Fr> ones(size, Fr::one()), omegas(size);
        Fr w = Fr::root_of_unity(k), acc = Fr::one();
        for (auto& o : omegas) o = acc, acc *= w;
        EXPECT_EQ(curve::msm_vartime(block, ones).to_affine(), srs->g1_powers[0]) << "block " << k;
        if (k > 0) {
          EXPECT_EQ(curve::msm_vartime(block, omegas).to_affine(), srs->g1_powers[1]) << "block " << k;
        }
      }
    }

    // Decoded JSON sibling, if any.
    auto json_path = path;
    json_path.replace_extension(".decoded.json");
    if (std::filesystem::exists(json_path)) {
      auto text = read_file(json_path);
      ASSERT_TRUE(text.ok());
      auto doc = nlohmann::json::parse(*text, nullptr, false);
      ASSERT_FALSE(doc.is_discarded());
      const auto& jg1 = doc.at("tauG1");
      ASSERT_EQ(jg1.size(), srs->size());
      for (std::size_t i = 0; i < jg1.size(); ++i) {
        EXPECT_EQ(srs->g1_powers[i].x.to_decimal(), jg1[i][0].get<std::string>()) << i;
        EXPECT_EQ(srs->g1_powers[i].y.to_decimal(), jg1[i][1].get<std::string>()) << i;
      }
      const auto& jg2 = doc.at("tauG2");
      ASSERT_EQ(jg2.size(), n);
      for (std::size_t i = 0; i < n; ++i) {
        EXPECT_EQ((*tau_g2)[i].x.c0.to_decimal(), jg2[i][0][0].get<std::string>()) << i;
        EXPECT_EQ((*tau_g2)[i].y.c1.to_decimal(), jg2[i][1][1].get<std::string>()) << i;
      }
    }
    std::cout << "[ vectors  ] " << path.filename().string() << ": power " << layout->power << ", "
              << layout->contributions << " contribution(s), " << srs->size() << " G1 powers verified\n";
  }
}

}  // namespace
}  // namespace verdict::commit
