#include "parties/agents/agent.hpp"

#include "parties/agents/peer_messages.hpp"
#include "protocols/accuracy/mc_machine.hpp"
#include "protocols/accuracy/mp_machine.hpp"
#include "protocols/accuracy/verifier_machine.hpp"

namespace verdict::agents {

wire::InstanceId pair_stream(const std::string& protocol, const wire::PublicKey& from, const wire::PublicKey& to) {
  codec::Sha256 h;
  const Digest d = h.update("verdict/" + protocol + "/stream/v1").update(from).update(to).finish();
  wire::InstanceId id{};
  std::copy_n(d.begin(), id.size(), id.begin());
  return id;
}

wire::InstanceId pair_stream(const wire::PublicKey& from, const wire::PublicKey& to) {
  return pair_stream("accuracy", from, to);
}

namespace {

using namespace accuracy;  // NOLINT(google-build-using-namespace): a .cpp of this module

// The accuracy protocol for the driver (driver.hpp): MP, MC or verifier machine, the
// peer-message codec, the instance from both commitments, and the work callbacks.
class AccuracyAdapter {
 public:
  static constexpr const char* kProtocol = "accuracy";
  using Role = accuracy::Role;
  using Input = accuracy::Input;
  using Effect = accuracy::Effect;
  using Effects = accuracy::Effects;
  using Message = accuracy::Message;
  using Outcome = accuracy::Outcome;
  using Start = accuracy::Start;
  using Received = accuracy::Received;
  using EscrowEvent = accuracy::EscrowEvent;
  using EscrowRefused = accuracy::EscrowRefused;
  using TimerFired = accuracy::TimerFired;
  using Send = accuracy::Send;
  using OpenEscrow = accuracy::OpenEscrow;
  using SubmitAct = accuracy::SubmitAct;
  using SetTimer = accuracy::SetTimer;
  using Finished = accuracy::Finished;

  explicit AccuracyAdapter(const AgentConfig& c) : c_(c) {}

  Status make_machine() {
    if (Status s = check_terms(c_.terms); !s.ok()) return s.error();
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

  std::vector<std::uint8_t> terms_bytes() const { return encode_terms(c_.terms); }
  escrow::RuleSet rules() const { return *escrow::accuracy_rule_set(c_.terms.params); }
  const char* role_name(int r) const { return accuracy::role_name(static_cast<Role>(r)); }
  static const char* message_type(const Message& m) { return agents::message_type(m); }
  static std::vector<std::uint8_t> encode_message(const Message& m) { return agents::encode_message(m); }
  static Result<Message> decode_message(const std::string& type, std::span<const std::uint8_t> body) {
    return agents::decode_message(type, body);
  }
  std::string stream_tag() const { return kProtocol; }
  void attach(const DriverServices&) {}
  std::optional<Input> poll_input() { return std::nullopt; }
  void before_submit(const std::string&) {}
  bool take_side_message(int, const std::string&, std::span<const std::uint8_t>) { return false; }

  // MP stakes its minimum (1000 N1 E unless the terms say otherwise) before it starts.
  Status before_start(escrowd::EscrowClient& escrow, Rng& rng, const std::function<void(const std::string&)>& log) {
    if (c_.role != Role::kMp) return {};
    const auto& a = c_.terms.params;
    const escrow::Amount need = a.mp_min_stake.value_or(1000 * a.n1 * a.e);
    auto s = escrow.summary(c_.key->public_key());
    if (!s.ok()) return s.error().context("reading MP's stake");
    if (s->staked >= need) return {};
    escrow::Request req;
    rng.fill(req.op_id);
    req.body = escrow::Stake{need - s->staked};
    auto r = escrow.submit(req);
    if (!r.ok()) return r.error().context("staking");
    if (r->status != escrowd::ReplyStatus::kApplied && r->status != escrowd::ReplyStatus::kDuplicate)
      return Error{"staking refused: " + r->reason};
    log("staked " + std::to_string(need - s->staked) + " (MP's minimum stake 1000*N1*E = " + std::to_string(need) + ")");
    return {};
  }

  // MC and the verifier refuse a model commitment other than their verifying key's.
  std::optional<std::string> refuse(int, const Message& m) const {
    if (auto* mc = std::get_if<ModelCommitment>(&m); mc && c_.expected_model && mc->model_commitment != *c_.expected_model)
      return "not the model commitment of our verifying key";
    return std::nullopt;
  }

  Result<Effects> handle(const Input& in) {
    if (auto* r = std::get_if<Received>(&in)) {
      if (r->from == Role::kMp && std::holds_alternative<ModelCommitment>(r->message)) note(r->message);
      if (r->from == Role::kMc && std::holds_alternative<TestSetCommitment>(r->message)) note(r->message);
    }
    auto out = mp_ ? mp_->handle(in) : mc_ ? mc_->handle(in) : v_->handle(in);
    if (out.ok()) {
      for (const Effect& e : *out) {
        if (auto* s = std::get_if<Send>(&e)) note(s->message);
      }
    }
    return out;
  }
  const std::string& stage() const { return mp_ ? mp_->stage() : mc_ ? mc_->stage() : v_->stage(); }
  std::optional<escrow::InstanceId> instance() const { return instance_; }

  std::optional<Input> work(Effect& e) {
    if (auto* i = std::get_if<InspectSubset>(&e)) return InspectionDone{c_.inspect ? c_.inspect(*i) : true};
    if (auto* p = std::get_if<ProveRest>(&e)) return ProofsDone{c_.prove ? c_.prove(*p) : std::nullopt};
    if (auto* v = std::get_if<VerifyProofs>(&e)) {
      return VerificationDone{c_.verify ? c_.verify(v->proofs) : std::vector<bool>(v->proofs.size(), false)};
    }
    return std::nullopt;
  }

 private:
  // The session's instance id: once both commitments are known (sent or accepted).
  void note(const Message& m) {
    if (auto* a = std::get_if<ModelCommitment>(&m)) model_ = *a;
    if (auto* b = std::get_if<TestSetCommitment>(&m)) test_set_ = *b;
    if (!instance_ && model_ && test_set_) instance_ = session_instance(session_digest(c_.terms, *model_, *test_set_));
  }

  const AgentConfig& c_;
  OsRng rng_;
  std::optional<MpMachine> mp_;
  std::optional<McMachine> mc_;
  std::optional<VerifierMachine> v_;
  std::optional<ModelCommitment> model_;
  std::optional<TestSetCommitment> test_set_;
  std::optional<escrow::InstanceId> instance_;
};

}  // namespace

Result<AgentResult> run_agent(const AgentConfig& config) {
  AccuracyAdapter adapter(config);
  if (Status s = adapter.make_machine(); !s.ok()) return s.error();
  DriverConfig d;
  d.role = static_cast<int>(config.role);
  d.key = config.key;
  d.parties = config.parties;
  d.escrow_endpoint = config.escrow_endpoint;
  d.escrow_key = config.escrow_key;
  d.transcript_path = config.transcript_path;
  d.poll_ms = config.poll_ms;
  d.max_run_ms = config.max_run_ms;
  d.withhold = config.withhold;
  d.corrupt = config.corrupt;
  d.exit_at_stage = config.exit_at_stage;
  d.log = config.log;
  auto r = Driver<AccuracyAdapter>(d, adapter).run();
  if (!r.ok()) return r.error();
  return AgentResult{r->outcome, r->transcript_records, r->transcript_head};
}

}  // namespace verdict::agents
