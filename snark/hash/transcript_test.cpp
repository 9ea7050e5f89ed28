// Transcript: the byte encoding of docs/transcript.md rebuilt independently, determinism,
// and tampering (any changed byte, label, kind, order or protocol label changes the
// challenges). Also the snarkjs item constructors' input checks; the snarkjs vectors are
// in hash_vectors_test.cpp.
#include "snark/hash/transcript.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "base/rng.hpp"
#include "snark/hash/snarkjs_transcript.hpp"

namespace verdict::hash {
namespace {

using field::Fq;
using field::Fr;

// Stand-in for a curve point: any type with to_bytes_uncompressed().
struct FakePoint {
  std::array<std::uint8_t, 64> xy{};
  std::array<std::uint8_t, 64> to_bytes_uncompressed() const { return xy; }
};
struct FakeVectorPoint {
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> to_bytes_uncompressed() const { return bytes; }
};

// ---- the encoding, rebuilt from the specification ----
void put_record(std::vector<std::uint8_t>& t, std::uint8_t tag, std::string_view label,
                std::span<const std::uint8_t> payload) {
  t.push_back(tag);
  for (int i = 7; i >= 0; --i) t.push_back(std::uint8_t(std::uint64_t(label.size()) >> (8 * i)));
  t.insert(t.end(), label.begin(), label.end());
  for (int i = 7; i >= 0; --i) t.push_back(std::uint8_t(std::uint64_t(payload.size()) >> (8 * i)));
  t.insert(t.end(), payload.begin(), payload.end());
}

Fr squeeze_by_spec(std::vector<std::uint8_t> t) {
  t.push_back(0x00);
  auto h0 = keccak256(t);
  t.back() = 0x01;
  auto h1 = keccak256(t);
  // (h0 || h1) mod r by Horner over the 64 bytes.
  Fr acc = Fr::zero();
  for (auto b : h0) acc = acc * Fr::from_u64(256) + Fr::from_u64(b);
  for (auto b : h1) acc = acc * Fr::from_u64(256) + Fr::from_u64(b);
  return acc;
}

TEST(Transcript, ByteEncodingMatchesTheSpecification) {
  ChaChaRng rng(31);
  const Fr x = Fr::random(rng);
  FakePoint p;
  rng.fill(p.xy);
  const std::vector<std::uint8_t> blob = {1, 2, 3, 0, 255};

  Transcript tr("verdict-test-protocol");
  tr.absorb_bytes("blob", blob);
  tr.absorb_scalar("x", x);
  tr.absorb_point("P", p);
  const Fr c1 = tr.challenge_scalar("alpha");
  const Fr c2 = tr.challenge_scalar("beta");
  tr.absorb_bytes("", {});
  const Fr c3 = tr.challenge_scalar("");

  std::vector<std::uint8_t> t;
  const std::string_view proto = "verdict-test-protocol";
  put_record(t, 0x01, "verdict/transcript/v1", std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(proto.data()), proto.size()));
  put_record(t, 0x02, "blob", blob);
  const auto xb = x.to_bytes_be();
  put_record(t, 0x03, "x", xb);
  put_record(t, 0x04, "P", p.xy);
  put_record(t, 0x05, "alpha", {});
  EXPECT_EQ(c1, squeeze_by_spec(t));
  put_record(t, 0x05, "beta", {});
  EXPECT_EQ(c2, squeeze_by_spec(t));
  put_record(t, 0x02, "", {});
  put_record(t, 0x05, "", {});
  EXPECT_EQ(c3, squeeze_by_spec(t));
  EXPECT_EQ(tr.size(), t.size());
}

// A small scripted transcript; `mutate` may change one step.
struct Script {
  std::string protocol = "proto";
  std::vector<std::uint8_t> blob = {10, 20, 30, 40, 50, 60, 70, 80};
  std::string blob_label = "blob";
  Fr scalar = Fr::from_u64(123456789);
  std::string scalar_label = "s";
  FakePoint point{};
  std::string point_label = "pt";
  bool swap_order = false;
  bool scalar_as_bytes = false;
  std::string c1_label = "c1", c2_label = "c2";

  std::vector<Fr> run() const {
    Transcript tr(protocol);
    auto absorb_scalar = [&] {
      if (scalar_as_bytes) {
        tr.absorb_bytes(scalar_label, scalar.to_bytes_be());
      } else {
        tr.absorb_scalar(scalar_label, scalar);
      }
    };
    if (swap_order) {
      absorb_scalar();
      tr.absorb_bytes(blob_label, blob);
    } else {
      tr.absorb_bytes(blob_label, blob);
      absorb_scalar();
    }
    std::vector<Fr> out;
    out.push_back(tr.challenge_scalar(c1_label));
    tr.absorb_point(point_label, point);
    out.push_back(tr.challenge_scalar(c2_label));
    return out;
  }
};

TEST(Transcript, DeterministicAndChallengesDiffer) {
  Script s;
  auto a = s.run(), b = s.run();
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], a[1]);
  Transcript tr("p");
  Fr x = tr.challenge_scalar("same"), y = tr.challenge_scalar("same");
  EXPECT_NE(x, y);  // a challenge record is part of the transcript
}

