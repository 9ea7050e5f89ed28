#pragma once
// The in-memory bus of a simulated run: one protocol's three machines (protocols/), the
// real escrow ledger (VirtualEscrow) and a virtual clock, with the generic deviations
// of a strategy (going silent at a stage, aborting at a stage) applied between them.
//
// A protocol adapter P supplies the machines and the protocol's own effects:
//   types     P::Role, P::Input, P::Effect, P::Effects, P::Send (to, message),
//             P::Received (from, message), P::Finished (outcome), P::EscrowEvent;
//   kRoles    the number of roles (equal to the rule set's);
//   Result<Effects> handle(Role, const Input&)   feeds one machine;
//   const escrow::RuleSet& rules() const          the rule set the instance is opened with;
//   bool on_send(Bus&, Role from, Send&)           a strategy may drop (false) or alter a message;
//   void on_work(Bus&, Role, Effect&&)             every effect the bus does not handle itself:
//                                                  the work requests (prove, verify, inspect, ...),
//                                                  answered with post()/post_after();
//   void on_finished(Role, const Outcome&)         a machine finished.
// The bus handles Send (delivered as Received at once), OpenEscrow and SubmitAct (through
// the ledger; a refusal comes back as EscrowRefused), SetTimer (a TimerFired at that
// virtual time) and Finished; every escrow event of the instance is delivered to every
// machine in ledger order.
//
// Termination: run() stops when every machine that is not silent has finished, or when
// nothing is left to deliver and no timer is pending; more than max_steps inputs is an
// error (a livelock). Virtual time only moves forward, to the next timer or the next
// delayed input.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "base/result.hpp"
#include "protocols/common/machine.hpp"
#include "sim/virtual_escrow.hpp"

namespace verdict::sim {

// A strategy's deviations that need no protocol knowledge (strategy.hpp parses them).
struct Deviation {
  // Goes offline when the instance enters this stage ("" never; "start" before anything):
  // no message, act or work result of the role is sent from then on.
  std::string silent_at;
  // When the instance enters `abort_stage`, the role takes `abort_transition` at once
  // (checked against the rule table when the scenario is loaded).
  std::string abort_stage;
  std::string abort_transition;
};

template <class P>
class Bus {
 public:
  using Role = typename P::Role;
  using Input = typename P::Input;
  static constexpr std::size_t kRoles = P::kRoles;

  Bus(P& protocol, VirtualEscrow& escrow, std::array<Deviation, kRoles> deviations)
      : p_(protocol), escrow_(escrow), dev_(std::move(deviations)) {
    for (std::size_t r = 0; r < kRoles; ++r) silent_[r] = dev_[r].silent_at == "start";
  }

  VirtualEscrow& escrow() { return escrow_; }
  std::int64_t now_ms() const { return escrow_.now_ms(); }
  const std::string& stage() const { return stage_; }
  bool silent(Role r) const { return silent_[index(r)]; }
  bool finished(Role r) const { return finished_[index(r)]; }
  std::uint64_t steps() const { return steps_; }

  void post(Role r, Input in) { now_.emplace_back(r, std::move(in)); }
  void post_after(std::int64_t delay_ms, Role r, Input in) {
    later_.emplace(std::make_pair(now_ms() + std::max<std::int64_t>(delay_ms, 0), seq_++), std::make_pair(r, std::move(in)));
  }

  // Starts every machine and runs to the end (see the header comment).
  Status run(std::uint64_t max_steps = 100'000) {
    for (std::size_t r = 0; r < kRoles; ++r) post(static_cast<Role>(r), protocols::Start{now_ms()});
    for (;;) {
      while (!now_.empty()) {
        if (++steps_ > max_steps) return Error{"the run did not settle within " + std::to_string(max_steps) + " steps"};
        auto [r, in] = std::move(now_.front());
        now_.pop_front();
        if (Status s = deliver(r, std::move(in)); !s.ok()) return s;
      }
      if (all_done()) return {};
      // The next moment anything happens: a delayed input or a timer.
      std::optional<std::int64_t> next;
      if (!later_.empty()) next = later_.begin()->first.first;
      if (!timers_.empty() && (!next || timers_.begin()->first < *next)) next = timers_.begin()->first;
      if (!next) return {};
      escrow_.set_time(std::max(now_ms(), *next));
      while (!later_.empty() && later_.begin()->first.first <= now_ms()) {
        auto node = later_.extract(later_.begin());
        now_.push_back(std::move(node.mapped()));
      }
      std::array<bool, kRoles> fire{};
      while (!timers_.empty() && timers_.begin()->first <= now_ms()) {
        fire[timers_.begin()->second] = true;
        timers_.erase(timers_.begin());
      }
      for (std::size_t r = 0; r < kRoles; ++r) {
        if (fire[r]) now_.emplace_back(static_cast<Role>(r), protocols::TimerFired{now_ms()});
      }
    }
  }

