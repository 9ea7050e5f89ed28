#include "parties/escrowd/client.hpp"

#include <chrono>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace verdict::escrowd {

EscrowClient::EscrowClient(zmq::context_t& context, const wire::KeyPair& key, wire::PublicKey server,
                           const escrow::Clock& clock, ClientOptions options)
    : context_(context), key_(key), server_(server), clock_(clock), options_(std::move(options)) {
  reset_socket();
}

EscrowClient::~EscrowClient() = default;

const wire::PublicKey& EscrowClient::public_key() const { return key_.public_key(); }

void EscrowClient::reset_socket() {
  // A fresh socket drops whatever the old one still had queued for a dead peer, so a
  // restarted service is not flooded with stale retransmissions.
  socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  socket_->set(zmq::sockopt::linger, 0);
  socket_->set(zmq::sockopt::reconnect_ivl, options_.reconnect_ivl_ms);
  socket_->set(zmq::sockopt::reconnect_ivl_max, std::max(options_.reconnect_ivl_ms, 200));
  socket_->connect(options_.endpoint);
}

wire::Envelope EscrowClient::make_envelope(const std::string& type, std::vector<std::uint8_t> payload,
                                           const wire::InstanceId& instance, std::uint64_t seq,
                                           const wire::Digest& prev) const {
  wire::Envelope env;
  env.recipient = server_;
  env.instance = instance;
  env.seq = seq;
  env.timestamp_ms = clock_.now_ms();
  env.type = type;
  env.payload = std::move(payload);
  env.prev = prev;
  wire::sign_envelope(env, key_);
  return env;
}

Result<Reply> EscrowClient::exchange_raw(const std::vector<std::vector<std::uint8_t>>& frames,
                                         const wire::Digest& reply_prev) {
  stats_.requests += 1;
  const int attempts = options_.max_attempts;
  for (int attempt = 0; attempts == 0 || attempt < attempts; ++attempt) {
    if (attempt > 0) {
      stats_.retransmissions += 1;
      reset_socket();
    }
    try {
      std::vector<zmq::const_buffer> parts;
      for (const auto& f : frames) parts.emplace_back(f.data(), f.size());
      if (!zmq::send_multipart(*socket_, parts, zmq::send_flags::dontwait)) continue;
      if (attempt == 0 && recording_ && options_.record && !frames.empty()) options_.record(true, frames[0]);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
      for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        zmq::pollitem_t item{static_cast<void*>(*socket_), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, left);
        if (!(item.revents & ZMQ_POLLIN)) continue;
        std::vector<zmq::message_t> msg;
        if (!zmq::recv_multipart(*socket_, std::back_inserter(msg), zmq::recv_flags::dontwait)) continue;
        if (msg.size() != 1) continue;
        auto env = wire::decode_envelope(
            std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(msg[0].data()), msg[0].size()));
        // Anything that is not the escrow's signed answer to this very request is
        // ignored: a stale reply to an earlier attempt, or garbage.
        if (!env.ok() || env->sender != server_ || env->type != kReplyType || env->prev != reply_prev) continue;
        if (env->recipient != key_.public_key() && env->recipient != wire::PublicKey{}) continue;
        if (!wire::verify_envelope(*env).ok()) continue;
        auto reply = decode_reply(env->payload);
        if (!reply.ok()) continue;
        const auto* data = static_cast<const std::uint8_t*>(msg[0].data());
        last_reply_envelope_.assign(data, data + msg[0].size());
        if (recording_ && options_.record) options_.record(false, last_reply_envelope_);
        return std::move(*reply);
      }
    } catch (const zmq::error_t& e) {
      return Error{std::string("escrow client socket: ") + e.what()};
    }
  }
  return Error{"no answer from the escrow at " + options_.endpoint + " after " + std::to_string(attempts) +
               " attempts; the outcome is unknown (resubmit with the same op id)"};
}

Result<Reply> EscrowClient::exchange(const wire::Envelope& env) {
  return exchange_raw({wire::encode_envelope(env)}, wire::envelope_hash(env));
}

Result<wire::Streams::Next> EscrowClient::next_in_stream(const wire::InstanceId& instance) {
  if (!streams_.known(instance)) {
    Query q;
    q.kind = QueryKind::kChainHead;
    q.instance = instance;
    auto r = query(q);
    if (!r.ok()) return r.error();
    if (r->status != ReplyStatus::kAnswer) return Error{"escrow refused the chain-head query: " + r->reason};
    auto head = decode_head(r->body);
    if (!head.ok()) return head.error();
    streams_.advance(instance, head->seq, head->hash);
  }
  return streams_.next(instance);
}

Result<Reply> EscrowClient::submit(const escrow::Request& request) {
  const escrow::InstanceId instance = escrow::request_instance(request);
  const std::vector<std::uint8_t> payload = escrow::encode_request(request);
  for (int round = 0; round < 2; ++round) {
    auto next = next_in_stream(instance);
    if (!next.ok()) return next.error();
    wire::Envelope env = make_envelope(kOpType, payload, instance, next->seq, next->prev);
    recording_ = true;
    auto reply = exchange(env);
    recording_ = false;
    if (!reply.ok()) return reply;
    if (reply->status == ReplyStatus::kApplied || reply->status == ReplyStatus::kDuplicate) {
      streams_.advance(instance, env.seq, wire::envelope_hash(env));
      return reply;
    }
    const bool stale_view = reply->code == escrow::Code::kReplay || reply->code == escrow::Code::kStaleTimestamp;
    if (round == 0 && stale_view) {
      // Our view of the stream (or clock) is out of date: e.g. the key is used by another
      // process, or an earlier envelope of ours was applied after we gave up on it.
      if (reply->code == escrow::Code::kReplay) streams_.forget(instance);
      continue;
    }
    return reply;
  }
  return Error{"unreachable"};
}

Result<Reply> EscrowClient::query(const Query& q) {
  wire::Envelope env = make_envelope(kQueryType, encode_query(q), q.instance, 0, wire::Digest{});
  return exchange(env);
}

namespace {
template <class T, class F>
Result<T> answer(Result<Reply> r, F decode) {
  if (!r.ok()) return r.error();
  if (r->status != ReplyStatus::kAnswer)
    return Error{std::string("escrow refused (") + escrow::code_name(r->code) + "): " + r->reason};
  return decode(r->body);
}
}  // namespace

Result<escrow::PartySummary> EscrowClient::summary(const escrow::PartyId& party) {
  Query q;
  q.kind = QueryKind::kSummary;
  q.party = party;
  return answer<escrow::PartySummary>(query(q), [](const auto& b) { return decode_summary(b); });
}

Result<escrow::InstanceView> EscrowClient::instance(const escrow::InstanceId& id) {
  Query q;
  q.kind = QueryKind::kInstance;
  q.instance = id;
  return answer<escrow::InstanceView>(query(q), [](const auto& b) { return decode_instance(b); });
}

Result<escrow::Head> EscrowClient::audit_head() {
  Query q;
  q.kind = QueryKind::kAuditHead;
  return answer<escrow::Head>(query(q), [](const auto& b) { return decode_head(b); });
}

Result<escrow::Amount> EscrowClient::balance(const std::string& account) {
  Query q;
  q.kind = QueryKind::kBalance;
  q.account = account;
  return answer<escrow::Amount>(query(q), [](const auto& b) { return decode_amount(b); });
}

}  // namespace verdict::escrowd
