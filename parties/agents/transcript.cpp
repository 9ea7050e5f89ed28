#include "parties/agents/transcript.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "base/codec.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::agents {

namespace {
constexpr std::uint8_t kMagic[4] = {'V', 'R', 'D', 'T'};
constexpr std::uint32_t kVersion = 2;
constexpr std::size_t kMaxRecord = std::size_t(1) << 30;

Digest chain_next(const Digest& prev, std::span<const std::uint8_t> body) {
  codec::Sha256 h;
  return h.update(prev).update(body).finish();
}
// Record i's place in the file: the header first and only there; a checkpoint covers
// exactly the records before it, is signed by the same key as every other checkpoint,
// and is correctly signed.
Status check_structure(const TranscriptRecord& rec, const std::vector<TranscriptRecord>& before,
                       std::optional<wire::PublicKey>& signer) {
  if (before.empty() != (rec.channel == Channel::kHeader)) return Error{"the header must be the first record, and only it"};
  if (rec.channel == Channel::kHeader) {
    auto h = decode_header(rec.envelope);
    return h.ok() ? Status{} : Status{h.error()};
  }
  if (rec.channel != Channel::kCheckpoint) return {};
  auto c = decode_checkpoint(rec.envelope);
  if (!c.ok()) return c.error();
  if (c->size != before.size() || c->head != before.back().chain)
    return Error{"a checkpoint names a size or head other than the records before it"};
  if (signer && *signer != c->signer) return Error{"checkpoints signed by two keys"};
  if (!checkpoint_valid(*c)) return Error{"a checkpoint's signature does not verify"};
  signer = c->signer;
  return {};
}

}  // namespace

Digest transcript_genesis() {
  codec::Sha256 h;
  return h.update("verdict/transcript/v2").finish();
}

std::vector<std::uint8_t> encode_record_body(const TranscriptRecord& r) {
  codec::Writer w;
  w.u8(static_cast<std::uint8_t>(r.direction));
  w.u8(static_cast<std::uint8_t>(r.channel));
  w.i64(r.time_ms);
  w.bytes(r.envelope);
  w.u32(static_cast<std::uint32_t>(r.frames.size()));
  for (const auto& f : r.frames) w.bytes(f);
  return w.take();
}

std::vector<std::uint8_t> encode_header(const TranscriptHeader& h) {
  codec::Writer w;
  w.str(h.protocol);
  w.u8(h.role);
  w.bytes(h.terms);
  return w.take();
}

Result<TranscriptHeader> decode_header(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  TranscriptHeader h;
  h.protocol = r.str(64);
  h.role = r.u8();
  h.terms = r.bytes(1 << 16);
  if (Status st = r.finish(); !st.ok()) return st.error().context("transcript header");
  for (char c : h.protocol) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return Error{"transcript header: bad protocol name"};
  }
  return h;
}

std::vector<std::uint8_t> checkpoint_message(std::uint64_t size, const Digest& head, std::int64_t time_ms) {
  codec::Writer w;
  w.u64(size);
  w.fixed(head);
  w.i64(time_ms);
  codec::Sha256 h;
  const Digest d = h.update("verdict/transcript/checkpoint/v1").update(w.data()).finish();
  return {d.begin(), d.end()};
}

Checkpoint sign_checkpoint(std::uint64_t size, const Digest& head, std::int64_t time_ms, const wire::KeyPair& key) {
  Checkpoint c{size, head, time_ms, key.public_key(), {}};
  c.signature = key.sign(checkpoint_message(size, head, time_ms));
  return c;
}

bool checkpoint_valid(const Checkpoint& c) {
  return wire::verify_signature(c.signer, checkpoint_message(c.size, c.head, c.time_ms), c.signature);
}

std::vector<std::uint8_t> encode_checkpoint(const Checkpoint& c) {
  codec::Writer w;
  w.u64(c.size);
  w.fixed(c.head);
  w.i64(c.time_ms);
  w.fixed(c.signer);
  w.fixed(c.signature);
  return w.take();
}

Result<Checkpoint> decode_checkpoint(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Checkpoint c;
  c.size = r.u64();
  c.head = r.fixed<32>();
  c.time_ms = r.i64();
  c.signer = r.fixed<32>();
  c.signature = r.fixed<64>();
  if (Status st = r.finish(); !st.ok()) return st.error().context("checkpoint");
  return c;
}

std::vector<std::uint8_t> encode_tree_head(const TreeHead& t) {
  codec::Writer w;
  w.u64(t.size);
  w.fixed(t.head);
  return w.take();
}

Result<TreeHead> decode_tree_head(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  TreeHead t;
  t.size = r.u64();
  t.head = r.fixed<32>();
  if (Status st = r.finish(); !st.ok()) return st.error().context("tree head");
  return t;
}

