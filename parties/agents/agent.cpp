#include "parties/agents/agent.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "escrow/clock.hpp"
#include "parties/agents/peer_messages.hpp"
#include "parties/agents/transcript.hpp"
#include "parties/escrowd/client.hpp"
#include "parties/wire/envelope.hpp"
#include "protocols/accuracy/mc_machine.hpp"
#include "protocols/accuracy/mp_machine.hpp"
#include "protocols/accuracy/verifier_machine.hpp"

namespace verdict::agents {

using namespace accuracy;  // NOLINT(google-build-using-namespace): a .cpp of this module

wire::InstanceId pair_stream(const wire::PublicKey& from, const wire::PublicKey& to) {
  codec::Sha256 h;
  const Digest d = h.update("verdict/accuracy/stream/v1").update(from).update(to).finish();
  wire::InstanceId id{};
  std::copy_n(d.begin(), id.size(), id.begin());
  return id;
}

namespace {

// The envelope type of an error reply (its frame: why, as text of at most 256 bytes).
const std::string kErrorType = "accuracy.error";
constexpr std::size_t kMaxErrorText = 256;

const char* describe(const Message& m) {
  static const char* names[] = {"model commitment", "test-set commitment", "sealed subset", "sealed rest",
                                "proof bundle"};
  return names[m.index()];
}

class Driver {
 public:
  explicit Driver(const AgentConfig& c) : c_(c), me_(static_cast<int>(c.role)) {}

  Result<AgentResult> run() {
    if (!c_.key) return Error{"agent: no key"};
    if (Status s = check_terms(c_.terms); !s.ok()) return s.error();
    auto t = TranscriptWriter::create(c_.transcript_path,
                                      TranscriptHeader{"accuracy", static_cast<std::uint8_t>(me_), encode_terms(c_.terms)},
                                      *c_.key, clock_.now_ms());
    if (!t.ok()) return t.error();
    transcript_.emplace(std::move(*t));
    if (Status s = make_machine(); !s.ok()) return s.error();
    try {
      pull_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::pull);
      pull_->set(zmq::sockopt::linger, 0);
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
    if (c_.role == Role::kMp) {
      if (Status s = ensure_stake(); !s.ok()) return s.error();
    }
    const std::int64_t give_up = clock_.now_ms() + c_.max_run_ms;
    feed(Start{clock_.now_ms()});
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
      if (instance_ && (poll_now_ || clock_.now_ms() - last_poll >= c_.poll_ms)) {
        last_poll = clock_.now_ms();
        poll_now_ = false;
        poll_escrow();
      }
      const std::int64_t t_now = clock_.now_ms();
      if (!timers_.empty() && *timers_.begin() <= t_now) {
        timers_.erase(timers_.begin(), timers_.upper_bound(t_now));
        feed(TimerFired{t_now});
      }
    }
    if (Status st = transcript_->close(clock_.now_ms()); !st.ok()) return st.error();
    AgentResult out;
    out.outcome = *outcome_;
    out.transcript_records = transcript_->records();
    out.transcript_head = transcript_->head();
    return out;
  }

 private:
  void log(const std::string& line) const {
    if (c_.log) c_.log(line);
  }

  Status make_machine() {
    switch (c_.role) {
      case Role::kMp:
        mp_.emplace(c_.terms, c_.model_commitment, rng_);
        break;
      case Role::kMc: {
        auto m = McMachine::create(c_.terms, c_.examples, rng_);
        if (!m.ok()) return m.error();
        mc_.emplace(std::move(*m));
        break;
      }
      case Role::kVerifier:
        v_.emplace(c_.terms);
        break;
    }
    return {};
  }

  Result<Effects> handle(const Input& in) {
    if (mp_) return mp_->handle(in);
    if (mc_) return mc_->handle(in);
    return v_->handle(in);
  }
  const std::string& stage() const { return mp_ ? mp_->stage() : mc_ ? mc_->stage() : v_->stage(); }

  Status ensure_stake() {
    const auto& a = c_.terms.params;
    const escrow::Amount need = a.mp_min_stake.value_or(1000 * a.n1 * a.e);
    auto s = escrow_->summary(c_.key->public_key());
    if (!s.ok()) return s.error().context("reading MP's stake");
    if (s->staked >= need) return {};
    escrow::Request req;
    rng_.fill(req.op_id);
    req.body = escrow::Stake{need - s->staked};
    auto r = escrow_->submit(req);
    if (!r.ok()) return r.error().context("staking");
    if (r->status != escrowd::ReplyStatus::kApplied && r->status != escrowd::ReplyStatus::kDuplicate)
      return Error{"staking refused: " + r->reason};
    log("staked " + std::to_string(need - s->staked) + " (MP's minimum stake 1000*N1*E = " + std::to_string(need) + ")");
    return {};
  }

