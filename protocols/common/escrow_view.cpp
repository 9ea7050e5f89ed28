#include "protocols/common/escrow_view.hpp"

namespace verdict::protocols {

EscrowView::EscrowView(escrow::RuleSet rules) : rules_(std::move(rules)) {}

bool EscrowView::settled() const {
  return stage_ == "unfunded" || (index_ >= 0 && rules_.stages[static_cast<std::size_t>(index_)].terminal);
}

std::int64_t EscrowView::stage_timeout_ms() const {
  if (stage_ == "funding") return rules_.funding_timeout_ms;
  if (index_ < 0) return 0;
  return rules_.stages[static_cast<std::size_t>(index_)].timeout_ms;
}

Status EscrowView::apply_event(const escrow::InstanceId& instance, std::uint64_t seq, const std::string& transition,
                               std::uint8_t actor, const escrow::Digest& evidence, const std::string& stage_after,
                               std::int64_t time_ms) {
  if (!instance_) return Error{"escrow event before the session is known"};
  if (instance != *instance_) return Error{"escrow event of another instance"};
  if (seq <= last_seq_) return Error{"escrow event replayed or out of order"};
  if (settled()) return Error{"escrow event after settlement"};
  if (opened() && time_ms < entered_ms_) return Error{"escrow event earlier than the stage it leaves"};
  if (actor >= rules_.roles.size() && transition != "timeout" && transition != "funding_timeout" &&
      transition != "open") {
    return Error{"escrow event by an unknown role"};
  }

  std::string next;
  int next_index = index_;
  std::uint32_t deposited = deposited_;
  if (stage_.empty()) {
    if (transition != "open" || stage_after != "funding") return Error{"the first escrow event must open it"};
    if (evidence != escrow::rules_digest(rules_)) return Error{"instance opened with other rules"};
    next = "funding";
  } else if (stage_ == "funding") {
    if (transition == "funding_timeout" || transition == "timeout") {
      if (time_ms < deadline_ms_) return Error{"funding timeout before the deadline"};
      next = "unfunded";
    } else if (transition == "deposit") {
      if (actor >= rules_.deposits.size() || rules_.deposits[actor] <= 0) {
        return Error{"a deposit by a role that deposits nothing"};
      }
      const std::uint32_t bit = 1u << actor;
      if (deposited & bit) return Error{"second deposit of a role"};
      if (time_ms >= deadline_ms_) return Error{"deposit after the funding deadline"};
      deposited |= bit;
      std::uint32_t all = 0;
      for (std::size_t r = 0; r < rules_.deposits.size(); ++r) {
        if (rules_.deposits[r] > 0) all |= 1u << r;
      }
      next = deposited == all ? rules_.stages[0].name : "funding";
      if (deposited == all) next_index = 0;
    } else {
      return Error{"escrow event '" + transition + "' during funding"};
    }
  } else {
    const auto from = static_cast<std::size_t>(index_);
    const escrow::Transition* t = nullptr;
    const escrow::Transition* timeout = escrow::find_timeout(rules_, from);
    if (transition == "timeout" || (timeout && transition == timeout->name)) {
      if (time_ms < deadline_ms_) return Error{"timeout before the deadline"};
      t = timeout;
    } else {
      t = escrow::find_action(rules_, from, transition);
      if (t && t->actor != actor) return Error{"escrow action by the wrong role"};
      if (t && time_ms >= deadline_ms_) return Error{"escrow action after the deadline"};
    }
    if (!t) return Error{"no transition '" + transition + "' from " + stage_};
    next = rules_.stages[t->to].name;
    next_index = t->to;
  }
  if (next != stage_after) return Error{"escrow event lands in " + stage_after + ", the table says " + next};

  const bool changed = next != stage_;
  stage_ = next;
  index_ = next_index;
  deposited_ = deposited;
  last_seq_ = seq;
  if (changed) {
    entered_ms_ = time_ms;
    deadline_ms_ = settled() ? 0 : time_ms + stage_timeout_ms();
  }
  return {};
}

}  // namespace verdict::protocols
