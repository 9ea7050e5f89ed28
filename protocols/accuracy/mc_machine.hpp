#pragma once
// The model consumer's state machine (protocol.hpp has the interface contract).
//
// MC: commits to its N examples (test_set.hpp: salted leaves, Merkle root) and to
// mc_seed; opens the instance named by both commitments once MP's commitment is in, and
// deposits; on MP's seed computes the split, seals the subset under a fresh key (sealed.hpp),
// hands it to the verifier (who relays it to MP) and posts its digest (send_subset);
// publishes the key once MP acknowledged; does the same for the rest after MP proceeds;
// on the proof bundle whose digest MP posted, asks its driver to verify every proof,
// checks each proof's public values against the committed example and, if all hold and
// the target is met, accepts (pays the agreed 2(N1 P + N2 Z)); otherwise leaves the
// ruling to the verifier. Claims every timeout it sees pass.

#include <optional>

#include "base/rng.hpp"
#include "protocols/accuracy/protocol.hpp"
#include "protocols/accuracy/sealed.hpp"

namespace verdict::accuracy {

class McMachine {
 public:
  // Errors: terms out of range, or not exactly N examples.
  static Result<McMachine> create(const Terms& terms, std::vector<Example> test_set, Rng& rng);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }
  const Digest& root() const { return root_; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;
    Digest mc_seed{};
    std::optional<Digest> model_commitment;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    Split split;
    Key subset_key{}, rest_key{};
    std::optional<ProofBundle> bundle;
    std::optional<Digest> bundle_posted;
    bool awaiting_verification = false;
    std::optional<Outcome> outcome;
  };

 private:
  McMachine(const Terms& terms, std::vector<Example> test_set, Rng& rng);
  Status step(State& s, const Input& input, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void act(State& s, const std::string& transition, const Digest& evidence, Effects& out);
  std::vector<std::uint8_t> seal_batch(const State& s, std::span<const std::uint32_t> indices, const Key& key,
                                       Reveal which);
  void maybe_verify(State& s, Effects& out);

  Terms terms_;
  std::vector<Example> examples_;
  std::vector<Digest> leaves_;
  Digest root_{};
  Rng* rng_;
  State s_;
};

}  // namespace verdict::accuracy
