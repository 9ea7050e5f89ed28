// Transcripts: records read back as written, with the chain; any changed, dropped,
// reordered or truncated record is refused. Peer messages round-trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/codec.hpp"
#include "base/rng.hpp"
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

const wire::KeyPair& owner_key() {
  static ChaChaRng rng(7);
  static const wire::KeyPair k = wire::KeyPair::generate(rng);
  return k;
}

TEST(Transcript, RoundTripChainAndCheckpoints) {
  escrow::testing::TempDir dir;
  const std::string path = dir.file("t.transcript");
  Digest head{};
  const TranscriptHeader header{"accuracy", 1, {1, 2, 3, 4}};
  {
    auto w = TranscriptWriter::create(path, header, owner_key(), 4);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->append(Direction::kSent, Channel::kPeer, 5, std::vector<std::uint8_t>{1, 2, 3}, {{{9, 9}}}).ok());
    ASSERT_TRUE(w->append(Direction::kReceived, Channel::kEscrow, 6, std::vector<std::uint8_t>{4}).ok());
    EXPECT_EQ(w->records(), 3u);  // the header and two envelopes
    ASSERT_TRUE(w->close(7).ok());
    head = w->head();
    EXPECT_EQ(w->records(), 4u);  // and the final checkpoint
    EXPECT_FALSE(w->append(Direction::kSent, Channel::kPeer, 8, std::vector<std::uint8_t>{1}).ok());
  }
  auto r = read_transcript(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].channel, Channel::kHeader);
  auto h = decode_header((*r)[0].envelope);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->protocol, "accuracy");
  EXPECT_EQ(h->role, 1);
  EXPECT_EQ(h->terms, header.terms);
  EXPECT_EQ((*r)[1].envelope, (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ((*r)[1].frames.size(), 1u);
  EXPECT_EQ((*r)[2].direction, Direction::kReceived);
  EXPECT_EQ((*r)[2].channel, Channel::kEscrow);
  EXPECT_EQ((*r)[2].time_ms, 6);
  auto cp = decode_checkpoint((*r)[3].envelope);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->size, 3u);
  EXPECT_EQ(cp->head, (*r)[2].chain);
  EXPECT_EQ(cp->signer, owner_key().public_key());
  EXPECT_TRUE(checkpoint_valid(*cp));
  EXPECT_EQ((*r)[3].chain, head);
  // The chain by hand: SHA-256(chain_{i-1} || body_i) from SHA-256("verdict/transcript/v2").
  Digest c = transcript_genesis();
  for (const auto& rec : *r) {
    codec::Sha256 hh;
    c = hh.update(c).update(encode_record_body(rec)).finish();
    EXPECT_EQ(c, rec.chain);
  }

  const std::vector<std::uint8_t> good = slurp(path);
  for (std::size_t i = 8; i < good.size(); ++i) {  // every byte after the magic and version matters
    auto bad = good;
    bad[i] ^= 0x01;
    spit(path, bad);
    EXPECT_FALSE(read_transcript(path).ok()) << "flipped byte " << i;
  }
  const std::vector<std::uint8_t> cut(good.begin(), good.end() - 1);
  spit(path, cut);
  EXPECT_FALSE(read_transcript(path).ok());
  // Dropping the header record breaks the chain of the next one.
  const std::size_t first = 4 + (std::size_t(good[8]) << 24 | std::size_t(good[9]) << 16 | std::size_t(good[10]) << 8 | good[11]) + 32;
  std::vector<std::uint8_t> dropped(good.begin(), good.begin() + 8);
  dropped.insert(dropped.end(), good.begin() + 8 + static_cast<std::ptrdiff_t>(first), good.end());
  spit(path, dropped);
  EXPECT_FALSE(read_transcript(path).ok());
}

