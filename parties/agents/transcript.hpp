#pragma once
// Hash-chained protocol transcripts (docs/formats.md, "Protocol transcripts").
//
// Every signed envelope an agent sends or receives (to and from its peers and the
// escrow service) is appended as one record, with the binary frames that travelled with
// it, so that a third party holding the file, the parties' public keys and the
// verifying key can re-check every signature, frame digest and message offline.
//
//   file     magic "VRDT" || u32 version (1) || records
//   record   u32 L || body (L bytes) || chain (32 bytes)
//   body     u8 direction (0 sent, 1 received) || u8 channel (0 peer, 1 escrow)
//            || i64 local time (ms since the Unix epoch)
//            || u32 length || envelope bytes (parties/wire canonical encoding)
//            || u32 frame count || per frame: u32 length || frame bytes
//   chain_0  = SHA-256("verdict/transcript/v1")
//   chain_i  = SHA-256(chain_{i-1} || body_i)
//
// A reader recomputes every chain value and refuses the file at the first record whose
// stored chain differs (a changed, dropped, inserted or reordered record), or on a
// truncated record. The writer flushes after every record; a record cut by a crash is
// reported as truncated (the records before it still verify).

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/codec/sha256.hpp"

namespace verdict::agents {

using Digest = codec::Digest;

enum class Direction : std::uint8_t { kSent = 0, kReceived = 1 };
enum class Channel : std::uint8_t { kPeer = 0, kEscrow = 1 };

struct TranscriptRecord {
  Direction direction = Direction::kSent;
  Channel channel = Channel::kPeer;
  std::int64_t time_ms = 0;
  std::vector<std::uint8_t> envelope;
  std::vector<std::vector<std::uint8_t>> frames;
  Digest chain{};
};

Digest transcript_genesis();
std::vector<std::uint8_t> encode_record_body(const TranscriptRecord& r);

class TranscriptWriter {
 public:
  // Creates (or truncates) the file and writes the header.
  static Result<TranscriptWriter> create(const std::string& path);
  TranscriptWriter(TranscriptWriter&& o) noexcept;
  TranscriptWriter& operator=(TranscriptWriter&&) = delete;
  ~TranscriptWriter();

  Status append(Direction direction, Channel channel, std::int64_t time_ms, std::span<const std::uint8_t> envelope,
                std::span<const std::vector<std::uint8_t>> frames = {});
  const Digest& head() const { return head_; }
  std::uint64_t records() const { return records_; }

 private:
  explicit TranscriptWriter(std::FILE* f) : file_(f), head_(transcript_genesis()) {}
  std::FILE* file_ = nullptr;
  Digest head_{};
  std::uint64_t records_ = 0;
};

// Reads and checks a whole transcript: every record's chain value, no trailing bytes.
Result<std::vector<TranscriptRecord>> read_transcript(const std::string& path);
// The same on the file's bytes (errors prefixed with `name`).
Result<std::vector<TranscriptRecord>> parse_transcript(std::span<const std::uint8_t> bytes,
                                                       const std::string& name = "transcript");

}  // namespace verdict::agents
