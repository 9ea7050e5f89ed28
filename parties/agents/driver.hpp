#pragma once
// The process around one protocol machine (docs/protocols.md, "Agents over ZeroMQ"),
// shared by every protocol's agents: the driver owns the sockets, the keys, the escrow
// client, the transcript and the clock; the machine decides everything.
//
//   peers      one ZeroMQ PULL socket bound at the agent's endpoint; one PUSH socket to
//              each other party. A message is a signed envelope (sender, recipient, the
//              pair's stream id, seq, prev; its payload the sender's transcript head so
//              far) plus one frame holding the protocol's encoding of the message. An
//              envelope is accepted only from a known party, addressed to this agent,
//              correctly signed, frame digest matching, and as the next of its stream
//              (wire::ReplayGuard); anything else is dropped. An authenticated envelope
//              refused as replayed, out of order or malformed gets an error reply
//              ("<protocol>.error", the reason as text); error replies are never answered.
//   escrow     an escrowd::EscrowClient; once the protocol adapter knows the instance it
//              is polled every poll_ms, each new history event fed to the machine in
//              ledger order, and the escrow's signed view recorded in the transcript.
//              Until the escrow shows the instance opened, the adapter's instance() is
//              asked again before every poll and may name another one (a party that
//              follows whichever of several candidate sessions opens rotates them).
//   timers     SetTimer effects fire 20 ms after the deadline asked for (the escrow's
//              clock decides).
//   work       the adapter turns protocol-specific effects (proving, verifying, ...) into
//              the machine's next input, on the agent's thread.
//   transcript every envelope sent or received (agents/transcript.hpp), a signed
//              checkpoint every few records and at the end.
//
// The adapter P supplies the protocol (and stream_tag(), which names its envelope streams:
// the protocol, and for serving the round, so an envelope of one round is no envelope of
// another's streams): its Input/Effect/Message types (with the common
// effect structs Send, OpenEscrow, SubmitAct, SetTimer, Finished and the common inputs
// Start, Received, EscrowEvent, EscrowRefused, TimerFired), the machine, the codec, the
// instance's rules and id, and the work. See agent.cpp (accuracy) and retrieval_agent.cpp.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "base/rng.hpp"
#include "escrow/clock.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/wire/envelope.hpp"
#include "parties/wire/keys.hpp"

namespace verdict::agents {

struct PartyAddress {
  wire::PublicKey key{};
  std::string endpoint;  // where the party's PULL socket listens
};

// What every agent needs besides its protocol.
struct DriverConfig {
  int role = 0;
  const wire::KeyPair* key = nullptr;   // this agent's identity; outlives the run
  std::array<PartyAddress, 3> parties;  // by role (own entry: the endpoint to bind)
  std::string escrow_endpoint;
  wire::PublicKey escrow_key{};
  std::string transcript_path;
  int poll_ms = 100;
  std::int64_t max_run_ms = 3'600'000;  // give up (error) if not finished by then
  std::set<std::string> withhold;       // deviation: never submit these transitions
  std::set<std::string> corrupt;        // deviation: submit them with the evidence's first bit flipped
  std::string exit_at_stage;            // deviation: exit at once (as if killed) on reaching it
  std::function<void(const std::string&)> log;
};

template <class Outcome>
struct DriverResult {
  Outcome outcome;
  std::uint64_t transcript_records = 0;
  Digest transcript_head{};
};

// The stream id of `protocol` messages from `from` to `to` (envelope instance field).
wire::InstanceId pair_stream(const std::string& protocol, const wire::PublicKey& from, const wire::PublicKey& to);

// The services an adapter may use during a run (the requester files its transcript).
struct DriverServices {
  std::function<bool(int to, const std::string& type, const std::vector<std::uint8_t>& body)> send_raw;
  std::function<std::vector<std::uint8_t>()> transcript_bytes;
};

template <class P>
class Driver {
 public:
  using Input = typename P::Input;
  using Effect = typename P::Effect;
  using Message = typename P::Message;

  Driver(const DriverConfig& c, P& p) : c_(c), p_(p), me_(c.role) {}