 private:
  static std::size_t index(Role r) { return static_cast<std::size_t>(r); }

  bool all_done() const {
    for (std::size_t r = 0; r < kRoles; ++r) {
      if (!finished_[r] && !silent_[r]) return false;
    }
    return true;
  }

  Status deliver(Role r, Input in) {
    if (finished_[index(r)]) return {};  // a finished machine takes nothing more
    auto effects = p_.handle(r, in);
    if (!effects.ok()) {
      // A machine refusing an input changes nothing (handle() is transactional); a
      // refused input is part of the game (a deviating peer), not a simulator failure.
      ++refused_;
      return {};
    }
    for (auto& e : *effects) {
      if (Status s = apply(r, std::move(e)); !s.ok()) return s;
    }
    return {};
  }

  Status apply(Role r, typename P::Effect e) {
    if (auto* f = std::get_if<typename P::Finished>(&e)) {
      finished_[index(r)] = true;
      p_.on_finished(r, f->outcome);
      return {};
    }
    if (silent_[index(r)]) return {};
    if (auto* s = std::get_if<typename P::Send>(&e)) {
      if (!p_.on_send(*this, r, *s)) return {};
      post(s->to, typename P::Received{r, std::move(s->message)});
      return {};
    }
    if (auto* o = std::get_if<protocols::OpenEscrow>(&e)) {
      escrow::Outcome out = escrow_.open(index(r), o->instance, p_.rules());
      if (!out.ok()) {
        post(r, protocols::EscrowRefused{"open", out.rejection().reason});
        return {};
      }
      return publish();
    }
    if (auto* a = std::get_if<protocols::SubmitAct>(&e)) return act(r, a->transition, a->evidence);
    if (auto* t = std::get_if<protocols::SetTimer>(&e)) {
      timers_.emplace(t->at_ms, index(r));
      return {};
    }
    p_.on_work(*this, r, std::move(e));
    return {};
  }

  Status act(Role r, const std::string& transition, const escrow::Digest& evidence) {
    escrow::Outcome out = escrow_.act(index(r), transition, evidence);
    if (!out.ok()) {
      post(r, protocols::EscrowRefused{transition, out.rejection().reason});
      return {};
    }
    return publish();
  }

  // Delivers the instance's new events to every machine, and applies the deviations
  // that the stage entered triggers.
  Status publish() {
    auto events = escrow_.template new_events<Role>();
    if (!events.ok()) return events.error();
    for (const auto& e : *events) {
      stage_ = e.stage_after;
      for (std::size_t r = 0; r < kRoles; ++r) {
        if (!silent_[r] && !dev_[r].silent_at.empty() && dev_[r].silent_at == stage_) silent_[r] = true;
      }
      for (std::size_t r = 0; r < kRoles; ++r) post(static_cast<Role>(r), e);
    }
    for (std::size_t r = 0; r < kRoles; ++r) {
      const Deviation& d = dev_[r];
      if (silent_[r] || d.abort_stage.empty() || d.abort_stage != stage_ || aborted_[r]) continue;
      aborted_[r] = true;
      if (Status s = act(static_cast<Role>(r), d.abort_transition, escrow::Digest{}); !s.ok()) return s;
    }
    return {};
  }

  P& p_;
  VirtualEscrow& escrow_;
  std::array<Deviation, kRoles> dev_;
  std::array<bool, kRoles> silent_{};
  std::array<bool, kRoles> finished_{};
  std::array<bool, kRoles> aborted_{};
  std::string stage_;
  std::deque<std::pair<Role, Input>> now_;
  std::multimap<std::pair<std::int64_t, std::uint64_t>, std::pair<Role, Input>> later_;
  std::multiset<std::pair<std::int64_t, std::size_t>> timers_;
  std::uint64_t seq_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace verdict::sim
