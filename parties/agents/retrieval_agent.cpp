#include "parties/agents/retrieval_agent.hpp"

#include <chrono>

#include "protocols/retrieval/judge_machine.hpp"
#include "protocols/retrieval/rules.hpp"

namespace verdict::agents {

namespace {

using namespace retrieval;  // NOLINT(google-build-using-namespace): a .cpp of this module

const std::string kFiling = "retrieval.filing";
constexpr std::size_t kMaxFiling = std::size_t(1) << 30;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The retrieval protocol for the driver (driver.hpp).
class RetrievalAdapter {
 public:
  static constexpr const char* kProtocol = "retrieval";
  using Role = retrieval::Role;
  using Input = retrieval::Input;
  using Effect = retrieval::Effect;
  using Effects = retrieval::Effects;
  using Message = retrieval::Message;
  using Outcome = retrieval::Outcome;
  using Start = retrieval::Start;
  using Received = retrieval::Received;
  using EscrowEvent = retrieval::EscrowEvent;
  using EscrowRefused = retrieval::EscrowRefused;
  using TimerFired = retrieval::TimerFired;
  using Send = retrieval::Send;
  using OpenEscrow = retrieval::OpenEscrow;
  using SubmitAct = retrieval::SubmitAct;
  using SetTimer = retrieval::SetTimer;
  using Finished = retrieval::Finished;

  explicit RetrievalAdapter(const RetrievalAgentConfig& c) : c_(c) {}

  Status make_machine() {
    if (Status s = check_terms(c_.terms); !s.ok()) return s.error();
    switch (c_.role) {
      case Role::kRequester: {
        auto m = RequesterMachine::create(c_.terms, c_.offer, rng_);
        if (!m.ok()) return m.error();
        requester_.emplace(std::move(*m));
        break;
      }
      case Role::kResponder: {
        auto m = ResponderMachine::create(c_.terms, c_.corpus, rng_, c_.deviations);
        if (!m.ok()) return m.error();
        responder_.emplace(std::move(*m));
        break;
      }
      case Role::kJudge:
        judge_.emplace(c_.terms);
        break;
    }
    return {};
  }

  std::vector<std::uint8_t> terms_bytes() const { return encode_terms(c_.terms); }
  escrow::RuleSet rules() const { return *retrieval_rule_set(c_.terms.params); }
  const char* role_name(int r) const { return retrieval::role_name(static_cast<Role>(r)); }
  static const char* message_type(const Message& m) { return retrieval::message_type(m); }
  static std::vector<std::uint8_t> encode_message(const Message& m) { return retrieval::encode_message(m); }
  static Result<Message> decode_message(const std::string& type, std::span<const std::uint8_t> body) {
    return retrieval::decode_message(type, body);
  }
  std::string stream_tag() const { return kProtocol; }
  void attach(const DriverServices& s) { services_ = s; }
  Status before_start(escrowd::EscrowClient&, Rng&, const std::function<void(const std::string&)>& log) {
    log_ = log;
    return {};
  }
  std::optional<std::string> refuse(int, const Message&) const { return std::nullopt; }

  // The requester files its transcript with the judge as it disputes.
  void before_submit(const std::string& transition) {
    if (c_.role == Role::kRequester && transition == "dispute") file();
  }
  // The judge keeps the filings; they are not protocol messages.
  bool take_side_message(int from, const std::string& type, std::span<const std::uint8_t> body) {
    if (type != kFiling) return false;
    if (c_.role != Role::kJudge || body.size() > kMaxFiling) return true;
    filings_[from] = std::vector<std::uint8_t>(body.begin(), body.end());
    if (log_) log_("filing from " + std::string(role_name(from)) + ": " + std::to_string(body.size()) + " bytes");
    return true;
  }

  Result<Effects> handle(const Input& in) {
    auto out = requester_ ? requester_->handle(in) : responder_ ? responder_->handle(in) : judge_->handle(in);
    if (!out.ok()) return out;
    if (auto* r = std::get_if<Received>(&in)) note(r->message);
    for (const Effect& e : *out) {
      if (auto* s = std::get_if<Send>(&e)) note(s->message);
    }
    if (auto* e = std::get_if<EscrowEvent>(&in); e && e->stage_after == "disputed" && c_.role == Role::kResponder) file();
    return out;
  }
  const std::string& stage() const {
    return requester_ ? requester_->stage() : responder_ ? responder_->stage() : judge_->stage();
  }
  std::optional<escrow::InstanceId> instance() const { return instance_; }

  std::optional<Input> work(Effect& e) {
    if (auto* c = std::get_if<CheckRequest>(&e)) return RequestChecked{c_.check_request ? c_.check_request(c->request) : false};
    if (auto* p = std::get_if<ProveCorpus>(&e)) return CorpusProved{c_.prove ? c_.prove(*p) : std::nullopt};
    if (auto* v = std::get_if<VerifyProofs>(&e))
      return VerificationDone{c_.verify ? c_.verify(v->proofs) : std::vector<bool>(v->proofs.size(), false)};
    if (auto* a = std::get_if<Audit>(&e)) {
      audit_ = a->audit;
      audit_since_ = steady_ms();
      return poll_input();
    }
    return std::nullopt;
  }