  Result<DriverResult<typename P::Outcome>> run() {
    if (!c_.key) return Error{"agent: no key"};
    auto t = TranscriptWriter::create(c_.transcript_path, TranscriptHeader{P::kProtocol, static_cast<std::uint8_t>(me_), p_.terms_bytes()},
                                      *c_.key, clock_.now_ms());
    if (!t.ok()) return t.error();
    transcript_.emplace(std::move(*t));
    try {
      pull_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::pull);
      pull_->set(zmq::sockopt::linger, 0);
      pull_->set(zmq::sockopt::maxmsgsize, std::int64_t{256} << 20);
      pull_->bind(c_.parties[me_].endpoint);
      for (int r = 0; r < 3; ++r) {
        if (r == me_) continue;
        push_[r] = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::push);
        push_[r]->set(zmq::sockopt::linger, 1000);
        push_[r]->connect(c_.parties[r].endpoint);
      }
    } catch (const zmq::error_t& e) {
      return Error{std::string("agent sockets: ") + e.what()};
    }
    escrowd::ClientOptions o;
    o.endpoint = c_.escrow_endpoint;
    o.timeout_ms = 2000;
    o.max_attempts = 15;
    o.record = [this](bool sent, std::span<const std::uint8_t> env) {
      record(sent ? Direction::kSent : Direction::kReceived, Channel::kEscrow, env, {});
    };
    escrow_ = std::make_unique<escrowd::EscrowClient>(ctx_, *c_.key, c_.escrow_key, clock_, o);
    DriverServices services;
    services.send_raw = [this](int to, const std::string& type, const std::vector<std::uint8_t>& body) {
      return send_envelope(to, type, body);
    };
    services.transcript_bytes = [this] { return read_own_transcript(); };
    p_.attach(services);
    if (Status s = p_.before_start(*escrow_, rng_, [this](const std::string& l) { log(l); }); !s.ok()) return s.error();
    const std::int64_t give_up = clock_.now_ms() + c_.max_run_ms;
    feed(typename P::Start{clock_.now_ms()});
    std::int64_t last_poll = 0;
    while (!outcome_) {
      const std::int64_t now = clock_.now_ms();
      if (now > give_up) return Error{"agent: no end of the protocol within " + std::to_string(c_.max_run_ms) + " ms"};
      std::int64_t wait = c_.poll_ms;
      if (!timers_.empty()) wait = std::clamp<std::int64_t>(*timers_.begin() - now, 0, c_.poll_ms);
      if (poll_now_) wait = 0;
      zmq::pollitem_t item{static_cast<void*>(*pull_), 0, ZMQ_POLLIN, 0};
      try {
        zmq::poll(&item, 1, std::chrono::milliseconds(wait));
        receive_all();
      } catch (const zmq::error_t& e) {
        return Error{std::string("agent receive: ") + e.what()};
      }
      if (outcome_) break;
      if (std::optional<Input> late = p_.poll_input()) feed(std::move(*late));  // work that finished later
      const bool poll_due = poll_now_ || clock_.now_ms() - last_poll >= c_.poll_ms;
      if (poll_due && !instance_opened_) {  // may change until the escrow shows it opened
        if (auto i = p_.instance()) instance_ = i;
      }
      if (instance_ && poll_due) {
        last_poll = clock_.now_ms();
        poll_now_ = false;
        poll_escrow();
      }
      const std::int64_t t_now = clock_.now_ms();
      if (!timers_.empty() && *timers_.begin() <= t_now) {
        timers_.erase(timers_.begin(), timers_.upper_bound(t_now));
        feed(typename P::TimerFired{t_now});
      }
    }
    if (Status st = transcript_->close(clock_.now_ms()); !st.ok()) return st.error();
    DriverResult<typename P::Outcome> out;
    out.outcome = *outcome_;
    out.transcript_records = transcript_->records();
    out.transcript_head = transcript_->head();
    return out;
  }

 private:
  std::string error_type() const { return std::string(P::kProtocol) + ".error"; }
  static constexpr std::size_t kMaxErrorText = 256;

  void log(const std::string& line) const {
    if (c_.log) c_.log(line);
  }

  // Runs the machine on `first` and on every input its effects produce, in order.
  void feed(Input first) {
    pending_.push_back(std::move(first));
    while (!pending_.empty() && !outcome_) {
      Input in = std::move(pending_.front());
      pending_.pop_front();
      auto effects = p_.handle(in);
      if (!effects.ok()) {
        if (std::holds_alternative<typename P::Received>(in)) {
          // A peer's message may overtake the escrow event that makes it expected (the
          // escrow is polled): keep it and offer it again after the next escrow event.
          log("deferred a message (" + effects.error().message + ")");
          deferred_.push_back(std::move(in));
          if (deferred_.size() > 32) deferred_.pop_front();
        } else {
          log("refused an input: " + effects.error().message);
        }
        continue;
      }
      if (std::holds_alternative<typename P::EscrowEvent>(in) && !deferred_.empty()) {
        for (Input& d : deferred_) pending_.push_back(std::move(d));
        deferred_.clear();
      }
      if (p_.stage() != last_stage_) {
        last_stage_ = p_.stage();
        log("escrow stage: " + last_stage_);
        if (!c_.exit_at_stage.empty() && last_stage_ == c_.exit_at_stage) {
          log("deviation: exiting at stage " + last_stage_ + " (as if killed)");
          std::fflush(nullptr);
          std::_Exit(3);
        }
      }
      for (Effect& e : *effects) apply(e);
    }
  }

  void apply(Effect& e) {
    if (auto* s = std::get_if<typename P::Send>(&e)) {
      send(static_cast<int>(s->to), s->message);
    } else if (auto* o = std::get_if<typename P::OpenEscrow>(&e)) {
      instance_ = o->instance;
      escrow::Request req;
      rng_.fill(req.op_id);
      req.body = escrow::OpenInstance{o->instance, p_.rules(), {c_.parties[0].key, c_.parties[1].key, c_.parties[2].key}};
      submit("open", std::move(req));
    } else if (auto* a = std::get_if<typename P::SubmitAct>(&e)) {
      if (c_.withhold.count(a->transition)) {
        log("deviation: withholding " + a->transition);
        return;
      }
      escrow::Request req;
      rng_.fill(req.op_id);
      Digest evidence = a->evidence;
      if (c_.corrupt.count(a->transition)) {
        log("deviation: corrupting the evidence of " + a->transition);
        evidence[0] ^= 1;
      }
      p_.before_submit(a->transition);
      req.body = escrow::Act{*instance_, a->transition, evidence, 0};
      submit(a->transition, std::move(req));
    } else if (auto* t = std::get_if<typename P::SetTimer>(&e)) {
      timers_.insert(t->at_ms + 20);  // a little after the deadline: the escrow's clock decides
    } else if (auto* f = std::get_if<typename P::Finished>(&e)) {
      outcome_ = f->outcome;
    } else if (std::optional<Input> next = p_.work(e)) {
      pending_.push_back(std::move(*next));
    }
  }

  void submit(const std::string& what, escrow::Request req) {
    log("escrow <- " + what);
    auto r = escrow_->submit(req);
    if (!r.ok()) {
      log("escrow gave no answer to " + what + ": " + r.error().message);
      pending_.push_back(typename P::EscrowRefused{what, r.error().message});
    } else if (r->status == escrowd::ReplyStatus::kRejected) {
      log("escrow refused " + what + ": " + r->reason);
      pending_.push_back(typename P::EscrowRefused{what, r->reason});
    }
    poll_now_ = true;  // the loop reads the instance next (never from inside feed())
  }

  void send(int to, const Message& m) {
    const std::vector<std::uint8_t> body = P::encode_message(m);
    if (send_envelope(to, P::message_type(m), body))
      log("sent " + std::string(P::message_type(m)) + " to " + p_.role_name(to) + " (" + std::to_string(body.size()) +
          " bytes)");
  }

  // An authenticated peer whose envelope we refuse (replayed, out of order, malformed)
  // gets an error reply naming why; nothing else changes. Errors are never answered, and
  // envelopes we cannot attribute (unknown or forged senders) get no reply: there is no
  // authenticated return address, and answering would let anyone make us send.
  void reply_error(int to, const std::string& why) {
    const std::string text = why.substr(0, kMaxErrorText);
    const std::vector<std::uint8_t> body(text.begin(), text.end());
    if (send_envelope(to, error_type(), body)) log("sent an error reply to " + std::string(p_.role_name(to)) + ": " + text);
  }

  bool send_envelope(int r, const std::string& type, const std::vector<std::uint8_t>& body) {
    if (r == me_ || r < 0 || r > 2 || !push_[r]) return false;
    wire::Envelope env;
    env.recipient = c_.parties[r].key;
    env.instance = pair_stream(p_.stream_tag(), c_.key->public_key(), env.recipient);
    const auto next = streams_.next(env.instance);
    env.seq = next.seq;
    env.prev = next.prev;
    env.timestamp_ms = clock_.now_ms();
    env.type = type;
    env.payload = encode_tree_head(transcript_->tree_head());  // our transcript head so far, signed
    const std::span<const std::uint8_t> frames[1] = {body};
    env.frames = wire::frame_refs(frames);
    wire::sign_envelope(env, *c_.key);
    streams_.advance(env.instance, env.seq, wire::envelope_hash(env));
    const std::vector<std::uint8_t> bytes = wire::encode_envelope(env);
    try {
      push_[r]->send(zmq::buffer(bytes), zmq::send_flags::sndmore);
      push_[r]->send(zmq::buffer(body), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      log(std::string("send failed: ") + e.what());
      return false;
    }
    record(Direction::kSent, Channel::kPeer, bytes, {body});
    return true;
  }

  void receive_all() {
    for (;;) {
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(*pull_, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
      on_frames(parts);
    }
  }

  void on_frames(const std::vector<zmq::message_t>& parts) {
    if (parts.size() != 2) return log("dropped a message with " + std::to_string(parts.size()) + " frames");
    auto span_of = [](const zmq::message_t& m) {
      return std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(m.data()), m.size());
    };
    auto env = wire::decode_envelope(span_of(parts[0]));
    if (!env.ok()) return log("dropped an undecodable envelope: " + env.error().message);
    int from = -1;
    for (int r = 0; r < 3; ++r) {
      if (r != me_ && c_.parties[r].key == env->sender) from = r;
    }
    if (from < 0) return log("dropped an envelope from an unknown sender");
    if (env->recipient != c_.key->public_key()) return log("dropped an envelope addressed to someone else");
    if (env->instance != pair_stream(p_.stream_tag(), env->sender, env->recipient))
      return log("dropped an envelope of another stream");
    if (Status s = wire::verify_envelope(*env); !s.ok()) return log("dropped a mis-signed envelope");
    const std::span<const std::uint8_t> frames[1] = {span_of(parts[1])};
    if (Status s = wire::check_frames(*env, frames); !s.ok()) return log("dropped an envelope: " + s.error().message);
    if (Status s = guard_.accept(*env); !s.ok()) {
      log("dropped a replayed or out-of-order envelope");
      if (env->type != error_type())
        reply_error(from, "replayed or out-of-order envelope (seq " + std::to_string(env->seq) + "): " + s.error().message);
      return;
    }
    record(Direction::kReceived, Channel::kPeer, span_of(parts[0]),
           {std::vector<std::uint8_t>(frames[0].begin(), frames[0].end())});
    if (env->type == error_type()) {  // a peer refused one of ours: logged, nothing changes
      const std::size_t n = std::min(frames[0].size(), kMaxErrorText);
      return log("error reply from " + std::string(p_.role_name(from)) + ": " +
                 std::string(reinterpret_cast<const char*>(frames[0].data()), n));
    }
    if (p_.take_side_message(from, env->type, frames[0])) return;  // not for the machine (a filing)
    auto m = P::decode_message(env->type, frames[0]);
    if (!m.ok()) {
      log("dropped a malformed message: " + m.error().message);
      reply_error(from, "malformed " + env->type + ": " + m.error().message);
      return;
    }
    log("received " + env->type + " from " + p_.role_name(from));
    if (auto why = p_.refuse(from, *m)) return log("refused " + env->type + ": " + *why);
    feed(typename P::Received{static_cast<typename P::Role>(from), std::move(*m)});
  }

  void poll_escrow() {
    auto view = escrow_->instance(*instance_);
    if (!view.ok()) return;  // not opened yet, or the escrow is busy: next poll
    instance_opened_ = true;
    // The escrow's signed view goes into the transcript whenever it shows new events: a
    // judge replays the instance's history from it.
    if (view->history.size() > events_fed_)
      record(Direction::kReceived, Channel::kEscrow, escrow_->last_reply_envelope(), {});
    for (; events_fed_ < view->history.size() && !outcome_; ++events_fed_) {
      const escrow::InstanceEvent& h = view->history[events_fed_];
      int actor = 0;
      for (int r = 0; r < 3; ++r) {
        if (h.actor == c_.parties[r].key) actor = r;
      }
      feed(typename P::EscrowEvent{*instance_, h.audit_seq, h.transition, static_cast<typename P::Role>(actor), h.evidence,
                                   h.stage_after, h.time_ms});
    }
  }

  void record(Direction d, Channel ch, std::span<const std::uint8_t> env, std::vector<std::vector<std::uint8_t>> frames) {
    if (Status s = transcript_->append(d, ch, clock_.now_ms(), env, frames); !s.ok()) log("transcript: " + s.error().message);
  }

  std::vector<std::uint8_t> read_own_transcript() const {
    std::vector<std::uint8_t> out;
    if (std::FILE* f = std::fopen(c_.transcript_path.c_str(), "rb")) {
      std::array<std::uint8_t, 65536> buf{};
      for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;) out.insert(out.end(), buf.begin(), buf.begin() + n);
      std::fclose(f);
    }
    return out;
  }

  const DriverConfig& c_;
  P& p_;
  const int me_;
  OsRng rng_;
  escrow::SystemClock clock_;
  zmq::context_t ctx_;
  std::unique_ptr<zmq::socket_t> pull_;
  std::array<std::unique_ptr<zmq::socket_t>, 3> push_;
  std::unique_ptr<escrowd::EscrowClient> escrow_;
  std::optional<TranscriptWriter> transcript_;
  std::deque<Input> pending_;
  std::deque<Input> deferred_;  // peer messages that came before their escrow stage
  std::multiset<std::int64_t> timers_;
  std::optional<escrow::InstanceId> instance_;
  bool instance_opened_ = false;  // the escrow has shown instance_: it is fixed from then on
  std::size_t events_fed_ = 0;
  bool poll_now_ = false;
  std::string last_stage_;
  wire::Streams streams_;
  wire::ReplayGuard guard_;
  std::optional<typename P::Outcome> outcome_;
};

}  // namespace verdict::agents
