#include "protocols/accuracy/escrow_view.hpp"

namespace verdict::accuracy {

EscrowView::EscrowView(escrow::RuleSet rules) : rules_(std::move(rules)) {}

bool EscrowView::settled() const {
  return stage_ == "unfunded" || (index_ >= 0 && rules_.stages[static_cast<std::size_t>(index_)].terminal);
}

std::int64_t EscrowView::stage_timeout_ms() const {
  if (stage_ == "funding") return rules_.funding_timeout_ms;
  if (index_ < 0) return 0;
  return rules_.stages[static_cast<std::size_t>(index_)].timeout_ms;
}

Status EscrowView::apply(const EscrowEvent& e) {
  if (!instance_) return Error{"escrow event before the session is known"};
  if (e.instance != *instance_) return Error{"escrow event of another instance"};
  if (e.seq <= last_seq_) return Error{"escrow event replayed or out of order"};
  if (settled()) return Error{"escrow event after settlement"};
  if (opened() && e.time_ms < entered_ms_) return Error{"escrow event earlier than the stage it leaves"};

  std::string next;
  int next_index = index_;
  std::uint32_t deposited = deposited_;
  if (stage_.empty()) {
    if (e.transition != "open" || e.stage_after != "funding") return Error{"the first escrow event must open it"};
    if (e.evidence != escrow::rules_digest(rules_)) return Error{"instance opened with other rules"};
    next = "funding";
  } else if (stage_ == "funding") {
    if (e.transition == "funding_timeout" || e.transition == "timeout") {
      if (e.time_ms < deadline_ms_) return Error{"funding timeout before the deadline"};
      next = "unfunded";
    } else if (e.transition == "deposit") {
      if (e.actor == Role::kVerifier) return Error{"the verifier deposits nothing"};
      const std::uint32_t bit = 1u << static_cast<unsigned>(e.actor);
      if (deposited & bit) return Error{"second deposit of a role"};
      if (e.time_ms >= deadline_ms_) return Error{"deposit after the funding deadline"};
      deposited |= bit;
      next = deposited == 3 ? rules_.stages[0].name : "funding";
      if (deposited == 3) next_index = 0;
    } else {
      return Error{"escrow event '" + e.transition + "' during funding"};
    }
  } else {
    const auto from = static_cast<std::size_t>(index_);
    const escrow::Transition* t = nullptr;
    const escrow::Transition* timeout = escrow::find_timeout(rules_, from);
    if (e.transition == "timeout" || (timeout && e.transition == timeout->name)) {
      if (e.time_ms < deadline_ms_) return Error{"timeout before the deadline"};
      t = timeout;
    } else {
      t = escrow::find_action(rules_, from, e.transition);
      if (t && t->actor != static_cast<std::uint8_t>(e.actor)) return Error{"escrow action by the wrong role"};
      if (t && e.time_ms >= deadline_ms_) return Error{"escrow action after the deadline"};
    }
    if (!t) return Error{"no transition '" + e.transition + "' from " + stage_};
    next = rules_.stages[t->to].name;
    next_index = t->to;
  }
  if (next != e.stage_after) return Error{"escrow event lands in " + e.stage_after + ", the table says " + next};

  const bool changed = next != stage_;
  stage_ = next;
  index_ = next_index;
  deposited_ = deposited;
  last_seq_ = e.seq;
  if (changed) {
    entered_ms_ = e.time_ms;
    deadline_ms_ = settled() ? 0 : e.time_ms + stage_timeout_ms();
  }
  return {};
}

}  // namespace verdict::accuracy
