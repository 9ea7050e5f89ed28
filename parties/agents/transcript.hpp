#pragma once
// Hash-chained protocol transcripts with signed checkpoints (docs/formats.md, "Protocol
// transcripts"; the tree-head idea of RFC 6962 on a hash chain).
//
// Every signed envelope an agent sends or receives (to and from its peers and the
// escrow service, and the escrow's signed answers about its instance) is appended as one
// record with the binary frames that travelled with it, so that a judge holding the
// file, the parties' public keys and the verifying key can re-check every signature,
// frame digest, message and escrow event offline.
//
//   file        magic "VRDT" || u32 version (2) || records
//   record      u32 L || body (L bytes) || chain (32 bytes)
//   body        u8 direction (0 sent, 1 received) || u8 channel || i64 local time (ms)
//               || u32 length || data || u32 frame count || per frame: u32 length || bytes
//   channel     0 peer (data = envelope bytes), 1 escrow (data = envelope bytes: our
//               requests, the escrow's signed replies and instance views), 2 header
//               (the first record, data = u32 length || protocol || u8 role || u32
//               length || terms encoding; direction 0), 3 checkpoint (direction 0,
//               data = checkpoint encoding below)
//   chain_0     = SHA-256("verdict/transcript/v2")
//   chain_i     = SHA-256(chain_{i-1} || body_i)
//
//   checkpoint  u64 size || 32-byte head || i64 time || 32-byte signer key || 64-byte
//               Ed25519 signature over SHA-256("verdict/transcript/checkpoint/v1" ||
//               u64 size || head || i64 time): the owner's signed statement that its
//               transcript's first `size` records chain to `head`. The writer signs one
//               every kCheckpointEvery records and at close(); the agents also put
//               (size, head) into the payload of every peer envelope they send, so the
//               other parties hold signed heads of each other's transcripts (a judge
//               checks every transcript against the heads the others received).
//
// A reader recomputes every chain value and refuses the file at the first record whose
// stored chain differs (a changed, dropped, inserted or reordered record), or on a
// truncated record. The writer flushes after every record; a record cut by a crash is
// reported as truncated (the records before it still verify).

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/codec/sha256.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::agents {

using Digest = codec::Digest;

enum class Direction : std::uint8_t { kSent = 0, kReceived = 1 };
enum class Channel : std::uint8_t { kPeer = 0, kEscrow = 1, kHeader = 2, kCheckpoint = 3 };

inline constexpr std::uint64_t kCheckpointEvery = 16;

struct TranscriptRecord {
  Direction direction = Direction::kSent;
  Channel channel = Channel::kPeer;
  std::int64_t time_ms = 0;
  std::vector<std::uint8_t> envelope;  // the data: an envelope, a header or a checkpoint
  std::vector<std::vector<std::uint8_t>> frames;
  Digest chain{};
};

// What the first record says: which protocol, which role the owner plays, the terms.
struct TranscriptHeader {
  std::string protocol;  // "accuracy", "serving", "retrieval"
  std::uint8_t role = 0;
  std::vector<std::uint8_t> terms;  // the protocol's terms encoding
};
std::vector<std::uint8_t> encode_header(const TranscriptHeader& h);
Result<TranscriptHeader> decode_header(std::span<const std::uint8_t> bytes);

struct Checkpoint {
  std::uint64_t size = 0;  // records covered
  Digest head{};           // chain value after record size - 1 (the genesis for 0)
  std::int64_t time_ms = 0;
  wire::PublicKey signer{};
  wire::Signature signature{};
};
std::vector<std::uint8_t> checkpoint_message(std::uint64_t size, const Digest& head, std::int64_t time_ms);
Checkpoint sign_checkpoint(std::uint64_t size, const Digest& head, std::int64_t time_ms, const wire::KeyPair& key);
bool checkpoint_valid(const Checkpoint& c);
std::vector<std::uint8_t> encode_checkpoint(const Checkpoint& c);
Result<Checkpoint> decode_checkpoint(std::span<const std::uint8_t> bytes);

// The unsigned (size, head) an agent puts into each peer envelope's payload.
struct TreeHead {
  std::uint64_t size = 0;
  Digest head{};
};
std::vector<std::uint8_t> encode_tree_head(const TreeHead& h);
Result<TreeHead> decode_tree_head(std::span<const std::uint8_t> bytes);

Digest transcript_genesis();
std::vector<std::uint8_t> encode_record_body(const TranscriptRecord& r);

class TranscriptWriter {
 public:
  // Creates (or truncates) the file, writes the magic and the header record. `key` signs
  // the checkpoints and must outlive the writer.
  static Result<TranscriptWriter> create(const std::string& path, const TranscriptHeader& header,
                                         const wire::KeyPair& key, std::int64_t time_ms);
  TranscriptWriter(TranscriptWriter&& o) noexcept;
  TranscriptWriter& operator=(TranscriptWriter&&) = delete;
  ~TranscriptWriter();

  // Appends a record; every kCheckpointEvery records a signed checkpoint follows.
  Status append(Direction direction, Channel channel, std::int64_t time_ms, std::span<const std::uint8_t> envelope,
                std::span<const std::vector<std::uint8_t>> frames = {});
  // Appends a final signed checkpoint over everything written.
  Status close(std::int64_t time_ms);
  const Digest& head() const { return head_; }
  std::uint64_t records() const { return records_; }
  TreeHead tree_head() const { return {records_, head_}; }

 private:
  TranscriptWriter(std::FILE* f, const wire::KeyPair& key) : file_(f), key_(&key), head_(transcript_genesis()) {}
  Status write_record(const TranscriptRecord& r);
  Status checkpoint(std::int64_t time_ms);
  std::FILE* file_ = nullptr;
  const wire::KeyPair* key_ = nullptr;
  Digest head_{};
  std::uint64_t records_ = 0;
  std::uint64_t since_checkpoint_ = 0;
};

// Reads and checks a whole transcript: every record's chain value, no trailing bytes,
// the header first, every checkpoint well formed, signed by one key and naming the size
// and head at its position.
Result<std::vector<TranscriptRecord>> read_transcript(const std::string& path);
// The same on the file's bytes (errors prefixed with `name`).
Result<std::vector<TranscriptRecord>> parse_transcript(std::span<const std::uint8_t> bytes,
                                                       const std::string& name = "transcript");

}  // namespace verdict::agents
