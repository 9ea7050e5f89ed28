// Transcripts: records read back as written, with the chain; any changed, dropped,
// reordered or truncated record is refused. Peer messages round-trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "escrow/testing.hpp"
#include "parties/agents/peer_messages.hpp"
#include "parties/agents/transcript.hpp"

namespace verdict::agents {
namespace {

std::vector<std::uint8_t> slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void spit(const std::string& p, const std::vector<std::uint8_t>& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

TEST(Transcript, RoundTripAndChain) {
  escrow::testing::TempDir dir;
  const std::string path = dir.file("t.transcript");
  Digest head{};
  {
    auto w = TranscriptWriter::create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->append(Direction::kSent, Channel::kPeer, 5, std::vector<std::uint8_t>{1, 2, 3}, {{{9, 9}}}).ok());
    ASSERT_TRUE(w->append(Direction::kReceived, Channel::kEscrow, 6, std::vector<std::uint8_t>{4}).ok());
    head = w->head();
    EXPECT_EQ(w->records(), 2u);
  }
  auto r = read_transcript(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].envelope, (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ((*r)[0].frames.size(), 1u);
  EXPECT_EQ((*r)[1].direction, Direction::kReceived);
  EXPECT_EQ((*r)[1].channel, Channel::kEscrow);
  EXPECT_EQ((*r)[1].time_ms, 6);
  EXPECT_EQ((*r)[1].chain, head);
  // The chain by hand: SHA-256(chain_0 || body_0), then SHA-256(chain_1 || body_1).
  Digest c = transcript_genesis();
  for (const auto& rec : *r) {
    codec::Sha256 h;
    c = h.update(c).update(encode_record_body(rec)).finish();
    EXPECT_EQ(c, rec.chain);
  }

  const std::vector<std::uint8_t> good = slurp(path);
  for (std::size_t i = 8; i < good.size(); ++i) {  // every byte after the header matters
    auto bad = good;
    bad[i] ^= 0x01;
    spit(path, bad);
    EXPECT_FALSE(read_transcript(path).ok()) << "flipped byte " << i;
  }
  const std::vector<std::uint8_t> cut(good.begin(), good.end() - 1);
  spit(path, cut);
  EXPECT_FALSE(read_transcript(path).ok());
  // Dropping the first record breaks the chain of the second.
  const std::size_t first = 4 + (std::size_t(good[8]) << 24 | std::size_t(good[9]) << 16 | std::size_t(good[10]) << 8 | good[11]) + 32;
  std::vector<std::uint8_t> dropped(good.begin(), good.begin() + 8);
  dropped.insert(dropped.end(), good.begin() + 8 + static_cast<std::ptrdiff_t>(first), good.end());
  spit(path, dropped);
  EXPECT_FALSE(read_transcript(path).ok());
}

TEST(PeerMessages, RoundTripAndRefusals) {
  accuracy::TestSetCommitment t;
  t.root.fill(3);
  t.n = 17;
  t.seed_commitment.fill(5);
  const accuracy::Message msgs[] = {accuracy::ModelCommitment{{7}}, t, accuracy::SubsetBatch{{1}, {1, 2, 3}},
                                    accuracy::RestBatch{{4, 5}}, accuracy::ProofBundle{}};
  for (const auto& m : msgs) {
    const auto bytes = encode_message(m);
    auto back = decode_message(message_type(m), bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(encode_message(*back), bytes);
    EXPECT_EQ(back->index(), m.index());
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(decode_message(message_type(m), longer).ok());
    if (!bytes.empty()) {
      EXPECT_FALSE(decode_message(message_type(m), std::span(bytes).first(bytes.size() - 1)).ok());
    }
  }
  EXPECT_FALSE(decode_message("accuracy.nonsense", {}).ok());
}

}  // namespace
}  // namespace verdict::agents
