#include "parties/escrowd/server.hpp"

#include <poll.h>

#include <cstdio>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "base/hex.hpp"
#include "parties/escrowd/messages.hpp"
#include "parties/wire/envelope.hpp"

namespace verdict::escrowd {

using escrow::Code;

namespace {
std::span<const std::uint8_t> bytes_of(const zmq::message_t& m) {
  return std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(m.data()), m.size());
}
}  // namespace

struct EscrowServer::Impl {
  escrow::Ledger& ledger;
  const escrow::Clock& clock;
  wire::KeyPair key;
  ServerOptions options;
  zmq::socket_t socket;
  std::string endpoint;
  std::atomic<std::uint64_t> batches{0}, applied{0}, duplicates{0}, rejected{0}, queries{0};

  Impl(zmq::context_t& ctx, escrow::Ledger& l, const escrow::Clock& c, wire::KeyPair k, ServerOptions o)
      : ledger(l), clock(c), key(std::move(k)), options(std::move(o)), socket(ctx, zmq::socket_type::router) {}

  // One request of a batch and what to answer it with.
  struct Item {
    zmq::message_t identity;
    std::vector<zmq::message_t> frames;  // after the identity
    wire::PublicKey to{};
    wire::InstanceId instance{};
    std::uint64_t seq = 0;
    wire::Digest prev{};  // of the reply: the request's hash
    std::optional<wire::Envelope> envelope;
    std::optional<escrow::Request> request;
    std::optional<Query> query;
    Reply reply;
    bool answered = false;
  };

  void refuse(Item& it, Code code, std::string reason) {
    it.reply = Reply{};
    it.reply.status = ReplyStatus::kRejected;
    it.reply.code = code;
    it.reply.reason = std::move(reason);
    it.reply.time_ms = clock.now_ms();
    it.answered = true;
  }

  // Decoding and authentication: fills `it` or refuses it.
  void admit(Item& it, std::int64_t now) {
    if (it.frames.empty()) {
      it.prev = codec::sha256({});
      return refuse(it, Code::kMalformed, "empty message");
    }
    it.prev = codec::sha256(bytes_of(it.frames[0]));
    if (it.frames.size() > 1 + wire::kMaxFrames) return refuse(it, Code::kMalformed, "too many frames");
    auto env = wire::decode_envelope(bytes_of(it.frames[0]));
    if (!env.ok()) return refuse(it, Code::kMalformed, env.error().message);
    std::vector<std::span<const std::uint8_t>> extra;
    for (std::size_t i = 1; i < it.frames.size(); ++i) extra.push_back(bytes_of(it.frames[i]));
    if (Status s = wire::check_frames(*env, extra); !s.ok()) return refuse(it, Code::kMalformed, s.error().message);
    if (Status s = wire::verify_envelope(*env); !s.ok()) return refuse(it, Code::kBadSignature, s.error().message);
    // From here on the sender is authenticated: address the reply to it.
    it.to = env->sender;
    it.instance = env->instance;
    it.seq = env->seq;
    it.prev = wire::envelope_hash(*env);
    if (env->recipient != key.public_key())
      return refuse(it, Code::kWrongRecipient, "the envelope is addressed to " + to_hex(env->recipient).substr(0, 16));
    if (env->type == kOpType) {
      if (!env->frames.empty()) return refuse(it, Code::kMalformed, "escrow operations carry no binary frames");
      auto req = escrow::decode_request(env->payload);
      if (!req.ok()) return refuse(it, Code::kMalformed, req.error().message);
      if (env->timestamp_ms < now - options.timestamp_window_ms ||
          env->timestamp_ms > now + options.timestamp_window_ms) {
        // Stale, unless it is a retransmission of an applied operation.
        auto seen = ledger.has_operation(env->sender, req->op_id);
        if (!seen.ok()) return refuse(it, Code::kStorage, seen.error().message);
        if (!*seen)
          return refuse(it, Code::kStaleTimestamp,
                        "envelope timestamp " + std::to_string(env->timestamp_ms) + " is more than " +
                            std::to_string(options.timestamp_window_ms) + " ms from the escrow's clock " +
                            std::to_string(now));
      }
      it.request = std::move(*req);
    } else if (env->type == kQueryType) {
      auto q = decode_query(env->payload);
      if (!q.ok()) return refuse(it, Code::kMalformed, q.error().message);
      it.query = std::move(*q);
    } else {
      return refuse(it, Code::kMalformed, "unknown payload type '" + env->type + "'");
    }
    it.envelope = std::move(*env);
  }

