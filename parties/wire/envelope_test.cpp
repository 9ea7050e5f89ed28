#include "parties/wire/envelope.hpp"

#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "base/codec.hpp"

namespace verdict::wire {
namespace {

class EnvelopeTest : public ::testing::Test {
 protected:
  Envelope make() {
    Envelope e;
    e.recipient = bob_.public_key();
    e.instance = InstanceId{1, 2, 3};
    e.seq = 7;
    e.timestamp_ms = 1'700'000'000'123;
    e.type = "escrow.op";
    e.payload = {0xde, 0xad, 0xbe, 0xef};
    e.prev = Digest{9};
    sign_envelope(e, alice_);
    return e;
  }
  ChaChaRng rng_{11};
  KeyPair alice_ = KeyPair::generate(rng_);
  KeyPair bob_ = KeyPair::generate(rng_);
};

TEST_F(EnvelopeTest, RoundTripsCanonicallyAndVerifies) {
  Envelope e = make();
  EXPECT_EQ(e.sender, alice_.public_key());
  std::vector<std::uint8_t> bytes = encode_envelope(e);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "VRDE");
  auto back = decode_envelope(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, e);
  EXPECT_EQ(encode_envelope(*back), bytes);
  EXPECT_TRUE(verify_envelope(*back).ok());
  EXPECT_EQ(envelope_hash(*back), envelope_hash(e));
}

TEST_F(EnvelopeTest, EveryFlippedByteIsCaught) {
  // Each single-byte change either fails to decode or fails the signature check.
  const std::vector<std::uint8_t> bytes = encode_envelope(make());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<std::uint8_t> bad = bytes;
    bad[i] ^= 0x01;
    auto d = decode_envelope(bad);
    if (d.ok()) {
      EXPECT_FALSE(verify_envelope(*d).ok()) << "byte " << i;
    }
  }
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_envelope(std::span<const std::uint8_t>(bytes.data(), n)).ok()) << n;
  }
  std::vector<std::uint8_t> longer = bytes;
  longer.push_back(0);
  auto d = decode_envelope(longer);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("trailing"), std::string::npos);
}

TEST_F(EnvelopeTest, ResigningByAnotherKeyChangesTheSender) {
  Envelope e = make();
  Envelope forged = e;
  forged.signature = bob_.sign(signed_body(forged));  // bob signs alice's envelope
  EXPECT_FALSE(verify_envelope(forged).ok());
}

TEST_F(EnvelopeTest, LimitsAndTypesAreEnforced) {
  Envelope e = make();
  e.type = "Bad Type";
  sign_envelope(e, alice_);
  EXPECT_NE(decode_envelope(encode_envelope(e)).error().message.find("payload type"), std::string::npos);
  e = make();
  e.payload.assign(kMaxPayloadBytes + 1, 0);
  sign_envelope(e, alice_);
  EXPECT_NE(decode_envelope(encode_envelope(e)).error().message.find("limit"), std::string::npos);
  e = make();
  e.frames.assign(kMaxFrames + 1, FrameRef{1, Digest{}});
  sign_envelope(e, alice_);
  EXPECT_FALSE(decode_envelope(encode_envelope(e)).ok());
  e = make();
  e.frames = {FrameRef{kMaxFrameBytes + 1, Digest{}}};
  sign_envelope(e, alice_);
  EXPECT_FALSE(decode_envelope(encode_envelope(e)).ok());
}

TEST_F(EnvelopeTest, FramesAreBoundByTheirDigests) {
  std::vector<std::uint8_t> proof(10'000, 0x5a), inputs{1, 2, 3};
  std::vector<std::span<const std::uint8_t>> frames{proof, inputs};
  Envelope e = make();
  e.frames = frame_refs(frames);
  sign_envelope(e, alice_);
  auto d = decode_envelope(encode_envelope(e));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(check_frames(*d, frames).ok());
  proof[5000] ^= 1;
  EXPECT_FALSE(check_frames(*d, frames).ok());
  proof[5000] ^= 1;
  std::vector<std::span<const std::uint8_t>> swapped{inputs, proof};
  EXPECT_FALSE(check_frames(*d, swapped).ok());
  std::vector<std::span<const std::uint8_t>> missing{proof};
  EXPECT_FALSE(check_frames(*d, missing).ok());
}

TEST_F(EnvelopeTest, ReplayGuardAcceptsOnlyTheNextEnvelopeOfAStream) {
  ReplayGuard guard;
  Streams streams;
  auto next = [&](const InstanceId& id) {
    Envelope e = make();
    e.instance = id;
    auto n = streams.next(id);
    e.seq = n.seq;
    e.prev = n.prev;
    sign_envelope(e, alice_);
    return e;
  };
  const InstanceId a{1}, b{2};
  Envelope e1 = next(a);
  ASSERT_TRUE(guard.accept(e1).ok());
  streams.advance(a, e1.seq, envelope_hash(e1));
  EXPECT_FALSE(guard.accept(e1).ok());  // the same envelope again
  Envelope e2 = next(a);
  Envelope skipped = e2;
  skipped.seq = 3;
  EXPECT_FALSE(guard.accept(skipped).ok());
  Envelope wrong_prev = e2;
  wrong_prev.prev = Digest{};
  EXPECT_FALSE(guard.accept(wrong_prev).ok());
  EXPECT_TRUE(guard.accept(e2).ok());
  EXPECT_TRUE(guard.accept(next(b)).ok());  // streams are per instance
}

}  // namespace
}  // namespace verdict::wire
