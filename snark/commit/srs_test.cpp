// The SRS loader on dev files we generate and then damage in every way we can think
// of: the production loader refuses dev files unless asked by name; a loaded dev SRS
// really is the powers of its tau; every truncation and a sample of byte flips is
// rejected with an error (never a crash); substituted or off-subgroup points and
// inconsistent section sizes are caught with a message that says what is wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/vector_files.hpp"
#include "snark/commit/ptau.hpp"
#include "snark/commit/srs.hpp"

namespace verdict::commit {
namespace {

using curve::G1;
using curve::G2;

std::vector<std::uint8_t> dev_ptau(unsigned power, std::uint64_t seed) {
  auto dir = std::filesystem::temp_directory_path() / ("verdict_srs_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / ("dev" + std::to_string(power) + "_" + std::to_string(seed) + ".ptau");
  ChaChaRng rng(seed);
  Status st = write_dev_ptau(path, power, rng, "seed " + std::to_string(seed));
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  auto text = read_file(path);
  std::filesystem::remove_all(dir);
  return std::vector<std::uint8_t>(text->begin(), text->end());
}

Result<Srs> load(const std::vector<std::uint8_t>& bytes, bool allow_dev = true, std::size_t n = 0) {
  MemoryByteSource src(bytes);
  OsRng rng;
  return load_srs(src, SrsLoadOptions{n, allow_dev}, rng);
}

std::uint64_t section_offset(const std::vector<std::uint8_t>& bytes, std::uint32_t id) {
  MemoryByteSource src(bytes);
  auto layout = read_ptau_layout(src);
  EXPECT_TRUE(layout.ok());
  return layout->sections.at(id).offset;
}

void expect_error(const Result<Srs>& r, const std::string& fragment) {
  ASSERT_FALSE(r.ok()) << "expected an error containing '" << fragment << "'";
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

TEST(DevSrs, RefusedByTheProductionLoaderUnlessAskedFor) {
  auto bytes = dev_ptau(3, 11);
  expect_error(load(bytes, /*allow_dev=*/false), "insecure development SRS");
  auto srs = load(bytes, true);
  ASSERT_TRUE(srs.ok()) << srs.error().message;
  EXPECT_TRUE(srs->insecure_dev);
  MemoryByteSource src(bytes);
  auto layout = read_ptau_layout(src);
  ASSERT_TRUE(layout.ok());
  EXPECT_TRUE(layout->insecure_dev);
  EXPECT_NE(layout->insecure_dev_note.find("seed 11"), std::string::npos);
}

TEST(DevSrs, HoldsThePowersOfItsTau) {
  const unsigned power = 4;
  auto bytes = dev_ptau(power, 12);
  ChaChaRng rng(12);  // write_dev_ptau draws tau first from its rng
  Fr tau = Fr::random(rng);
  auto srs = load(bytes, true, (2u << power) - 1);
  ASSERT_TRUE(srs.ok()) << srs.error().message;
  ASSERT_EQ(srs->size(), (2u << power) - 1);
  Fr t = Fr::one();
  for (std::size_t i = 0; i < srs->size(); ++i, t *= tau) EXPECT_EQ(srs->g1_powers[i], G1::generator().mul_vartime(t).to_affine()) << i;
  EXPECT_EQ(srs->tau_g2, G2::generator().mul_vartime(tau).to_affine());
  EXPECT_EQ(srs->file_power, power);
}

TEST(DevSrs, RequestedSizes) {
  auto bytes = dev_ptau(3, 13);
  EXPECT_TRUE(load(bytes, true, 15).ok());
  EXPECT_EQ(load(bytes, true, 0)->size(), 8u);
  expect_error(load(bytes, true, 16), "holds 15");
  expect_error(load(bytes, true, 1), "at least 2");
  Status bad_power = Status::ok_status();
  ChaChaRng rng(1);
  bad_power = write_dev_ptau(std::filesystem::temp_directory_path() / "never.ptau", 29, rng, "");
  EXPECT_FALSE(bad_power.ok());
}

TEST(PtauDamage, EveryTruncationIsRejected) {
  auto bytes = dev_ptau(3, 14);
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + long(len));
    auto r = load(cut);
    ASSERT_FALSE(r.ok()) << "a file cut to " << len << " bytes loaded";
  }
  auto tail = bytes;
  tail.push_back(0);
  expect_error(load(tail), "trailing bytes");
}

TEST(PtauDamage, ByteFlipsNeverCrashAndPointFlipsAreCaught) {
  auto bytes = dev_ptau(2, 15);
  const std::uint64_t g1 = section_offset(bytes, kPtauSectionTauG1);
  const std::uint64_t g2 = section_offset(bytes, kPtauSectionTauG2);
  int rejected = 0;
  for (std::size_t pos = 0; pos < bytes.size(); pos += 3) {
    auto flipped = bytes;
    flipped[pos] ^= 0x01;
    auto r = load(flipped);
    bool in_loaded_points = (pos >= g1 && pos < g1 + 4 * 64) || (pos >= g2 && pos < g2 + 2 * 128);
    if (in_loaded_points) {
      EXPECT_FALSE(r.ok()) << "flip at " << pos << " inside a loaded point was accepted";
    }
    if (!r.ok()) ++rejected;
  }
  EXPECT_GT(rejected, 50);
}

TEST(PtauDamage, SubstitutedAndSwappedPointsAreInconsistent) {
  auto bytes = dev_ptau(3, 16);
  const std::uint64_t g1 = section_offset(bytes, kPtauSectionTauG1);
  auto sub = bytes;  // tauG1[3] := tauG1[4]: a valid point, the wrong power
  std::copy_n(bytes.begin() + long(g1 + 4 * 64), 64, sub.begin() + long(g1 + 3 * 64));
  expect_error(load(sub), "inconsistent");
  auto swap = bytes;  // tauG1[0] <-> tauG1[1]
  std::copy_n(bytes.begin() + long(g1), 64, swap.begin() + long(g1 + 64));
  std::copy_n(bytes.begin() + long(g1 + 64), 64, swap.begin() + long(g1));
  expect_error(load(swap), "not the G1 generator");
  auto inf = bytes;  // the identity as a power
  std::fill_n(inf.begin() + long(g1 + 2 * 64), 64, 0);
  expect_error(load(inf), "tauG1[2] is the point at infinity");
}

TEST(PtauDamage, G2PointOutsideTheSubgroupIsRejected) {
  auto bytes = dev_ptau(3, 17);
  const std::uint64_t g2 = section_offset(bytes, kPtauSectionTauG2);
  ChaChaRng rng(5);
  field::Fq2 x, y;
  for (;;) {  // a twist point: not in G2 with overwhelming probability
    x = {field::Fq::random(rng), field::Fq::random(rng)};
    auto s = (x.square() * x + curve::G2Config::b()).sqrt_vartime();
    if (s) {
      y = *s;
      break;
    }
  }
  auto put = [&](std::size_t off, const field::Fq& f) {
    for (int i = 0; i < 32; ++i) bytes[off + i] = std::uint8_t(f.montgomery_limbs()[i / 8] >> (8 * (i % 8)));
  };
  put(g2 + 128, x.c0);
  put(g2 + 160, x.c1);
  put(g2 + 192, y.c0);
  put(g2 + 224, y.c1);
  expect_error(load(bytes), "subgroup");
}

TEST(PtauDamage, HeaderAndSectionTableErrors) {
  auto bytes = dev_ptau(3, 18);
  auto magic = bytes;
  magic[0] = 'x';
  expect_error(load(magic), "bad magic");
  auto version = bytes;
  version[4] = 2;
  expect_error(load(version), "unsupported ptau version");
  const std::uint64_t h = section_offset(bytes, kPtauSectionHeader);
  auto n8 = bytes;
  n8[h] = 48;
  expect_error(load(n8), "n8 = 48");
  auto q = bytes;
  q[h + 4] ^= 0x10;
  expect_error(load(q), "not for BN254");
  auto power = bytes;
  power[h + 36] = 29;
  expect_error(load(power), "outside [1, 28]");
  auto power_mismatch = bytes;
  power_mismatch[h + 36] = 2;
  expect_error(load(power_mismatch), "expected");
  // Grow section 3's length field by 128: now it overlaps what follows.
  const std::uint64_t g2 = section_offset(bytes, kPtauSectionTauG2);
  auto len = bytes;
  len[g2 - 8] += 128;
  EXPECT_FALSE(load(len).ok());
  // Duplicate section id: rename section 4 to 3.
  const std::uint64_t a = section_offset(bytes, kPtauSectionAlphaTauG1);
  auto dup = bytes;
  dup[a - 12] = 3;
  expect_error(load(dup), "appears twice");
  // A missing required section: rename section 5 to 77.
  const std::uint64_t b = section_offset(bytes, kPtauSectionBetaTauG1);
  auto missing = bytes;
  missing[b - 12] = 77;
  expect_error(load(missing), "section 5 is missing");
}

}  // namespace
}  // namespace verdict::commit