  void answer_query(Item& it) {
    const Query& q = *it.query;
    Reply& r = it.reply;
    r.status = ReplyStatus::kAnswer;
    r.time_ms = clock.now_ms();
    it.answered = true;
    auto fail = [&](Code code, const Error& e) { refuse(it, code, e.message); };
    switch (q.kind) {
      case QueryKind::kSummary: {
        auto s = ledger.summary(q.party);
        if (!s.ok()) return fail(Code::kStorage, s.error());
        r.body = encode_summary(*s);
        break;
      }
      case QueryKind::kInstance: {
        auto v = ledger.instance(q.instance);
        if (!v.ok()) return fail(Code::kUnknownInstance, v.error());
        r.body = encode_instance(*v);
        break;
      }
      case QueryKind::kChainHead: {
        auto h = ledger.chain_head(it.to, q.instance);
        if (!h.ok()) return fail(Code::kStorage, h.error());
        r.body = encode_head(*h);
        break;
      }
      case QueryKind::kAuditHead: {
        auto h = ledger.audit_head();
        if (!h.ok()) return fail(Code::kStorage, h.error());
        r.audit_seq = h->seq;
        r.audit_hash = h->hash;
        r.body = encode_head(*h);
        break;
      }
      case QueryKind::kBalance: {
        auto b = ledger.balance(q.account);
        if (!b.ok()) return fail(Code::kStorage, b.error());
        r.body = encode_amount(*b);
        break;
      }
    }
  }

  void send_reply(Item& it) {
    wire::Envelope env;
    env.recipient = it.to;
    env.instance = it.instance;
    env.seq = it.seq;
    env.timestamp_ms = clock.now_ms();
    env.type = kReplyType;
    env.payload = encode_reply(it.reply);
    env.prev = it.prev;
    wire::sign_envelope(env, key);
    std::vector<std::uint8_t> bytes = wire::encode_envelope(env);
    std::array<zmq::message_t, 2> parts{std::move(it.identity), zmq::message_t(bytes.data(), bytes.size())};
    // ROUTER drops replies to peers that went away; never blocks.
    (void)zmq::send_multipart(socket, parts, zmq::send_flags::dontwait);
  }

