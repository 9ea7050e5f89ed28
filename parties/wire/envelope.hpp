#pragma once
// Signed envelopes: every message between verdict parties, and between a party and the
// escrow service, is one (docs/formats.md ("Escrow and parties") has the byte layout).
//
// An envelope names its sender and recipient (Ed25519 public keys), the protocol
// instance it belongs to, its sequence number in the sender's stream for that instance,
// the sender's clock, a payload type and payload, digests of the binary frames sent
// with it (large payloads such as proofs travel as separate ZeroMQ frames, bound by
// these digests), and the hash of the sender's previous envelope in that instance. The
// sender signs all of it (Ed25519, domain "verdict/envelope/v1").
//
// Canonical encoding: magic "VRDE", version 1, fixed field order, big-endian integers,
// u32 length prefixes. decode_envelope() accepts only that encoding (so equal messages
// have equal bytes and equal hashes), enforces the limits below, never allocates more
// than its input, and reports any defect as an Error: it never crashes on any input
// (fuzz/envelope_decode_fuzzer.cpp).
//
// Hash of an envelope: SHA-256("verdict/envelope-hash/v1" || signed body). It does not
// cover the signature, so it names the content.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/codec/sha256.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::wire {

using Digest = codec::Digest;
using InstanceId = std::array<std::uint8_t, 16>;

inline constexpr std::size_t kMaxPayloadBytes = 1 << 20;    // 1 MiB in the envelope itself
inline constexpr std::size_t kMaxFrames = 16;               // binary frames alongside
inline constexpr std::uint64_t kMaxFrameBytes = 64u << 20;  // 64 MiB per frame
inline constexpr std::size_t kMaxTypeLength = 64;           // [a-z0-9._-]{1,64}

struct FrameRef {
  std::uint64_t size = 0;
  Digest hash{};  // SHA-256 of the frame's bytes
  bool operator==(const FrameRef&) const = default;
};

struct Envelope {
  PublicKey sender{};
  PublicKey recipient{};
  InstanceId instance{};
  std::uint64_t seq = 0;
  std::int64_t timestamp_ms = 0;
  std::string type;
  std::vector<std::uint8_t> payload;
  std::vector<FrameRef> frames;
  Digest prev{};
  Signature signature{};
  bool operator==(const Envelope&) const = default;
};

// The bytes the signature covers (everything but the signature).
std::vector<std::uint8_t> signed_body(const Envelope& e);
std::vector<std::uint8_t> encode_envelope(const Envelope& e);
Result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes);
Digest envelope_hash(const Envelope& e);

// Sets e.sender to the key's public key, then signs.
void sign_envelope(Envelope& e, const KeyPair& key);
// Ok iff the signature is the sender's.
Status verify_envelope(const Envelope& e);
// Binds frames to an envelope: the FrameRefs list exactly these frames, in order.
std::vector<FrameRef> frame_refs(std::span<const std::span<const std::uint8_t>> frames);
Status check_frames(const Envelope& e, std::span<const std::span<const std::uint8_t>> frames);

// An in-memory receiver-side replay guard for agents: accepts an envelope only as the
// next one of its (sender, instance) stream (seq = last + 1, prev = hash of the last).
// The escrow service keeps the same state durably in its ledger instead.
class ReplayGuard {
 public:
  Status accept(const Envelope& e);

 private:
  struct Head {
    std::uint64_t seq = 0;
    Digest hash{};
  };
  std::map<std::pair<PublicKey, InstanceId>, Head> heads_;
};

// A sender's view of its own streams: what seq and prev the next envelope needs.
class Streams {
 public:
  struct Next {
    std::uint64_t seq = 1;
    Digest prev{};
  };
  Next next(const InstanceId& instance) const;
  void advance(const InstanceId& instance, std::uint64_t seq, const Digest& hash);
  bool known(const InstanceId& instance) const { return heads_.count(instance) != 0; }
  void forget(const InstanceId& instance) { heads_.erase(instance); }

 private:
  std::map<InstanceId, Next> heads_;  // stores the last accepted (seq, hash)
};

}  // namespace verdict::wire