Result<TranscriptWriter> TranscriptWriter::create(const std::string& path, const TranscriptHeader& header,
                                                  const wire::KeyPair& key, std::int64_t time_ms) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Error{"cannot create the transcript " + path};
  codec::Writer w;
  w.raw(kMagic);
  w.u32(kVersion);
  if (std::fwrite(w.data().data(), 1, w.data().size(), f) != w.data().size() || std::fflush(f) != 0) {
    std::fclose(f);
    return Error{"cannot write the transcript " + path};
  }
  TranscriptWriter t(f, key);
  TranscriptRecord r;
  r.channel = Channel::kHeader;
  r.time_ms = time_ms;
  r.envelope = encode_header(header);
  if (Status st = t.write_record(r); !st.ok()) return st.error();
  return t;
}

TranscriptWriter::TranscriptWriter(TranscriptWriter&& o) noexcept
    : file_(o.file_), key_(o.key_), head_(o.head_), records_(o.records_), since_checkpoint_(o.since_checkpoint_) {
  o.file_ = nullptr;
}

TranscriptWriter::~TranscriptWriter() {
  if (file_) std::fclose(file_);
}

Status TranscriptWriter::write_record(const TranscriptRecord& r) {
  if (!file_) return Error{"transcript closed"};
  const std::vector<std::uint8_t> body = encode_record_body(r);
  const Digest next = chain_next(head_, body);
  codec::Writer w;
  w.u32(static_cast<std::uint32_t>(body.size()));
  w.raw(body);
  w.fixed(next);
  if (std::fwrite(w.data().data(), 1, w.data().size(), file_) != w.data().size() || std::fflush(file_) != 0)
    return Error{"transcript write failed"};
  head_ = next;
  records_ += 1;
  return {};
}

Status TranscriptWriter::checkpoint(std::int64_t time_ms) {
  TranscriptRecord r;
  r.channel = Channel::kCheckpoint;
  r.time_ms = time_ms;
  r.envelope = encode_checkpoint(sign_checkpoint(records_, head_, time_ms, *key_));
  since_checkpoint_ = 0;
  return write_record(r);
}

Status TranscriptWriter::append(Direction direction, Channel channel, std::int64_t time_ms,
                                std::span<const std::uint8_t> envelope,
                                std::span<const std::vector<std::uint8_t>> frames) {
  if (channel != Channel::kPeer && channel != Channel::kEscrow) return Error{"transcript: append takes envelopes"};
  TranscriptRecord r;
  r.direction = direction;
  r.channel = channel;
  r.time_ms = time_ms;
  r.envelope.assign(envelope.begin(), envelope.end());
  r.frames.assign(frames.begin(), frames.end());
  if (Status st = write_record(r); !st.ok()) return st;
  if (++since_checkpoint_ >= kCheckpointEvery) return checkpoint(time_ms);
  return {};
}

Status TranscriptWriter::close(std::int64_t time_ms) {
  if (!file_) return {};
  Status st = checkpoint(time_ms);
  std::fclose(file_);
  file_ = nullptr;
  return st;
}

Result<std::vector<TranscriptRecord>> read_transcript(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error{"cannot read the transcript " + path};
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_transcript(bytes, path);
}

Result<std::vector<TranscriptRecord>> parse_transcript(std::span<const std::uint8_t> bytes, const std::string& path) {
  codec::Reader head(bytes);
  const auto magic = head.fixed<4>();
  const std::uint32_t version = head.u32();
  if (!head.ok() || !std::equal(magic.begin(), magic.end(), kMagic)) return Error{path + ": not a verdict transcript"};
  if (version != kVersion) return Error{path + ": unknown transcript version " + std::to_string(version)};
  std::vector<TranscriptRecord> out;
  std::optional<wire::PublicKey> signer;
  Digest chain = transcript_genesis();
  std::size_t pos = 8;
  while (pos < bytes.size()) {
    const std::string where = path + ": record " + std::to_string(out.size());
    if (bytes.size() - pos < 4) return Error{where + " truncated"};
    codec::Reader lr(bytes.subspan(pos, 4));
    const std::size_t len = lr.u32();
    if (len > kMaxRecord || bytes.size() - pos - 4 < len + 32) return Error{where + " truncated"};
    const auto body = bytes.subspan(pos + 4, len);
    Digest stored{};
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos + 4 + len), 32, stored.begin());
    chain = chain_next(chain, body);
    if (chain != stored) return Error{where + ": the hash chain breaks here (record changed, dropped or reordered)"};
    codec::Reader r(body);
    TranscriptRecord rec;
    const std::uint8_t dir = r.u8(), ch = r.u8();
    if (dir > 1 || ch > 3) r.fail("bad direction or channel");
    rec.direction = static_cast<Direction>(dir);
    rec.channel = static_cast<Channel>(ch);
    rec.time_ms = r.i64();
    rec.envelope = r.bytes(kMaxRecord);
    const std::uint32_t n = r.count(64, 4);
    for (std::uint32_t i = 0; i < n; ++i) rec.frames.push_back(r.bytes(kMaxRecord));
    if (Status s = r.finish(); !s.ok()) return s.error().context(where);
    if (Status st = check_structure(rec, out, signer); !st.ok()) return st.error().context(where);
    rec.chain = chain;
    out.push_back(std::move(rec));
    pos += 4 + len + 32;
  }
  if (out.empty()) return Error{path + ": no header record"};
  return out;
}

}  // namespace verdict::agents