  void process(std::vector<Item>& items) {
    const std::int64_t now = clock.now_ms();
    std::vector<escrow::Submission> subs;
    std::vector<std::size_t> owner;
    for (std::size_t i = 0; i < items.size(); ++i) {
      Item& it = items[i];
      admit(it, now);
      if (it.answered || !it.request) continue;
      escrow::ChainStep step{it.envelope->instance, it.envelope->seq, it.envelope->prev, it.prev};
      subs.push_back(escrow::Submission{it.envelope->sender, std::move(*it.request), step});
      owner.push_back(i);
    }
    if (!subs.empty()) {
      std::vector<escrow::Outcome> out = ledger.apply_batch(subs);  // durable on return
      for (std::size_t k = 0; k < out.size(); ++k) {
        Item& it = items[owner[k]];
        it.answered = true;
        if (!out[k].ok()) {
          refuse(it, out[k].rejection().code, out[k].rejection().reason);
          continue;
        }
        const escrow::Applied& a = out[k].applied();
        it.reply.status = a.duplicate ? ReplyStatus::kDuplicate : ReplyStatus::kApplied;
        it.reply.code = Code::kOk;
        it.reply.audit_seq = a.audit_seq;
        it.reply.audit_hash = a.audit_hash;
        it.reply.time_ms = a.time_ms;
        it.reply.body = escrow::encode_result(a.result);
      }
    }
    std::uint64_t n_applied = 0, n_dup = 0, n_rej = 0, n_q = 0;
    for (Item& it : items) {
      if (!it.answered && it.query) {
        answer_query(it);
      }
      switch (it.reply.status) {
        case ReplyStatus::kApplied:
          ++n_applied;
          break;
        case ReplyStatus::kDuplicate:
          ++n_dup;
          break;
        case ReplyStatus::kRejected:
          ++n_rej;
          break;
        case ReplyStatus::kAnswer:
          ++n_q;
          break;
      }
      send_reply(it);
    }
    batches += 1;
    applied += n_applied;
    duplicates += n_dup;
    rejected += n_rej;
    queries += n_q;
    if (options.verbose) {
      std::fprintf(stderr, "escrow: batch of %zu: %llu applied, %llu duplicate, %llu rejected, %llu queries\n",
                   items.size(), static_cast<unsigned long long>(n_applied), static_cast<unsigned long long>(n_dup),
                   static_cast<unsigned long long>(n_rej), static_cast<unsigned long long>(n_q));
    }
  }
};

EscrowServer::EscrowServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EscrowServer::~EscrowServer() = default;

Result<std::unique_ptr<EscrowServer>> EscrowServer::create(zmq::context_t& context, escrow::Ledger& ledger,
                                                           const escrow::Clock& clock, wire::KeyPair key,
                                                           ServerOptions options) {
  auto impl = std::make_unique<Impl>(context, ledger, clock, std::move(key), std::move(options));
  try {
    impl->socket.set(zmq::sockopt::linger, 0);
    impl->socket.set(zmq::sockopt::maxmsgsize, impl->options.max_message_bytes);
    impl->socket.bind(impl->options.bind);
    impl->endpoint = impl->socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Error{"cannot bind " + impl->options.bind + ": " + e.what()};
  }
  return std::unique_ptr<EscrowServer>(new EscrowServer(std::move(impl)));
}

const std::string& EscrowServer::endpoint() const { return impl_->endpoint; }
const wire::PublicKey& EscrowServer::public_key() const { return impl_->key.public_key(); }

ServerStats EscrowServer::stats() const {
  return ServerStats{impl_->batches.load(), impl_->applied.load(), impl_->duplicates.load(), impl_->rejected.load(),
                     impl_->queries.load()};
}

Status EscrowServer::run(int stop_fd) {
  try {
    while (!stop_.load()) {
      zmq::pollitem_t items[2] = {{static_cast<void*>(impl_->socket), 0, ZMQ_POLLIN, 0},
                                  {nullptr, stop_fd, ZMQ_POLLIN, 0}};
      zmq::poll(items, stop_fd >= 0 ? 2 : 1, std::chrono::milliseconds(50));
      if (stop_fd >= 0 && (items[1].revents & ZMQ_POLLIN)) break;
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<Impl::Item> batch;
      while (batch.size() < impl_->options.max_batch) {
        std::vector<zmq::message_t> parts;
        auto n = zmq::recv_multipart(impl_->socket, std::back_inserter(parts), zmq::recv_flags::dontwait);
        if (!n) break;
        Impl::Item it;
        it.identity = std::move(parts[0]);
        for (std::size_t i = 1; i < parts.size(); ++i) it.frames.push_back(std::move(parts[i]));
        batch.push_back(std::move(it));
      }
      if (!batch.empty()) impl_->process(batch);
    }
  } catch (const zmq::error_t& e) {
    return Error{std::string("escrow service socket: ") + e.what()};
  }
  return Status::ok_status();
}

}  // namespace verdict::escrowd
