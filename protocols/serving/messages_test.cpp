// The serving message codec: round trips of every message, the canonical bytes of each
// layout, and refusal of truncation, trailing bytes, counts over the limit, non-canonical
// field elements, an undecodable or non-canonical proof, and unknown types.
#include "protocols/serving/messages.hpp"

#include <gtest/gtest.h>

#include "base/codec.hpp"

namespace verdict::serving {
namespace {

nn::ModelProof proof(std::uint8_t tag) {
  nn::ModelProof p;
  p.values.model_commitment.fill(tag);
  p.values.input_commitment = field::Fr::from_u64(tag);
  p.values.output = {tag, 1, 2};
  p.proof = {9, 8, tag};
  return p;
}

std::vector<Message> samples() {
  ChaChaRng rng(5);
  Digest d{};
  d.fill(3);
  RoundId id{};
  id.fill(4);
  Inputs in;
  in.inputs = {{1, 2, 3}, {}, {7}};
  for (int i = 0; i < 3; ++i) in.salts.push_back(field::Fr::random(rng));
  return {ModelCommitment{d},
          RoundOpen{id, d},
          in,
          Inputs{},
          InputCommitments{in.salts, d},
          Predictions{{{1}, {}, {2, 3}}},
          Contest{d},
          ProofBundle{{proof(1), proof(2)}},
          ProofBundle{}};
}

TEST(ServingMessages, RoundTrip) {
  for (const Message& m : samples()) {
    SCOPED_TRACE(message_type(m));
    const auto bytes = encode_message(m);
    auto back = decode_message(message_type(m), bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->index(), m.index());
    EXPECT_EQ(encode_message(*back), bytes);
  }
}

TEST(ServingMessages, Layout) {
  Digest d{};
  d.fill(3);
  const auto c = encode_message(Contest{d});
  EXPECT_EQ(c, std::vector<std::uint8_t>(d.begin(), d.end()));
  const auto p = encode_message(Predictions{{{0xaa}, {}}});
  EXPECT_EQ(p, (std::vector<std::uint8_t>{0, 0, 0, 2, 0, 0, 0, 1, 0xaa, 0, 0, 0, 0}));
  const auto ic = encode_message(InputCommitments{{field::Fr::from_u64(5)}, d});
  ASSERT_EQ(ic.size(), 4u + 32 + 32);
  EXPECT_EQ(ic[3], 1);
  EXPECT_EQ(ic[35], 5);  // big-endian Fr
  EXPECT_EQ(std::string(message_type(RoundOpen{})), "serving.round_open");
}

TEST(ServingMessages, TruncationAndTrailingBytesAreRefused) {
  for (const Message& m : samples()) {
    SCOPED_TRACE(message_type(m));
    auto bytes = encode_message(m);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(decode_message(message_type(m), std::span(bytes.data(), n)).ok()) << n;
    }
    bytes.push_back(0);
    EXPECT_FALSE(decode_message(message_type(m), bytes).ok());
  }
  EXPECT_FALSE(decode_message("serving.nothing", {}).ok());
  EXPECT_FALSE(decode_message("accuracy.proofs", {}).ok());
}

TEST(ServingMessages, CountsOverTheLimitAreRefused) {
  codec::Writer w;
  w.u32(kMaxMessageItems + 1);
  for (int i = 0; i < 64; ++i) w.u8(0);
  for (const char* t : {"serving.inputs", "serving.input_commitments", "serving.predictions", "serving.proofs"}) {
    EXPECT_FALSE(decode_message(t, w.data()).ok()) << t;
  }
  codec::Writer big;  // a count larger than the bytes could hold
  big.u32(1000);
  big.u32(0);
  EXPECT_FALSE(decode_message("serving.predictions", big.data()).ok());
}

TEST(ServingMessages, NonCanonicalFieldElementsAreRefused) {
  Digest d{};
  auto bytes = encode_message(InputCommitments{{field::Fr::from_u64(1)}, d});
  for (int i = 4; i < 36; ++i) bytes[static_cast<std::size_t>(i)] = 0xff;  // >= r
  auto r = decode_message("serving.input_commitments", bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("canonical"), std::string::npos) << r.error().message;

  Inputs in{{{1}}, {field::Fr::from_u64(1)}};
  bytes = encode_message(in);
  for (std::size_t i = bytes.size() - 32; i < bytes.size(); ++i) bytes[i] = 0xff;
  EXPECT_FALSE(decode_message("serving.inputs", bytes).ok());
}

TEST(ServingMessages, BadProofsAreRefused) {
  auto bytes = encode_message(ProofBundle{{proof(1)}});
  auto flipped = bytes;
  flipped[4 + 4] ^= 0xff;  // the proof's magic
  EXPECT_FALSE(decode_message("serving.proofs", flipped).ok());
  // A non-canonical input commitment inside the proof: it follows the magic and version,
  // the model commitment (32) and the visibility byte (1); the tail is output (4 + 3) and
  // proof bytes (4 + 3).
  auto nc = bytes;
  const auto pb = proof(1).to_bytes();
  const std::size_t head = pb.size() - (32 + 1 + 32 + 4 + 3 + 4 + 3);
  const std::size_t off = 8 + head + 32 + 1;
  for (std::size_t i = off; i < off + 32; ++i) nc[i] = 0xff;
  EXPECT_FALSE(decode_message("serving.proofs", nc).ok());
  // A proof whose own length field leaves bytes inside the proof's frame: not canonical.
  codec::Writer w;
  w.u32(1);
  auto padded = pb;
  padded.push_back(0);
  w.bytes(padded);
  EXPECT_FALSE(decode_message("serving.proofs", w.data()).ok());
}

// The terms (transcript headers): round trip, and truncation, trailing bytes and
// out-of-range parameters refused.
TEST(ServingTerms, RoundTripAndRefusal) {
  Terms t;
  t.params.k = 9;
  t.params.k1 = 3;
  t.params.z = 11;
  t.params.beta = 4;
  t.params.eps = 2;
  t.params.verdict_timeout_ms = 1234;
  const Bytes b = encode_terms(t);
  auto back = decode_terms(b);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(encode_terms(*back), b);
  EXPECT_FALSE(decode_terms(std::span(b).first(b.size() - 1)).ok());
  Bytes longer = b;
  longer.push_back(0);
  EXPECT_FALSE(decode_terms(longer).ok());
  t.params.k1 = 10;  // K1 > K
  EXPECT_FALSE(decode_terms(encode_terms(t)).ok());
}

}  // namespace
}  // namespace verdict::serving
