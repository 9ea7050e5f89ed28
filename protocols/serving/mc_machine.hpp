#pragma once
// The model consumer's state machine (protocol.hpp has the interface contract and the
// round step by step).
//
// MC: at Start draws the round id, its contest seed and one salt per input (injected Rng)
// and sends RoundOpen; on MP's model commitment relays it to the verifier, opens the
// instance the session names and deposits; once funded sends the inputs with their salts to MP, the input commitments
// to the verifier, and posts their digest (commit_inputs); on the Predictions matching
// the digest MP posted commits the transcript root (commit_transcript); then, by its
// ContestPolicy, reveals its seed (contest) or closes; on the bundle whose digest MP
// posted asks its driver to verify every proof and concedes (pays 2 K1 Z) iff
// check_contest_proofs holds, else leaves the ruling to the verifier. Claims every
// timeout it sees pass.

#include <optional>

#include "base/rng.hpp"
#include "protocols/serving/protocol.hpp"

namespace verdict::serving {

enum class ContestPolicy : std::uint8_t {
  kAlways,  // contest every round (the paper's random contests)
  kNever,   // close every round without a contest
};

class ServingMcMachine {
 public:
  // Errors: terms out of range, not exactly K inputs. `rng` outlives the machine.
  static Result<ServingMcMachine> create(const Terms& terms, std::vector<Bytes> inputs, Rng& rng,
                                         ContestPolicy policy = ContestPolicy::kAlways);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }
  const std::vector<std::uint32_t>& contested() const { return s_.contested; }
  // Why MC did not concede (check_contest_proofs' error), once it checked a bundle.
  const std::optional<std::string>& rejection() const { return s_.rejection; }
  // The predictions MC received and committed to (empty before).
  const std::vector<Bytes>& predictions() const { return s_.predictions; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;
    RoundOpen round;
    Digest seed{};
    std::vector<field::Fr> salts, ics;
    std::optional<Digest> model_commitment;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    int timeout_retries = 0;                   // refused timeout claims (on_refused)
    std::vector<Bytes> predictions;            // empty until received
    std::optional<Digest> predictions_posted;  // post_predictions evidence
    Digest root{};
    std::vector<std::uint32_t> contested;
    std::optional<ProofBundle> bundle;
    std::optional<Digest> bundle_posted;
    bool awaiting_verification = false;
    std::optional<std::string> rejection;
    std::optional<Outcome> outcome;
  };

 private:
  ServingMcMachine(const Terms& terms, std::vector<Bytes> inputs, Rng& rng, ContestPolicy policy);
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void maybe_commit(State& s, Effects& out);
  void maybe_verify(State& s, Effects& out);

  Terms terms_;
  std::vector<Bytes> inputs_;
  Rng* rng_;
  ContestPolicy policy_;
  State s_;
};

}  // namespace verdict::serving