TEST(Transcript, EveryChangeChangesTheChallenges) {
  const Script base;
  const auto ref = base.run();
  std::vector<std::pair<std::string, std::function<void(Script&)>>> tampers = {
      {"protocol label", [](Script& s) { s.protocol = "proto2"; }},
      {"blob label", [](Script& s) { s.blob_label = "blab"; }},
      {"scalar label", [](Script& s) { s.scalar_label = "t"; }},
      {"scalar value", [](Script& s) { s.scalar += Fr::one(); }},
      {"order", [](Script& s) { s.swap_order = true; }},
      {"scalar absorbed as bytes", [](Script& s) { s.scalar_as_bytes = true; }},
      {"first challenge label", [](Script& s) { s.c1_label = "c0"; }},
      {"blob truncated", [](Script& s) { s.blob.pop_back(); }},
      {"blob extended with 0", [](Script& s) { s.blob.push_back(0); }},
      {"label/payload boundary", [](Script& s) { s.blob_label = "blob\x0a"; s.blob.erase(s.blob.begin()); }},
  };
  for (std::size_t i = 0; i < base.blob.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 7) {
      tampers.push_back({"blob byte " + std::to_string(i) + " bit " + std::to_string(bit),
                         [i, bit](Script& s) { s.blob[i] ^= std::uint8_t(1u << bit); }});
    }
  }
  for (const auto& [name, tamper] : tampers) {
    Script s = base;
    tamper(s);
    auto got = s.run();
    EXPECT_NE(got[0], ref[0]) << name;
    EXPECT_NE(got[1], ref[1]) << name;
  }
  // Changes after the first challenge change only the second.
  for (auto tamper : std::vector<std::function<void(Script&)>>{[](Script& s) { s.point.xy[63] ^= 1; },
                                                               [](Script& s) { s.point_label = "pu"; },
                                                               [](Script& s) { s.c2_label = "c3"; }}) {
    Script s = base;
    tamper(s);
    auto got = s.run();
    EXPECT_EQ(got[0], ref[0]);
    EXPECT_NE(got[1], ref[1]);
  }
}

TEST(Transcript, PointsOfAnyByteContainer) {
  FakePoint p;
  for (std::size_t i = 0; i < 64; ++i) p.xy[i] = std::uint8_t(i);
  FakeVectorPoint q{std::vector<std::uint8_t>(p.xy.begin(), p.xy.end())};
  Transcript a("p"), b("p"), c("p");
  a.absorb_point("P", p);
  b.absorb_point("P", q);
  c.absorb_bytes("P", p.xy);  // same bytes, different kind
  const Fr ca = a.challenge_scalar("x");
  EXPECT_EQ(ca, b.challenge_scalar("x"));
  EXPECT_NE(ca, c.challenge_scalar("x"));
}

TEST(SnarkjsTranscript, RejectsBadInput) {
  auto empty = snarkjs_keccak_challenge({});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("no data"), std::string::npos);

  std::vector<std::uint8_t> short_xy(63);
  auto bad_len = SnarkjsTranscriptItem::g1_from_bytes(short_xy);
  ASSERT_FALSE(bad_len.ok());
  EXPECT_NE(bad_len.error().message.find("64 bytes"), std::string::npos) << bad_len.error().message;

  std::vector<std::uint8_t> xy(64, 0);
  auto p = Fq::kModulus;  // y = p: not canonical
  for (int i = 0; i < 32; ++i) xy[32 + i] = std::uint8_t(p[3 - i / 8] >> (56 - 8 * (i % 8)));
  auto bad_y = SnarkjsTranscriptItem::g1_from_bytes(xy);
  ASSERT_FALSE(bad_y.ok());
  EXPECT_NE(bad_y.error().message.find("y coordinate"), std::string::npos) << bad_y.error().message;

  xy[63] -= 1;  // y = p - 1 is fine
  auto ok = SnarkjsTranscriptItem::g1_from_bytes(xy);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(std::equal(xy.begin(), xy.end(), ok->encoding().begin()));
}

TEST(SnarkjsTranscript, EncodingsAndInfinity) {
  auto inf = SnarkjsTranscriptItem::g1_infinity();
  EXPECT_EQ(inf.encoding().size(), 64u);
  for (auto b : inf.encoding()) EXPECT_EQ(b, 0);
  EXPECT_TRUE(std::ranges::equal(inf.encoding(), SnarkjsTranscriptItem::g1(Fq::zero(), Fq::zero()).encoding()));
  auto s = SnarkjsTranscriptItem::scalar(Fr::from_u64(0x0102));
  ASSERT_EQ(s.encoding().size(), 32u);
  EXPECT_EQ(s.encoding()[30], 0x01);
  EXPECT_EQ(s.encoding()[31], 0x02);
  std::vector<SnarkjsTranscriptItem> items = {s, inf};
  EXPECT_EQ(snarkjs_keccak_preimage(items).size(), 96u);
}

}  // namespace
}  // namespace verdict::hash
