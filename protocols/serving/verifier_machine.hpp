#pragma once
// The verifier's state machine: the arbiter role of "serving/v1" (protocol.hpp has the
// interface contract). It deposits nothing and holds no secret.
//
// Session: MP sends its model commitment and relays MC's RoundOpen; MC sends its RoundOpen
// and relays MP's model commitment. The verifier keeps what each sends and follows the
// candidate session whose instance the escrow's first event names
// (candidate_instances(): at most four, for the driver to watch), so neither party can
// keep it out of the round by withholding or falsifying a commitment: a verifier that
// cannot follow is silent, which refunds, and would let a cheating MP escape slashing or
// an MC have its contest answered for free.
//
// It keeps the input commitments (from MC or MP, whichever set matches the digest MC
// posted), the predictions matching the digest MP posted, the transcript root and MC's
// seed as posted, and derives the contested subset. On the bundle whose digest MP posted,
// once it holds all of that, it asks its driver to verify every proof and rules valid or
// invalid by check_contest_proofs. It rules invalid at half the verdict window when it
// still lacks the bundle, the predictions or the input commitments (MP sends all three to
// the verifier; an honest MP can always make them available). Claims every timeout it
// sees pass.

#include <optional>

#include "protocols/serving/protocol.hpp"

namespace verdict::serving {

class ServingVerifierMachine {
 public:
  // Errors: terms out of range.
  static Result<ServingVerifierMachine> create(const Terms& terms);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }
  const std::vector<std::uint32_t>& contested() const { return s_.contested; }
  // The instances the session may name (before the instance opens, one per pair of a
  // model commitment and a round open received; afterwards, the instance).
  std::vector<escrow::InstanceId> candidate_instances() const;
  // Why it ruled invalid, once it did.
  const std::optional<std::string>& rejection() const { return s_.rejection; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;
    std::optional<Digest> offered_model[2];     // by MP and by MC
    std::optional<RoundOpen> offered_round[2];  // by MP and by MC
    std::optional<Digest> model_commitment;     // of the session, once the instance opened
    std::optional<RoundOpen> round;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    int timeout_retries = 0;                     // refused timeout claims (on_refused)
    std::optional<InputCommitments> offered[2];  // by MP and by MC, before the digest is known
    std::optional<Digest> inputs_posted;
    std::vector<field::Fr> ics;  // matching inputs_posted
    std::vector<Bytes> predictions;
    std::optional<Digest> predictions_posted;
    Digest root{};
    std::optional<Digest> contest_seed;  // the Contest message, checked against the commitment
    std::vector<std::uint32_t> contested;
    std::optional<ProofBundle> bundle;
    std::optional<Digest> bundle_posted;
    bool awaiting_verification = false;
    std::optional<std::string> rejection;
    std::optional<Outcome> outcome;
  };

 private:
  explicit ServingVerifierMachine(const Terms& terms);
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  bool matches_inputs(const State& s, const InputCommitments& c) const;
  void choose_session(State& s, const escrow::InstanceId& instance) const;
  void maybe_verify(State& s, Effects& out);
  void rule_invalid(State& s, std::string why, Effects& out);

  Terms terms_;
  State s_;
};

}  // namespace verdict::serving
