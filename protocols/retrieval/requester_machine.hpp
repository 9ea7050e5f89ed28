#pragma once
// The requester's state machine (protocol.hpp has the flow and the interface contract).
//
// It holds the model offer (commitment, keys, model bytes: what the Request carries) and
// draws its 32-byte audit seed from the injected Rng at Start. It opens the instance (the
// opener, like MC in accuracy) once the responder's corpus commitment is in. It never
// verifies a SNARK itself (VerifyProofs), and disputes on the first violation found by
// check_response / check_openings (all of them are listed in the Dispute).

#include <optional>

#include "base/rng.hpp"
#include "protocols/retrieval/protocol.hpp"

namespace verdict::retrieval {

// What the Request carries besides the seed commitment.
struct ModelOffer {
  Digest model_commitment{};
  std::vector<std::uint8_t> verifying_key;
  std::vector<std::uint8_t> proving_key;
  std::vector<std::uint8_t> model;
};

class RequesterMachine {
 public:
  // Errors: terms out of range. `rng` outlives the machine.
  static Result<RequesterMachine> create(const Terms& terms, ModelOffer offer, Rng& rng);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }
  // The positive documents (verified openings), once the requester accepted.
  const std::vector<Opening>& retrieved() const { return s_.retrieved; }
  // The violations of the last dispute the requester raised (empty if none).
  const std::vector<Violation>& disputed() const { return s_.disputed; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;
    Digest seed{};
    std::optional<CorpusCommitment> corpus;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    bool deposited = false;
    std::optional<Response> response;
    std::optional<Digest> response_posted;
    bool awaiting_verification = false;
    std::optional<Openings> openings;
    std::optional<Digest> seed_posted, openings_posted;
    std::vector<Opening> retrieved;
    std::vector<Violation> disputed;
    std::optional<Outcome> outcome;
  };

 private:
  RequesterMachine(const Terms& terms, ModelOffer offer, Rng& rng);
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void on_timer(State& s, std::int64_t now, Effects& out);
  void maybe_verify(State& s, Effects& out);
  void maybe_check_openings(State& s, Effects& out);
  void dispute(State& s, std::vector<Violation> violations, Effects& out);
  Request request(const State& s) const;

  Terms terms_;
  ModelOffer offer_;
  Rng* rng_;
  State s_;
};

}  // namespace verdict::retrieval
