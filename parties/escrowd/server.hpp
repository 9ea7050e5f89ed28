#pragma once
// The escrow service: a ZeroMQ ROUTER socket in front of one Ledger.
//
// Each turn of the loop takes every request already queued (up to max_batch), checks
// each one (frames, envelope decoding, frame digests, signature, recipient, payload,
// timestamp window), hands the surviving operations to Ledger::apply_batch() as one
// group commit, and only after that commit has returned sends the signed replies: an
// operation is durable before it is acknowledged. Queries are answered after the
// commit, from the committed state. Every refusal is a signed reply with a code and a
// reason, and changes nothing.
//
// Authentication is the envelope signature; authorization is the ledger's (only an
// instance's parties act on it, only the operator mints). Replay protection is the
// envelope chain (seq, prev) the ledger stores atomically with each operation; a
// byte-identical retransmission of an applied request is answered with the recorded
// result, flagged duplicate, and changes nothing.
//
// Timestamps: a new operation whose envelope timestamp is more than
// timestamp_window_ms away from the escrow's clock is refused (kStaleTimestamp); a
// retransmission of an applied one is still answered with its recorded result.
//
// Threading: run() on one thread; stop() from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "escrow/clock.hpp"
#include "escrow/ledger.hpp"
#include "parties/wire/keys.hpp"

namespace zmq {
class context_t;
}

namespace verdict::escrowd {

struct ServerOptions {
  std::string bind;  // e.g. tcp://127.0.0.1:7400, tcp://127.0.0.1:* or ipc:///path
  std::int64_t timestamp_window_ms = 600'000;
  std::size_t max_batch = 256;
  std::int64_t max_message_bytes = 80LL << 20;
  bool verbose = false;  // one line per batch on stderr
};

struct ServerStats {
  std::uint64_t batches = 0;
  std::uint64_t applied = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::uint64_t queries = 0;
};

class EscrowServer {
 public:
  // Binds the socket. The ledger, clock and context must outlive the server.
  static Result<std::unique_ptr<EscrowServer>> create(zmq::context_t& context, escrow::Ledger& ledger,
                                                      const escrow::Clock& clock, wire::KeyPair key,
                                                      ServerOptions options);
  ~EscrowServer();

  // Serves until stop() is called or `stop_fd` (if >= 0) becomes readable. Errors only
  // for socket failures; bad requests are answered, never fatal.
  Status run(int stop_fd = -1);
  void stop() { stop_.store(true); }

  // The bound endpoint, with the port the OS picked if the bind asked for one.
  const std::string& endpoint() const;
  const wire::PublicKey& public_key() const;
  ServerStats stats() const;

 private:
  struct Impl;
  explicit EscrowServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
};

}  // namespace verdict::escrowd
