#pragma once
// What every protocol machine (accuracy, serving, retrieval) does the same way, over the
// protocol's own effect types. A machine's State has `escrow` (protocols::EscrowView) and
// `acted_seq`; its handle() runs a step transactionally.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "escrow/ids.hpp"

namespace verdict::protocols {

// The inputs and effects every protocol's machines share (each protocol's Input and
// Effect variants list them beside their own).
struct Start {
  std::int64_t now_ms = 0;
};
struct EscrowRefused {  // the escrow refused (or never answered) this act
  std::string transition;
  std::string reason;
};
struct TimerFired {  // the current time is passed in, never read
  std::int64_t now_ms = 0;
};
struct VerificationDone {  // nn::verify on each proof of a VerifyProofs request, in order
  std::vector<bool> valid;
};
struct OpenEscrow {  // open this instance with the protocol's rule set, parties in role order
  escrow::InstanceId instance{};
};
struct SubmitAct {  // a transition of the rule set by name ("deposit", "timeout" included)
  std::string transition;
  escrow::Digest evidence{};
};
struct SetTimer {
  std::int64_t at_ms = 0;
};

// Runs `step(next, out)` on a copy of the state and keeps the copy only when the step
// succeeds, so a refused input changes nothing. Errors carry the machine's name.
template <class Effects, class State, class Step>
Result<Effects> step_transactionally(State& state, const char* machine, Step&& step) {
  State next = state;
  Effects out;
  if (Status st = std::forward<Step>(step)(next, out); !st.ok()) return st.error().context(machine);
  state = std::move(next);
  return out;
}

// An act at the escrow: remembers the escrow event it answers (State::acted_seq, so a
// machine acts at most once per event) and emits the protocol's SubmitAct.
template <class SubmitAct, class State, class Effects>
void submit_act(State& s, const std::string& transition, const escrow::Digest& evidence, Effects& out) {
  s.acted_seq = s.escrow.last_seq();
  out.push_back(SubmitAct{transition, evidence});
}

}  // namespace verdict::protocols