TEST(Transcript, SignsACheckpointEveryFewRecords) {
  escrow::testing::TempDir dir;
  const std::string path = dir.file("t.transcript");
  {
    auto w = TranscriptWriter::create(path, {"serving", 0, {}}, owner_key(), 0);
    ASSERT_TRUE(w.ok());
    for (std::uint64_t i = 0; i < 2 * kCheckpointEvery; ++i)
      ASSERT_TRUE(w->append(Direction::kSent, Channel::kPeer, 1, std::vector<std::uint8_t>{1}).ok());
    EXPECT_EQ(w->records(), 1 + 2 * kCheckpointEvery + 2);
  }
  auto r = read_transcript(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::size_t checkpoints = 0;
  for (std::size_t i = 0; i < r->size(); ++i) {
    if ((*r)[i].channel != Channel::kCheckpoint) continue;
    ++checkpoints;
    auto cp = decode_checkpoint((*r)[i].envelope);
    ASSERT_TRUE(cp.ok());
    EXPECT_EQ(cp->size, i);
  }
  EXPECT_EQ(checkpoints, 2u);
}

// Writes records as a writer would (magic, version, chained records) without its checks.
std::vector<std::uint8_t> chained_file(const std::vector<TranscriptRecord>& recs) {
  codec::Writer w;
  w.raw(std::vector<std::uint8_t>{'V', 'R', 'D', 'T'});
  w.u32(2);
  Digest c = transcript_genesis();
  for (const auto& r : recs) {
    const auto body = encode_record_body(r);
    codec::Sha256 h;
    c = h.update(c).update(body).finish();
    w.u32(static_cast<std::uint32_t>(body.size()));
    w.raw(body);
    w.fixed(c);
  }
  return w.take();
}

TEST(Transcript, ReaderRefusesMisplacedOrForeignCheckpointsAndHeaders) {
  escrow::testing::TempDir dir;
  const std::string path = dir.file("t.transcript");
  ChaChaRng rng(8);
  const wire::KeyPair other = wire::KeyPair::generate(rng);
  TranscriptRecord header;
  header.channel = Channel::kHeader;
  header.envelope = encode_header({"retrieval", 1, {}});
  TranscriptRecord env;
  env.envelope = {1, 2};
  const Digest after_header = [&] {
    codec::Sha256 h;
    return h.update(transcript_genesis()).update(encode_record_body(header)).finish();
  }();
  auto checkpoint_rec = [](const Checkpoint& c) {
    TranscriptRecord r;
    r.channel = Channel::kCheckpoint;
    r.envelope = encode_checkpoint(c);
    return r;
  };
  spit(path, chained_file({header, checkpoint_rec(sign_checkpoint(1, after_header, 0, owner_key()))}));
  EXPECT_TRUE(read_transcript(path).ok());
  spit(path, chained_file({env}));  // no header first
  EXPECT_FALSE(read_transcript(path).ok());
  spit(path, chained_file({header, header}));  // two headers
  EXPECT_FALSE(read_transcript(path).ok());
  spit(path, chained_file({header, checkpoint_rec(sign_checkpoint(2, after_header, 0, owner_key()))}));  // wrong size
  EXPECT_FALSE(read_transcript(path).ok());
  spit(path, chained_file({header, checkpoint_rec(sign_checkpoint(1, Digest{}, 0, owner_key()))}));  // wrong head
  EXPECT_FALSE(read_transcript(path).ok());
  auto forged = sign_checkpoint(1, after_header, 0, owner_key());
  forged.time_ms = 1;  // signature no longer covers it
  spit(path, chained_file({header, checkpoint_rec(forged)}));
  EXPECT_FALSE(read_transcript(path).ok());
  auto two = chained_file({header, checkpoint_rec(sign_checkpoint(1, after_header, 0, owner_key()))});
  auto recs = *parse_transcript(two);
  spit(path, chained_file({header, recs[1], checkpoint_rec(sign_checkpoint(2, recs[1].chain, 0, other))}));
  auto r = read_transcript(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("two keys"), std::string::npos) << r.error().message;
  spit(path, chained_file({}));
  EXPECT_FALSE(read_transcript(path).ok());  // not even a header
}

TEST(Transcript, CodecsRefuseTrailingAndShortBytes) {
  const auto cp = sign_checkpoint(3, Digest{}, 9, owner_key());
  auto bytes = encode_checkpoint(cp);
  ASSERT_TRUE(decode_checkpoint(bytes).ok());
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(decode_checkpoint(longer).ok());
  bytes.pop_back();
  EXPECT_FALSE(decode_checkpoint(bytes).ok());
  auto forged = cp;
  forged.size = 4;
  EXPECT_FALSE(checkpoint_valid(forged));
  const auto th = encode_tree_head({5, Digest{}});
  ASSERT_TRUE(decode_tree_head(th).ok());
  EXPECT_EQ(decode_tree_head(th)->size, 5u);
  EXPECT_FALSE(decode_tree_head(std::span(th).first(39)).ok());
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
