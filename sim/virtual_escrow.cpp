#include "sim/virtual_escrow.hpp"

#include <cstring>

namespace verdict::sim {
namespace {

escrow::PartyId party_id(std::uint8_t n) {
  escrow::PartyId p{};
  std::memcpy(p.data(), "verdict/sim/party", 17);
  p[31] = n;
  return p;
}

}  // namespace

Result<std::unique_ptr<VirtualEscrow>> VirtualEscrow::create(std::size_t roles, Amount float_per_party,
                                                             const std::vector<Amount>& stakes, Backend backend) {
  if (roles == 0 || roles > escrow::kMaxRoles) return Error{"virtual escrow: " + std::to_string(roles) + " roles"};
  if (float_per_party <= 0) return Error{"virtual escrow: the float must be positive"};
  std::unique_ptr<VirtualEscrow> v(new VirtualEscrow());
  v->backend_ = backend;
  if (backend == Backend::kEngine) {
    for (std::size_t r = 0; r < roles; ++r) {
      v->parties_.push_back(party_id(static_cast<std::uint8_t>(r)));
      const Amount stake = r < stakes.size() ? stakes[r] : 0;
      if (stake < 0 || stake > float_per_party)
        return Error{"virtual escrow: staking " + std::to_string(stake) + " out of a float of " +
                     std::to_string(float_per_party)};
      v->available_.push_back(float_per_party - stake);
      v->staked_.push_back(stake);
    }
    v->nets_.assign(roles, 0);
    v->begin_run();
    return v;
  }
  v->operator_ = party_id(0xff);
  auto ledger = escrow::Ledger::open(escrow::Ledger::Options{":memory:", &v->clock_, v->operator_, false});
  if (!ledger.ok()) return ledger.error().context("virtual escrow");
  v->ledger_ = std::move(*ledger);
  for (std::size_t r = 0; r < roles; ++r) {
    v->parties_.push_back(party_id(static_cast<std::uint8_t>(r)));
    v->party_accounts_.push_back(escrow::party_account(v->parties_.back()));
  }
  v->nets_.assign(roles, 0);
  for (std::size_t r = 0; r < roles; ++r) {
    escrow::Outcome o = v->ledger_->apply(
        {v->operator_, escrow::Request{escrow::OpId{1, static_cast<std::uint8_t>(r)}, escrow::Mint{v->parties_[r], float_per_party}},
         std::nullopt});
    if (!o.ok()) return Error{"virtual escrow: minting the float: " + o.rejection().reason};
    const Amount stake = r < stakes.size() ? stakes[r] : 0;
    if (stake > 0) {
      escrow::Outcome s = v->submit(r, escrow::Stake{stake});
      if (!s.ok()) return Error{"virtual escrow: staking " + std::to_string(stake) + ": " + s.rejection().reason};
    }
  }
  v->begin_run();
  return v;
}

void VirtualEscrow::begin_run() {
  instance_ = {};
  opened_ = false;
  pending_.clear();
  delivered_.clear();
  nets_.assign(parties_.size(), 0);
  fees_ = 0;
  holds_moved_ = 0;
  ops_ = 0;
  holds_.assign(parties_.size(), 0);
  state_ = escrow::InstanceState{};
}

std::int64_t VirtualEscrow::stamp() {
  last_ms_ = std::max(last_ms_, clock_.now_ms());
  return last_ms_;
}

// The engine's view of the in-memory balances.
class VirtualEscrow::Funds final : public escrow::InstanceFunds {
 public:
  explicit Funds(const VirtualEscrow& v) : v_(v) {}
  Result<Amount> available(std::uint8_t role) override { return v_.available_[role]; }
  Result<Amount> staked(std::uint8_t role) override { return v_.staked_[role]; }
  Result<Amount> held(std::uint8_t role) override { return v_.holds_[role]; }

