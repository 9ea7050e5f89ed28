#include "parties/agents/transcript.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "base/codec.hpp"

namespace verdict::agents {

namespace {
constexpr std::uint8_t kMagic[4] = {'V', 'R', 'D', 'T'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kMaxRecord = std::size_t(1) << 30;

Digest chain_next(const Digest& prev, std::span<const std::uint8_t> body) {
  codec::Sha256 h;
  return h.update(prev).update(body).finish();
}
}  // namespace

Digest transcript_genesis() {
  codec::Sha256 h;
  return h.update("verdict/transcript/v1").finish();
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

Result<TranscriptWriter> TranscriptWriter::create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Error{"cannot create the transcript " + path};
  codec::Writer w;
  w.raw(kMagic);
  w.u32(kVersion);
  if (std::fwrite(w.data().data(), 1, w.data().size(), f) != w.data().size() || std::fflush(f) != 0) {
    std::fclose(f);
    return Error{"cannot write the transcript " + path};
  }
  return TranscriptWriter(f);
}

TranscriptWriter::TranscriptWriter(TranscriptWriter&& o) noexcept
    : file_(o.file_), head_(o.head_), records_(o.records_) {
  o.file_ = nullptr;
}

TranscriptWriter::~TranscriptWriter() {
  if (file_) std::fclose(file_);
}

Status TranscriptWriter::append(Direction direction, Channel channel, std::int64_t time_ms,
                                std::span<const std::uint8_t> envelope,
                                std::span<const std::vector<std::uint8_t>> frames) {
  TranscriptRecord r;
  r.direction = direction;
  r.channel = channel;
  r.time_ms = time_ms;
  r.envelope.assign(envelope.begin(), envelope.end());
  r.frames.assign(frames.begin(), frames.end());
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
    if (dir > 1 || ch > 1) r.fail("bad direction or channel");
    rec.direction = static_cast<Direction>(dir);
    rec.channel = static_cast<Channel>(ch);
    rec.time_ms = r.i64();
    rec.envelope = r.bytes(kMaxRecord);
    const std::uint32_t n = r.count(64, 4);
    for (std::uint32_t i = 0; i < n; ++i) rec.frames.push_back(r.bytes(kMaxRecord));
    if (Status s = r.finish(); !s.ok()) return s.error().context(where);
    rec.chain = chain;
    out.push_back(std::move(rec));
    pos += 4 + len + 32;
  }
  return out;
}

}  // namespace verdict::agents
