#pragma once
// The model provider's state machine (protocol.hpp has the interface contract and the
// round step by step).
//
// MP: sends its model commitment; on MC's RoundOpen derives the session and the instance
// and relays the RoundOpen to the verifier; deposits once the instance opens; checks the Inputs MC sends against the
// digest MC posted (commit_inputs) and asks its driver to run the model (Predict), or rejects the inputs
// (reject_inputs) when they do not match, do not fit the model, or have not arrived by
// half the window; sends the driver's outputs to MC and the verifier (and the input
// commitments to the verifier) and posts their digest (post_predictions); compares MC's
// transcript root with its own (transcript_mismatch(), no action: it answers contests
// either way); on a contest asks its driver to prove the contested items
// (ProveContested) and sends the bundle and posts its digest (submit_proofs). Claims
// every timeout it sees pass. MP draws no randomness.

#include <optional>

#include "protocols/serving/protocol.hpp"

namespace verdict::serving {

class ServingMpMachine {
 public:
  // Errors: terms out of range.
  static Result<ServingMpMachine> create(const Terms& terms, const Digest& model_commitment);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }
  const std::vector<std::uint32_t>& contested() const { return s_.contested; }
  // MC's posted transcript root differs from the one MP computes.
  bool transcript_mismatch() const { return s_.transcript_mismatch; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;  // the open before this
    std::optional<RoundOpen> round;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;  // last escrow seq at which an act was submitted
    std::uint64_t timeout_claimed_seq = 0;
    int timeout_retries = 0;              // refused timeout claims (on_refused)
    std::optional<Inputs> inputs;         // as MC sent them
    std::optional<Digest> inputs_posted;  // commit_inputs evidence
    std::vector<field::Fr> ics;           // once the inputs match the posted digest
    bool awaiting_predictions = false;
    std::vector<Bytes> outputs;  // as posted
    Digest root{};
    bool transcript_mismatch = false;
    std::optional<Digest> contest_seed;  // the Contest message, checked against the commitment
    std::vector<std::uint32_t> contested;
    bool awaiting_proofs = false;
    std::optional<Outcome> outcome;
  };

 private:
  ServingMpMachine(const Terms& terms, const Digest& model_commitment);
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void check_inputs(State& s, bool deadline, Effects& out);

  Terms terms_;
  Digest model_commitment_;
  State s_;
};

}  // namespace verdict::serving
