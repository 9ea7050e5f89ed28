#pragma once
// The model provider's state machine (protocol.hpp has the interface contract).
//
// MP: sends its model commitment; deposits into the instance its and MC's commitments
// name; draws mp_seed (injected Rng) and publishes it (choose_subset); acknowledges a
// sealed reveal once the relayed bytes match the digest MC posted (or, if nothing came,
// at half the acknowledgement window, so that it can contest instead of being slashed
// for silence); opens the reveal with the published key and contests a key that does not
// open it to examples of the committed test set; asks its driver to inspect the subset
// (proceed or abort, step 4) and to prove the rest; sends the proof bundle and posts its
// digest (submit_proofs). Claims every timeout it sees pass.

#include <optional>

#include "base/rng.hpp"
#include "protocols/accuracy/protocol.hpp"

namespace verdict::accuracy {

class MpMachine {
 public:
  // Requires check_terms(terms).ok(). `rng` outlives the machine.
  MpMachine(const Terms& terms, const Digest& model_commitment, Rng& rng);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;  // commitments and "open" before this
    std::optional<TestSetCommitment> test_set;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;          // last escrow seq at which an act was submitted
    std::uint64_t timeout_claimed_seq = 0;
    std::optional<Digest> mp_seed;
    std::optional<Digest> mc_seed;
    Split split;
    std::optional<std::vector<std::uint8_t>> subset_sealed, rest_sealed;
    std::optional<Digest> subset_posted, rest_posted;
    bool awaiting_inspection = false;
    bool awaiting_proofs = false;
    std::optional<Outcome> outcome;
  };

 private:
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void on_timer(State& s, std::int64_t now, Effects& out);
  void act(State& s, const std::string& transition, const Digest& evidence, Effects& out);
  void maybe_ack(State& s, bool force, Effects& out);

  Terms terms_;
  Digest model_commitment_;
  Rng* rng_;
  State s_;
};

}  // namespace verdict::accuracy