  // The judge rules once both parties filed, or on what it has after a quarter of its window.
  std::optional<Input> poll_input() {
    if (!audit_) return std::nullopt;
    const bool both = filings_.count(0) && filings_.count(1);
    if (!both && steady_ms() - audit_since_ < c_.terms.params.judge_timeout_ms / 4) return std::nullopt;
    const AuditCase a = *audit_;
    audit_.reset();
    std::optional<Response> response;
    std::optional<Openings> openings;
    for (const auto& [who, bytes] : filings_) find_evidence(bytes, a, response, openings);
    std::vector<bool> valid;
    if (response) valid = c_.verify ? c_.verify(response->proofs) : std::vector<bool>(response->proofs.size(), false);
    const Ruling r = decide(c_.terms, a, response ? &*response : nullptr, valid, openings ? &*openings : nullptr);
    ruling_ = r.reason;
    if (log_) log_(std::string("ruling: ") + (r.uphold ? "uphold" : "dismiss") + " (" + r.reason + ")");
    return AuditDone{r.uphold, r.reason};
  }

  RetrievalAgentResult result_extras() const {
    RetrievalAgentResult out;
    if (requester_) {
      out.retrieved = requester_->retrieved();
      out.disputed = requester_->disputed();
    }
    out.ruling = ruling_;
    return out;
  }

 private:
  void file() {
    if (!services_.send_raw || filed_) return;
    filed_ = true;
    const auto bytes = services_.transcript_bytes();
    if (services_.send_raw(static_cast<int>(Role::kJudge), kFiling, bytes) && log_)
      log_("filed the transcript with the judge (" + std::to_string(bytes.size()) + " bytes)");
  }

  // The session's instance id, from the corpus commitment and the request.
  void note(const Message& m) {
    if (auto* c = std::get_if<CorpusCommitment>(&m)) corpus_ = *c;
    if (auto* r = std::get_if<Request>(&m)) request_ = RequestHead{r->model_commitment, r->seed_commitment};
    if (!instance_ && corpus_ && request_) {
      instance_ = session_instance(
          session_digest(c_.terms, request_->model, corpus_->root, corpus_->m, request_->seed_commitment));
    }
  }

  // The responder-signed Response and Openings in a filed transcript whose digests the
  // escrow holds (the envelope signatures and the transcript's chain are checked).
  void find_evidence(const std::vector<std::uint8_t>& bytes, const AuditCase& a, std::optional<Response>& response,
                     std::optional<Openings>& openings) const {
    auto recs = parse_transcript(bytes, "filing");
    if (!recs.ok()) return;
    for (const auto& rec : *recs) {
      if (rec.channel != Channel::kPeer || rec.frames.size() != 1) continue;
      auto env = wire::decode_envelope(rec.envelope);
      if (!env.ok() || env->sender != c_.driver.parties[1].key || !wire::verify_envelope(*env).ok()) continue;
      const std::span<const std::uint8_t> frames[1] = {rec.frames[0]};
      if (!wire::check_frames(*env, frames).ok()) continue;
      auto m = decode_message(env->type, rec.frames[0]);
      if (!m.ok()) continue;
      if (auto* r = std::get_if<Response>(&*m); r && !response && response_digest(a.session, *r) == a.response_digest)
        response = *r;
      if (auto* o = std::get_if<Openings>(&*m);
          o && !openings && a.openings_digest && openings_digest(a.session, *o) == *a.openings_digest)
        openings = *o;
    }
  }

  struct RequestHead {
    Digest model, seed_commitment;
  };
  const RetrievalAgentConfig& c_;
  OsRng rng_;
  DriverServices services_;
  std::function<void(const std::string&)> log_;
  std::optional<RequesterMachine> requester_;
  std::optional<ResponderMachine> responder_;
  std::optional<JudgeMachine> judge_;
  std::optional<CorpusCommitment> corpus_;
  std::optional<RequestHead> request_;
  std::optional<escrow::InstanceId> instance_;
  bool filed_ = false;
  std::map<int, std::vector<std::uint8_t>> filings_;
  std::optional<AuditCase> audit_;
  std::int64_t audit_since_ = 0;
  std::string ruling_;
};

}  // namespace

Result<RetrievalAgentResult> run_retrieval_agent(const RetrievalAgentConfig& config) {
  RetrievalAdapter adapter(config);
  if (Status s = adapter.make_machine(); !s.ok()) return s.error();
  DriverConfig d = config.driver;
  d.role = static_cast<int>(config.role);
  auto r = Driver<RetrievalAdapter>(d, adapter).run();
  if (!r.ok()) return r.error();
  RetrievalAgentResult out = adapter.result_extras();
  out.outcome = r->outcome;
  out.transcript_records = r->transcript_records;
  out.transcript_head = r->transcript_head;
  return out;
}

}  // namespace verdict::agents