 private:
  const VirtualEscrow& v_;
};

escrow::Outcome VirtualEscrow::engine_open(std::size_t role, const escrow::InstanceId& instance,
                                           const escrow::RuleSet& rules) {
  ++ops_;
  using escrow::Code;
  if (opened_) return escrow::Rejection{Code::kInstanceExists, "this run's instance is already open"};
  if (instance == escrow::InstanceId{})
    return escrow::Rejection{Code::kInvalidRequest, "the all-zero instance id is reserved"};
  if (rules.roles.size() != parties_.size())
    return escrow::Rejection{Code::kInvalidRules, std::to_string(parties_.size()) + " parties for " +
                                                      std::to_string(rules.roles.size()) + " roles"};
  const escrow::Digest digest = escrow::rules_digest(rules);
  // The ledger analyzes every rule set it is asked to open; a worker opens the same one
  // run after run, so the engine backend analyzes each distinct rule set once.
  if (!analyzed_ || *analyzed_ != digest) {
    auto analysis = escrow::analyze(rules);
    if (!analysis.ok()) return escrow::Rejection{Code::kInvalidRules, analysis.error().message};
    analyzed_ = digest;
  }
  rules_ = rules;
  rules_digest_ = digest;
  const std::int64_t now = stamp();
  const escrow::InstanceStep step = escrow::open_step(rules_, now);
  state_ = step.next;
  instance_ = instance;
  opened_ = true;
  const std::string stage = escrow::stage_name(rules_, state_.stage);
  pending_.push_back({++seq_, step.taken, role, digest, stage, now});
  escrow::OpResult result;
  result.stage = stage;
  return escrow::Applied{result, seq_, {}, now, false};
}

escrow::Outcome VirtualEscrow::engine_act(std::size_t role, const std::string& transition,
                                          const escrow::Digest& evidence, std::uint32_t count) {
  ++ops_;
  const std::int64_t now = stamp();
  Funds funds(*this);
  escrow::StepOutcome out = escrow::act_step(rules_, rules_digest_, state_, static_cast<std::uint8_t>(role),
                                             transition, evidence, count, now, funds);
  if (auto* rej = std::get_if<escrow::Rejection>(&out)) return *rej;
  const escrow::InstanceStep& step = std::get<escrow::InstanceStep>(out);
  // Double entry: every move debits one account and credits another; nothing but the
  // outside world may go negative (the ledger's post() refuses such a request).
  std::vector<Amount> available = available_, holds = holds_;
  Amount fees = fees_;
  std::vector<Amount> nets = nets_;
  Amount moved = holds_moved_;
  for (const escrow::Move& m : step.moves) {
    auto endpoint = [&](const escrow::Endpoint& e) -> Amount& {
      switch (e.kind) {
        case escrow::Endpoint::Kind::kParty: return available[e.role];
        case escrow::Endpoint::Kind::kHold: return holds[e.role];
        case escrow::Endpoint::Kind::kFee: return fees;
      }
      return fees;
    };
    Amount& from = endpoint(m.from);
    if (from < m.amount)
      return escrow::Rejection{escrow::Code::kInsufficientFunds,
                               "an account holds " + std::to_string(from) + ", needs " + std::to_string(m.amount)};
    from -= m.amount;
    endpoint(m.to) += m.amount;
    if (m.from.kind == escrow::Endpoint::Kind::kParty) nets[m.from.role] -= m.amount;
    if (m.to.kind == escrow::Endpoint::Kind::kParty) nets[m.to.role] += m.amount;
    if (m.from.kind == escrow::Endpoint::Kind::kHold) moved -= m.amount;
    if (m.to.kind == escrow::Endpoint::Kind::kHold) moved += m.amount;
  }
  available_ = std::move(available);
  holds_ = std::move(holds);
  nets_ = std::move(nets);
  fees_ = fees;
  holds_moved_ = moved;
  state_ = step.next;
  const std::string stage = escrow::stage_name(rules_, state_.stage);
  pending_.push_back({++seq_, step.taken, role, evidence, stage, now});
  escrow::OpResult result;
  result.stage = stage;
  result.transition = step.taken;
  return escrow::Applied{result, seq_, {}, now, false};
}

escrow::Outcome VirtualEscrow::submit(std::size_t role, escrow::Body body) {
  escrow::OpId op{};
  const std::uint64_t n = ++next_op_;
  std::memcpy(op.data(), &n, sizeof n);
  op[15] = 0x51;  // never the mint ids above
  ++ops_;
  escrow::Outcome o = ledger_->apply(escrow::Submission{parties_[role], escrow::Request{op, std::move(body)}, std::nullopt});
  account(o);
  return o;
}

void VirtualEscrow::account(const escrow::Outcome& o) {
  if (!o.ok()) return;
  for (const escrow::Posting& p : o.applied().result.postings) {
    if (p.account == escrow::kFeeAccount) {
      fees_ += p.delta;
      continue;
    }
    bool found = false;
    for (std::size_t r = 0; r < party_accounts_.size(); ++r) {
      if (p.account == party_accounts_[r]) {
        nets_[r] += p.delta;
        found = true;
      }
    }
    if (!found) holds_moved_ += p.delta;
  }
}

escrow::Outcome VirtualEscrow::open(std::size_t role, const escrow::InstanceId& instance, const escrow::RuleSet& rules) {
  if (backend_ == Backend::kEngine) return engine_open(role, instance, rules);
  escrow::Outcome o = submit(role, escrow::OpenInstance{instance, rules, parties_});
  if (o.ok()) {
    instance_ = instance;
    opened_ = true;
    record_event(role, o, "open", escrow::rules_digest(rules));
  }
  return o;
}

escrow::Outcome VirtualEscrow::act(std::size_t role, const std::string& transition, const escrow::Digest& evidence,
                                   std::uint32_t count) {
  if (!opened_) return escrow::Rejection{escrow::Code::kUnknownInstance, "no instance is open in this run"};
  if (backend_ == Backend::kEngine) return engine_act(role, transition, evidence, count);
  escrow::Outcome o = submit(role, escrow::Act{instance_, transition, evidence, count});
  if (o.ok()) record_event(role, o, o.applied().result.transition, evidence);
  return o;
}

// The event the ledger records for an applied request (escrow::InstanceEvent): its audit
// seq and time, the transition it took, the actor, the evidence and the stage after.
// end_run() checks these against the recorded history.
void VirtualEscrow::record_event(std::size_t role, const escrow::Outcome& o, const std::string& transition,
                                 const escrow::Digest& evidence) {
  const escrow::Applied& a = o.applied();
  pending_.push_back({a.audit_seq, transition, role, evidence, a.result.stage, a.time_ms});
}

Result<std::vector<VirtualEscrow::RawEvent>> VirtualEscrow::new_raw_events() {
  std::vector<RawEvent> out;
  out.swap(pending_);
  delivered_.insert(delivered_.end(), out.begin(), out.end());
  return out;
}

Result<VirtualEscrow::RunEnd> VirtualEscrow::end_run() {
  RunEnd end;
  Amount nets = 0;
  for (Amount n : nets_) nets += n;
  Amount held = 0;
  std::optional<escrow::InstanceView> view;
  if (opened_ && backend_ == Backend::kLedger) {
    auto v = ledger_->instance(instance_);
    if (!v.ok()) return v.error().context("virtual escrow");
    view = std::move(*v);
    for (Amount h : view->holds) held += h;
    end.stage = view->stage_name;
    end.settled = view->settled;
  } else if (opened_) {
    for (Amount h : holds_) held += h;
    end.stage = escrow::stage_name(rules_, state_.stage);
    end.settled = state_.settled;
  }
  // Every unit that left a party is with a party, the fee account or a hold.
  if (nets + fees_ + held != 0 || held != holds_moved_)
    return Error{"money not conserved: parties' nets " + std::to_string(nets) + ", fees " + std::to_string(fees_) +
                 ", holds " + std::to_string(held) + " (moved into holds: " + std::to_string(holds_moved_) + ")"};
  if (end.settled && held != 0)
    return Error{"money not conserved: settled instance (stage '" + end.stage + "') still holds " +
                 std::to_string(held)};
  if (!view) return end;
  // What the machines were told is what the ledger recorded, event for event.
  std::vector<RawEvent> all = delivered_;
  all.insert(all.end(), pending_.begin(), pending_.end());
  if (all.size() != view->history.size())
    return Error{"the run delivered " + std::to_string(all.size()) + " escrow events, the ledger recorded " +
                 std::to_string(view->history.size())};
  for (std::size_t i = 0; i < all.size(); ++i) {
    const escrow::InstanceEvent& h = view->history[i];
    const RawEvent& e = all[i];
    if (h.audit_seq != e.seq || h.transition != e.transition || h.actor != parties_[e.role] ||
        h.evidence != e.evidence || h.stage_after != e.stage_after || h.time_ms != e.time_ms)
      return Error{"escrow event " + std::to_string(i) + " ('" + h.transition + "' at seq " +
                   std::to_string(h.audit_seq) + ") differs from the one delivered ('" + e.transition + "')"};
  }
  return end;
}

}  // namespace verdict::sim
