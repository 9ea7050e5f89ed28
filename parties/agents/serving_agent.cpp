#include "parties/agents/serving_agent.hpp"

#include "protocols/serving/messages.hpp"
#include "protocols/serving/mp_machine.hpp"
#include "protocols/serving/verifier_machine.hpp"

namespace verdict::agents {

namespace {

using namespace serving;  // NOLINT(google-build-using-namespace): a .cpp of this module

bool before_session(const Error& e) { return e.message.find("before the session is known") != std::string::npos; }

// One round of the serving protocol for the driver (driver.hpp).
class ServingAdapter {
 public:
  static constexpr const char* kProtocol = "serving";
  using Role = serving::Role;
  using Input = serving::Input;
  using Effect = serving::Effect;
  using Effects = serving::Effects;
  using Message = serving::Message;
  using Outcome = serving::Outcome;
  using Start = serving::Start;
  using Received = serving::Received;
  using EscrowEvent = serving::EscrowEvent;
  using EscrowRefused = serving::EscrowRefused;
  using TimerFired = serving::TimerFired;
  using Send = serving::Send;
  using OpenEscrow = serving::OpenEscrow;
  using SubmitAct = serving::SubmitAct;
  using SetTimer = serving::SetTimer;
  using Finished = serving::Finished;

  ServingAdapter(const ServingAgentConfig& c, std::uint32_t round) : c_(c), round_(round) {}
  // Each round has its own envelope streams (a replayed envelope of another round never fits).
  std::string stream_tag() const { return std::string(kProtocol) + "/round-" + std::to_string(round_ + 1); }

  Status make_machine() {
    switch (c_.role) {
      case Role::kMp: {
        auto m = ServingMpMachine::create(c_.terms, c_.model_commitment);
        if (!m.ok()) return m.error();
        mp_.emplace(std::move(*m));
        break;
      }
      case Role::kMc: {
        if (!c_.inputs) return Error{"mc: no inputs"};
        auto m = ServingMcMachine::create(c_.terms, c_.inputs(round_), rng_, c_.policy);
        if (!m.ok()) return m.error();
        mc_.emplace(std::move(*m));
        break;
      }
      case Role::kVerifier: {
        auto m = ServingVerifierMachine::create(c_.terms);
        if (!m.ok()) return m.error();
        v_.emplace(std::move(*m));
        break;
      }
    }
    return {};
  }

  std::vector<std::uint8_t> terms_bytes() const { return encode_terms(c_.terms); }
  escrow::RuleSet rules() const { return *serving_rule_set(c_.terms.params); }
  const char* role_name(int r) const { return serving::role_name(static_cast<Role>(r)); }
  static const char* message_type(const Message& m) { return serving::message_type(m); }
  static std::vector<std::uint8_t> encode_message(const Message& m) { return serving::encode_message(m); }
  static Result<Message> decode_message(const std::string& type, std::span<const std::uint8_t> body) {
    return serving::decode_message(type, body);
  }
  void attach(const DriverServices&) {}
  Status before_start(escrowd::EscrowClient&, Rng&, const std::function<void(const std::string&)>& log) {
    log_ = log;
    return {};
  }
  std::optional<Input> poll_input() { return std::nullopt; }
  void before_submit(const std::string&) {}
  bool take_side_message(int, const std::string&, std::span<const std::uint8_t>) { return false; }

  // MC and the verifier refuse a model commitment other than their verifying key's.
  std::optional<std::string> refuse(int, const Message& m) const {
    if (auto* mc = std::get_if<ModelCommitment>(&m); mc && c_.expected_model && mc->model_commitment != *c_.expected_model)
      return "not the model commitment of our verifying key";
    return std::nullopt;
  }

  Result<Effects> handle(const Input& in) {
    auto out = machine_handle(in);
    if (!out.ok()) {
      // An event that came before the machine knew the session: offered again after the
      // next message it accepts (the driver has moved past it in the history).
      if (const auto* e = std::get_if<EscrowEvent>(&in); e && before_session(out.error())) {
        early_.push_back(*e);
        if (log_) log_("kept an escrow event for later (" + out.error().message + ")");
        return Effects{};
      }
      return out;
    }
    if (std::holds_alternative<Received>(in) && !early_.empty()) {
      std::vector<EscrowEvent> early = std::move(early_);
      early_.clear();
      for (std::size_t i = 0; i < early.size(); ++i) {
        auto more = machine_handle(early[i]);
        if (more.ok()) {
          out->insert(out->end(), more->begin(), more->end());
        } else if (before_session(more.error())) {  // still unknown: keep this and the rest
          early_.assign(early.begin() + static_cast<std::ptrdiff_t>(i), early.end());
          break;
        } else if (log_) {
          log_("refused a kept escrow event: " + more.error().message);
        }
      }
    }
    if (const auto* r = std::get_if<Received>(&in)) note(r->from, r->message);
    for (const Effect& e : *out) {
      if (const auto* o = std::get_if<OpenEscrow>(&e)) instance_ = o->instance;
      if (const auto* s = std::get_if<Send>(&e)) note(static_cast<Role>(c_.role), s->message);
    }
    return out;
  }