  // Runs the machine on `first` and on every input its effects produce, in order.
  void feed(Input first) {
    pending_.push_back(std::move(first));
    while (!pending_.empty() && !outcome_) {
      Input in = std::move(pending_.front());
      pending_.pop_front();
      note_commitment_in(in);
      auto effects = handle(in);
      if (!effects.ok()) {
        if (std::holds_alternative<Received>(in)) {
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
      if (std::holds_alternative<EscrowEvent>(in) && !deferred_.empty()) {
        for (Input& d : deferred_) pending_.push_back(std::move(d));
        deferred_.clear();
      }
      if (stage() != last_stage_) {
        last_stage_ = stage();
        log("escrow stage: " + last_stage_);
        if (!c_.exit_at_stage.empty() && last_stage_ == c_.exit_at_stage) {
          log("deviation: exiting at stage " + last_stage_ + " (as if killed)");
          std::fflush(nullptr);
          std::_Exit(3);
        }
      }
      for (Effect& e : *effects) apply(std::move(e));
    }
  }

  // The session's instance id: once both commitments are known (sent or accepted).
  void note_commitment(const Message& m) {
    if (auto* a = std::get_if<ModelCommitment>(&m)) model_ = *a;
    if (auto* b = std::get_if<TestSetCommitment>(&m)) test_set_ = *b;
    if (!instance_ && model_ && test_set_) {
      instance_ = session_instance(session_digest(c_.terms, *model_, *test_set_));
    }
  }
  void note_commitment_in(const Input& in) {
    if (auto* r = std::get_if<Received>(&in)) {
      if (r->from == Role::kMp && std::holds_alternative<ModelCommitment>(r->message)) note_commitment(r->message);
      if (r->from == Role::kMc && std::holds_alternative<TestSetCommitment>(r->message)) note_commitment(r->message);
    }
  }

  void apply(Effect e) {
    if (auto* s = std::get_if<Send>(&e)) {
      note_commitment(s->message);
      send(s->to, s->message);
    } else if (auto* o = std::get_if<OpenEscrow>(&e)) {
      instance_ = o->instance;
      escrow::Request req;
      rng_.fill(req.op_id);
      req.body = escrow::OpenInstance{o->instance, *escrow::accuracy_rule_set(c_.terms.params),
                                      {c_.parties[0].key, c_.parties[1].key, c_.parties[2].key}};
      submit("open", std::move(req));
    } else if (auto* a = std::get_if<SubmitAct>(&e)) {
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
      req.body = escrow::Act{*instance_, a->transition, evidence, 0};
      submit(a->transition, std::move(req));
    } else if (auto* t = std::get_if<SetTimer>(&e)) {
      timers_.insert(t->at_ms + 20);  // a little after the deadline: the escrow's clock decides
    } else if (auto* i = std::get_if<InspectSubset>(&e)) {
      const bool go = c_.inspect ? c_.inspect(*i) : true;
      pending_.push_back(InspectionDone{go});
    } else if (auto* p = std::get_if<ProveRest>(&e)) {
      pending_.push_back(ProofsDone{c_.prove ? c_.prove(*p) : std::nullopt});
    } else if (auto* v = std::get_if<VerifyProofs>(&e)) {
      std::vector<bool> valid = c_.verify ? c_.verify(v->proofs) : std::vector<bool>(v->proofs.size(), false);
      pending_.push_back(VerificationDone{std::move(valid)});
    } else if (auto* f = std::get_if<Finished>(&e)) {
      outcome_ = f->outcome;
    }
  }

  void submit(const std::string& what, escrow::Request req) {
    log("escrow <- " + what);
    auto r = escrow_->submit(req);
    if (!r.ok()) {
      log("escrow gave no answer to " + what + ": " + r.error().message);
      pending_.push_back(EscrowRefused{what, r.error().message});
    } else if (r->status == escrowd::ReplyStatus::kRejected) {
      log("escrow refused " + what + ": " + r->reason);
      pending_.push_back(EscrowRefused{what, r->reason});
    }
    poll_now_ = true;  // the loop reads the instance next (never from inside feed())
  }

  void send(Role to, const Message& m) {
    const std::vector<std::uint8_t> body = encode_message(m);
    if (send_envelope(static_cast<int>(to), message_type(m), body))
      log(std::string("sent ") + describe(m) + " to " + role_name(to) + " (" + std::to_string(body.size()) + " bytes)");
  }

  // An authenticated peer whose envelope we refuse (replayed, out of order, malformed)
  // gets an error reply naming why; nothing else changes. Errors are never answered, and
  // envelopes we cannot attribute (unknown or forged senders) get no reply: there is no
  // authenticated return address, and answering would let anyone make us send.
  void reply_error(int to, const std::string& why) {
    const std::string text = why.substr(0, kMaxErrorText);
    const std::vector<std::uint8_t> body(text.begin(), text.end());
    if (send_envelope(to, kErrorType, body)) log(std::string("sent an error reply to ") + role_name(static_cast<Role>(to)) + ": " + text);
  }

  bool send_envelope(int r, const std::string& type, const std::vector<std::uint8_t>& body) {
    if (r == me_ || !push_[r]) return false;
    wire::Envelope env;
    env.recipient = c_.parties[r].key;
    env.instance = pair_stream(c_.key->public_key(), env.recipient);
    const auto next = streams_.next(env.instance);
    env.seq = next.seq;
    env.prev = next.prev;
    env.timestamp_ms = clock_.now_ms();
    env.type = type;
    env.payload = encode_tree_head(transcript_->tree_head());  // our signed transcript head so far
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
    if (env->instance != pair_stream(env->sender, env->recipient)) return log("dropped an envelope of another stream");
    if (Status s = wire::verify_envelope(*env); !s.ok()) return log("dropped a mis-signed envelope");
    const std::span<const std::uint8_t> frames[1] = {span_of(parts[1])};
    if (Status s = wire::check_frames(*env, frames); !s.ok()) return log("dropped an envelope: " + s.error().message);
    if (Status s = guard_.accept(*env); !s.ok()) {
      log("dropped a replayed or out-of-order envelope");
      if (env->type != kErrorType) reply_error(from, "replayed or out-of-order envelope (seq " + std::to_string(env->seq) + "): " + s.error().message);
      return;
    }
    record(Direction::kReceived, Channel::kPeer, span_of(parts[0]), {std::vector<std::uint8_t>(frames[0].begin(), frames[0].end())});
    if (env->type == kErrorType) {  // a peer refused one of ours: logged, nothing changes
      const std::size_t n = std::min(frames[0].size(), kMaxErrorText);
      return log(std::string("error reply from ") + role_name(static_cast<Role>(from)) + ": " +
                 std::string(reinterpret_cast<const char*>(frames[0].data()), n));
    }
    auto m = decode_message(env->type, frames[0]);
    if (!m.ok()) {
      log("dropped a malformed message: " + m.error().message);
      reply_error(from, "malformed " + env->type + ": " + m.error().message);
      return;
    }
    log(std::string("received ") + describe(*m) + " from " + role_name(static_cast<Role>(from)));
    if (auto* mc = std::get_if<ModelCommitment>(&*m); mc && c_.expected_model && mc->model_commitment != *c_.expected_model)
      return log("refused MP's model commitment: not the one of our verifying key");
    feed(Received{static_cast<Role>(from), std::move(*m)});
  }

  void poll_escrow() {
    auto view = escrow_->instance(*instance_);
    if (!view.ok()) return;  // not opened yet, or the escrow is busy: next poll
    // The escrow's signed view goes into the transcript whenever it shows new events: a
    // judge replays the instance's history from it.
    if (view->history.size() > events_fed_) record(Direction::kReceived, Channel::kEscrow, escrow_->last_reply_envelope(), {});
    for (; events_fed_ < view->history.size() && !outcome_; ++events_fed_) {
      const escrow::InstanceEvent& h = view->history[events_fed_];
      Role actor = Role::kMp;
      for (int r = 0; r < 3; ++r) {
        if (h.actor == c_.parties[r].key) actor = static_cast<Role>(r);
      }
      feed(EscrowEvent{*instance_, h.audit_seq, h.transition, actor, h.evidence, h.stage_after, h.time_ms});
    }
  }

  void record(Direction d, Channel ch, std::span<const std::uint8_t> env, std::vector<std::vector<std::uint8_t>> frames) {
    if (Status s = transcript_->append(d, ch, clock_.now_ms(), env, frames); !s.ok()) log("transcript: " + s.error().message);
  }

  const AgentConfig& c_;
  const int me_;
  OsRng rng_;
  escrow::SystemClock clock_;
  zmq::context_t ctx_;
  std::unique_ptr<zmq::socket_t> pull_;
  std::array<std::unique_ptr<zmq::socket_t>, 3> push_;
  std::unique_ptr<escrowd::EscrowClient> escrow_;
  std::optional<TranscriptWriter> transcript_;
  std::optional<MpMachine> mp_;
  std::optional<McMachine> mc_;
  std::optional<VerifierMachine> v_;
  std::deque<Input> pending_;
  std::deque<Input> deferred_;  // peer messages that came before their escrow stage
  std::multiset<std::int64_t> timers_;
  std::optional<ModelCommitment> model_;
  std::optional<TestSetCommitment> test_set_;
  std::optional<escrow::InstanceId> instance_;
  std::size_t events_fed_ = 0;
  bool poll_now_ = false;
  std::string last_stage_;
  wire::Streams streams_;
  wire::ReplayGuard guard_;
  std::optional<Outcome> outcome_;
};

}  // namespace

Result<AgentResult> run_agent(const AgentConfig& config) {
  Driver d(config);
  return d.run();
}

}  // namespace verdict::agents
