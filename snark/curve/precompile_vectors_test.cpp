// Ethereum's alt_bn128 precompiles (EIP-196 ecAdd, ecMul; EIP-197 ecPairing) run on
// our curve code against every vector file under the vectors directory:
// *bn256Add*.json, *bn256ScalarMul*.json, *bn256Pairing*.json, in go-ethereum's format.
// Success cases must reproduce "Expected"; cases with "ExpectedError" must fail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "base/hex.hpp"
#include "base/vector_files.hpp"
#include "snark/curve/pairing.hpp"

namespace verdict::curve {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes padded(const Bytes& in, std::size_t n) {
  Bytes out(n, 0);
  std::copy_n(in.begin(), std::min(n, in.size()), out.begin());
  return out;
}

// The precompiles' semantics: nullopt = the call fails.
std::optional<Bytes> ec_add(const Bytes& input) {
  Bytes in = padded(input, 128);
  auto a = g1_from_bytes_uncompressed(std::span(in).subspan(0, 64));
  auto b = g1_from_bytes_uncompressed(std::span(in).subspan(64, 64));
  if (!a.ok() || !b.ok()) return std::nullopt;
  auto out = g1_to_bytes_uncompressed((G1::from_affine(*a).add_mixed(*b)).to_affine());
  return Bytes(out.begin(), out.end());
}

std::optional<Bytes> ec_mul(const Bytes& input) {
  Bytes in = padded(input, 96);
  auto p = g1_from_bytes_uncompressed(std::span(in).subspan(0, 64));
  if (!p.ok()) return std::nullopt;
  field::Limbs k{};
  for (int i = 0; i < 32; ++i) k[3 - i / 8] = k[3 - i / 8] << 8 | in[64 + i];
  auto out = g1_to_bytes_uncompressed(G1::from_affine(*p).mul_vartime(Fr::reduce(k)).to_affine());
  return Bytes(out.begin(), out.end());
}

std::optional<Bytes> ec_pairing(const Bytes& input) {
  if (input.size() % 192 != 0) return std::nullopt;
  std::vector<std::pair<G1Affine, G2Affine>> pairs;
  for (std::size_t off = 0; off < input.size(); off += 192) {
    auto p = g1_from_bytes_uncompressed(std::span(input).subspan(off, 64));
    auto q = g2_from_bytes_uncompressed(std::span(input).subspan(off + 64, 128));
    if (!p.ok() || !q.ok()) return std::nullopt;
    pairs.emplace_back(*p, *q);
  }
  Bytes out(32, 0);
  out[31] = pairing_product_is_one(pairs) ? 1 : 0;
  return out;
}

struct Kind {
  const char* pattern;
  std::optional<Bytes> (*run)(const Bytes&);
};

void run_kind(const Kind& kind) {
  auto dir = vectors_directory(VERDICT_DEFAULT_VECTORS);
  auto files = find_files(dir, kind.pattern);
  ASSERT_TRUE(files.ok()) << files.error().message << " (set VERDICT_VECTORS)";
  if (files->empty()) GTEST_SKIP() << "no " << kind.pattern << " under " << dir;
  int cases = 0;
  for (const auto& path : *files) {
    auto text = read_file(path);
    ASSERT_TRUE(text.ok()) << text.error().message;
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << "invalid JSON: " << path;
    ASSERT_TRUE(doc.is_array()) << path;
    for (const auto& c : doc) {
      std::string name = c.value("Name", "?");
      // go-ethereum decodes "Input" with common.Hex2Bytes, which keeps the bytes before
      // a trailing odd nibble (erigon/marius1 is 255 hex digits: a 127-byte input).
      std::string hex = c.at("Input").get<std::string>();
      if (hex.size() % 2 == 1) hex.pop_back();
      auto input = from_hex(hex);
      ASSERT_TRUE(input.ok()) << path << " " << name;
      auto out = kind.run(*input);
      if (c.contains("ExpectedError")) {
        EXPECT_FALSE(out.has_value()) << path.filename() << " case " << name << " must fail ("
                                      << c["ExpectedError"].get<std::string>() << ")";
      } else {
        ASSERT_TRUE(out.has_value()) << path.filename() << " case " << name << " failed";
        EXPECT_EQ(to_hex(*out), c.at("Expected").get<std::string>()) << path.filename() << " case " << name;
      }
      ++cases;
    }
  }
  EXPECT_GT(cases, 0);
  std::cout << "[ vectors  ] " << kind.pattern << ": " << cases << " cases in " << files->size() << " files\n";
}

TEST(PrecompileVectors, EcAdd) { run_kind({"*bn256Add*.json", ec_add}); }
TEST(PrecompileVectors, EcMul) { run_kind({"*bn256ScalarMul*.json", ec_mul}); }
TEST(PrecompileVectors, EcPairing) { run_kind({"*bn256Pairing*.json", ec_pairing}); }

}  // namespace
}  // namespace verdict::curve
