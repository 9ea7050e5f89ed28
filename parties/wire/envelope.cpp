#include "parties/wire/envelope.hpp"

#include "base/hex.hpp"
#include "base/codec.hpp"

namespace verdict::wire {

namespace {
constexpr std::uint8_t kMagic[4] = {'V', 'R', 'D', 'E'};
constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kSignDomain = "verdict/envelope/v1";
constexpr std::string_view kHashDomain = "verdict/envelope-hash/v1";

bool valid_type(std::string_view t) {
  if (t.empty() || t.size() > kMaxTypeLength) return false;
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

void write_body(codec::Writer& w, const Envelope& e) {
  w.raw(kMagic);
  w.u8(kVersion);
  w.fixed(e.sender);
  w.fixed(e.recipient);
  w.fixed(e.instance);
  w.u64(e.seq);
  w.i64(e.timestamp_ms);
  w.str(e.type);
  w.bytes(e.payload);
  w.u32(static_cast<std::uint32_t>(e.frames.size()));
  for (const FrameRef& f : e.frames) {
    w.u64(f.size);
    w.fixed(f.hash);
  }
  w.fixed(e.prev);
}
}  // namespace

std::vector<std::uint8_t> signed_body(const Envelope& e) {
  codec::Writer w;
  write_body(w, e);
  return w.take();
}

std::vector<std::uint8_t> encode_envelope(const Envelope& e) {
  codec::Writer w;
  write_body(w, e);
  w.fixed(e.signature);
  return w.take();
}

Result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Envelope e;
  auto magic = r.fixed<4>();
  if (r.ok() && !std::equal(magic.begin(), magic.end(), kMagic)) r.fail("not an envelope (bad magic)");
  if (std::uint8_t v = r.u8(); r.ok() && v != kVersion) r.fail("unknown envelope version " + std::to_string(v));
  e.sender = r.fixed<32>();
  e.recipient = r.fixed<32>();
  e.instance = r.fixed<16>();
  e.seq = r.u64();
  e.timestamp_ms = r.i64();
  e.type = r.str(kMaxTypeLength);
  if (r.ok() && !valid_type(e.type)) r.fail("payload type must be 1-64 of [a-z0-9._-]");
  e.payload = r.bytes(kMaxPayloadBytes);
  std::uint32_t n = r.count(kMaxFrames, 40);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    FrameRef f;
    f.size = r.u64();
    f.hash = r.fixed<32>();
    if (r.ok() && f.size > kMaxFrameBytes) r.fail("frame " + std::to_string(i) + " is larger than the limit");
    e.frames.push_back(f);
  }
  e.prev = r.fixed<32>();
  e.signature = r.fixed<64>();
  if (Status s = r.finish(); !s.ok()) return s.error().context("envelope");
  return e;
}

Digest envelope_hash(const Envelope& e) { return codec::Sha256().update(kHashDomain).update(signed_body(e)).finish(); }

namespace {
std::vector<std::uint8_t> signing_message(const Envelope& e) {
  std::vector<std::uint8_t> m(kSignDomain.begin(), kSignDomain.end());
  std::vector<std::uint8_t> body = signed_body(e);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}
}  // namespace

void sign_envelope(Envelope& e, const KeyPair& key) {
  e.sender = key.public_key();
  e.signature = key.sign(signing_message(e));
}

Status verify_envelope(const Envelope& e) {
  if (!verify_signature(e.sender, signing_message(e), e.signature))
    return Error{"bad signature: the envelope is not signed by " + to_hex(e.sender).substr(0, 16)};
  return Status::ok_status();
}

std::vector<FrameRef> frame_refs(std::span<const std::span<const std::uint8_t>> frames) {
  std::vector<FrameRef> out;
  for (auto f : frames) out.push_back(FrameRef{f.size(), codec::sha256(f)});
  return out;
}

Status check_frames(const Envelope& e, std::span<const std::span<const std::uint8_t>> frames) {
  if (frames.size() != e.frames.size())
    return Error{"the envelope lists " + std::to_string(e.frames.size()) + " frames, " + std::to_string(frames.size()) +
                 " arrived"};
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].size() != e.frames[i].size || codec::sha256(frames[i]) != e.frames[i].hash)
      return Error{"frame " + std::to_string(i) + " does not match its digest in the envelope"};
  }
  return Status::ok_status();
}

Status ReplayGuard::accept(const Envelope& e) {
  Head& h = heads_[{e.sender, e.instance}];
  if (e.seq <= h.seq) return Error{"replay: sequence number " + std::to_string(e.seq) + " was already seen"};
  if (e.seq != h.seq + 1)
    return Error{"out of order: expected sequence number " + std::to_string(h.seq + 1) + ", got " +
                 std::to_string(e.seq)};
  if (e.prev != h.hash) return Error{"out of order: the previous-envelope hash does not match"};
  h.seq = e.seq;
  h.hash = envelope_hash(e);
  return Status::ok_status();
}

Streams::Next Streams::next(const InstanceId& instance) const {
  auto it = heads_.find(instance);
  if (it == heads_.end()) return Next{};
  return Next{it->second.seq + 1, it->second.prev};
}

void Streams::advance(const InstanceId& instance, std::uint64_t seq, const Digest& hash) {
  heads_[instance] = Next{seq, hash};
}

}  // namespace verdict::wire