  const std::string& stage() const { return mp_ ? mp_->stage() : mc_ ? mc_->stage() : v_->stage(); }

  // MP: the session's once it accepted MC's RoundOpen; MC: the one it opened; verifier:
  // its candidates in turn until one opens (the driver asks before every poll until then).
  std::optional<escrow::InstanceId> instance() {
    if (!v_) return instance_;
    const auto candidates = v_->candidate_instances();
    if (candidates.empty()) return std::nullopt;
    return candidates[next_candidate_++ % candidates.size()];
  }

  std::optional<Input> work(Effect& e) {
    if (auto* p = std::get_if<Predict>(&e))
      return PredictionsDone{c_.predict ? c_.predict(round_, p->inputs) : std::nullopt};
    if (auto* p = std::get_if<ProveContested>(&e)) return ProofsDone{c_.prove ? c_.prove(*p) : std::nullopt};
    if (auto* v = std::get_if<VerifyProofs>(&e))
      return VerificationDone{c_.verify ? c_.verify(v->proofs) : std::vector<bool>(v->proofs.size(), false)};
    return std::nullopt;
  }

  void fill(ServingRoundResult& r) const {
    if (mp_) r.contested = mp_->contested();
    if (mc_) {
      r.contested = mc_->contested();
      r.rejection = mc_->rejection();
    }
    if (v_) {
      r.contested = v_->contested();
      r.rejection = v_->rejection();
    }
  }

 private:
  Result<Effects> machine_handle(const Input& in) {
    return mp_ ? mp_->handle(in) : mc_ ? mc_->handle(in) : v_->handle(in);
  }

  // MP's instance: its model commitment and MC's RoundOpen, once accepted.
  void note(Role from, const Message& m) {
    if (!mp_ || instance_ || from != Role::kMc) return;
    if (const auto* o = std::get_if<RoundOpen>(&m))
      instance_ = session_instance(session_digest(c_.terms, c_.model_commitment, *o));
  }

  const ServingAgentConfig& c_;
  const std::uint32_t round_;
  OsRng rng_;  // MC's round id, seed and salts; outlives the machine
  std::function<void(const std::string&)> log_;
  std::optional<ServingMpMachine> mp_;
  std::optional<ServingMcMachine> mc_;
  std::optional<ServingVerifierMachine> v_;
  std::optional<escrow::InstanceId> instance_;
  std::size_t next_candidate_ = 0;
  std::vector<EscrowEvent> early_;
};

}  // namespace

std::string serving_transcript_path(const std::string& prefix, std::uint32_t round) {
  return prefix + ".r" + std::to_string(round + 1);
}

Result<ServingAgentResult> run_serving_agent(const ServingAgentConfig& config) {
  if (Status s = check_terms(config.terms); !s.ok()) return s.error();
  if (config.rounds == 0) return Error{"serving agent: no rounds"};
  if (config.endpoints.size() != config.rounds)
    return Error{"serving agent: " + std::to_string(config.endpoints.size()) + " sets of endpoints for " +
                 std::to_string(config.rounds) + " rounds"};
  ServingAgentResult out;
  for (std::uint32_t r = 0; r < config.rounds; ++r) {
    ServingAdapter adapter(config, r);
    if (Status s = adapter.make_machine(); !s.ok()) return s.error().context("round " + std::to_string(r + 1));
    DriverConfig d = config.driver;
    d.role = static_cast<int>(config.role);
    d.transcript_path = serving_transcript_path(config.driver.transcript_path, r);
    for (int p = 0; p < 3; ++p) d.parties[p].endpoint = config.endpoints[r][p];
    if (d.log) d.log("round " + std::to_string(r + 1) + " of " + std::to_string(config.rounds));
    auto res = Driver<ServingAdapter>(d, adapter).run();
    if (!res.ok()) return res.error().context("round " + std::to_string(r + 1));
    ServingRoundResult round;
    round.outcome = res->outcome;
    round.transcript = d.transcript_path;
    round.transcript_records = res->transcript_records;
    round.transcript_head = res->transcript_head;
    adapter.fill(round);
    if (config.on_round) config.on_round(r, round);
    out.rounds.push_back(std::move(round));
  }
  return out;
}

}  // namespace verdict::agents
