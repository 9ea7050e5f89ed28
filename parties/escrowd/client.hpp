#pragma once
// The escrow client library: signs requests as envelopes, sends them over a ZeroMQ
// DEALER socket, and retries until the escrow answers.
//
// submit() keeps the sender's envelope chain per instance (fetched from the escrow the
// first time a stream is used) and retransmits the identical bytes after each timeout,
// on a fresh socket, so a lost request or a lost reply (a crash of the service between
// commit and reply included) costs only time: the escrow applies an operation at most
// once per op id and answers a retransmission with the first result. A definitive
// refusal leaves the chain where it was. If the escrow refuses the envelope chain
// (kReplay) or its timestamp, the client refreshes its view and re-signs once with the
// same op id.
//
// Return values: a Reply is a definitive answer (applied, duplicate, rejected with a
// code and reason, or a query's answer), signed by the escrow and checked against the
// request. An Error means no valid answer came in max_attempts tries: the outcome is
// unknown, and submitting the same Request again (same op id) is always safe.
//
// One client per thread (ZeroMQ sockets are not thread-safe); the context, key and
// clock must outlive it.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/clock.hpp"
#include "escrow/ledger.hpp"
#include "escrow/ops.hpp"
#include "parties/escrowd/messages.hpp"
#include "parties/wire/envelope.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace verdict::escrowd {

struct ClientOptions {
  std::string endpoint;   // where the service listens
  int timeout_ms = 1000;  // per attempt
  int max_attempts = 30;  // 0: retry forever
  int reconnect_ivl_ms = 20;
  // Called with every operation envelope submit() sends (once, not per retransmission)
  // and with the escrow's signed reply it accepts (an agent's transcript). Queries are
  // not reported.
  std::function<void(bool sent, std::span<const std::uint8_t> envelope)> record;
};

struct ClientStats {
  std::uint64_t requests = 0;
  std::uint64_t retransmissions = 0;
};

class EscrowClient {
 public:
  EscrowClient(zmq::context_t& context, const wire::KeyPair& key, wire::PublicKey server, const escrow::Clock& clock,
               ClientOptions options);
  ~EscrowClient();
  EscrowClient(const EscrowClient&) = delete;
  EscrowClient& operator=(const EscrowClient&) = delete;

  Result<Reply> submit(const escrow::Request& request);
  Result<Reply> query(const Query& query);

  // Conveniences over query(); an Error if the escrow refuses or does not answer.
  Result<escrow::PartySummary> summary(const escrow::PartyId& party);
  Result<escrow::InstanceView> instance(const escrow::InstanceId& id);
  Result<escrow::Head> audit_head();
  Result<escrow::Amount> balance(const std::string& account);

  // Sends arbitrary frames (tests of hostile input) and waits for the escrow's signed
  // reply whose prev field is `reply_prev`, retransmitting like submit().
  Result<Reply> exchange_raw(const std::vector<std::vector<std::uint8_t>>& frames, const wire::Digest& reply_prev);

  // Builds and signs the envelope submit() would send next, without sending it.
  wire::Envelope make_envelope(const std::string& type, std::vector<std::uint8_t> payload,
                               const wire::InstanceId& instance, std::uint64_t seq, const wire::Digest& prev) const;

  const wire::PublicKey& public_key() const;
  // The escrow's signed reply envelope (encoded) of the last answered request or query:
  // an agent records the instance views it acts on in its transcript.
  const std::vector<std::uint8_t>& last_reply_envelope() const { return last_reply_envelope_; }
  ClientStats stats() const { return stats_; }

 private:
  Result<Reply> exchange(const wire::Envelope& env);
  Result<wire::Streams::Next> next_in_stream(const wire::InstanceId& instance);
  void reset_socket();

  zmq::context_t& context_;
  const wire::KeyPair& key_;
  wire::PublicKey server_;
  const escrow::Clock& clock_;
  ClientOptions options_;
  std::unique_ptr<zmq::socket_t> socket_;
  wire::Streams streams_;
  ClientStats stats_;
  std::vector<std::uint8_t> last_reply_envelope_;
  bool recording_ = false;  // inside submit(): report envelopes to options_.record
};

}  // namespace verdict::escrowd
