#pragma once
// The verifier's state machine: the arbiter role of escrow/accuracy_rules.hpp
// (protocol.hpp has the interface contract). It deposits nothing and holds no secret.
//
//   data availability  MC hands every sealed batch to the verifier, which keeps the one
//                      whose digest MC posted (send_*) and relays it to MP. So MP holds
//                      the bytes whenever the verifier does, and a key contest is judged
//                      on bytes MC cannot disown.
//   key contests       upheld (MC slashed) unless the posted bytes open under the
//                      published key to exactly the expected indices, each in the
//                      committed tree; dismissed (MP slashed) otherwise.
//   verdict            on the bundle whose digest MP posted: asks its driver to verify
//                      every proof, checks the public values against the revealed rest
//                      (count_correct) and rules pass, fail (target missed) or invalid
//                      (a proof fails, or no matching bundle by half the window).
// Claims every timeout it sees pass.

#include <optional>

#include "protocols/accuracy/protocol.hpp"

namespace verdict::accuracy {

class VerifierMachine {
 public:
  explicit VerifierMachine(const Terms& terms);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;  // commitments and "open" before this
    std::optional<ModelCommitment> model;
    std::optional<TestSetCommitment> test_set;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    std::optional<Digest> mp_seed, mc_seed;
    Split split;
    std::optional<std::vector<std::uint8_t>> subset_sealed, rest_sealed;
    std::optional<Digest> subset_posted, rest_posted, bundle_posted;
    bool subset_relayed = false, rest_relayed = false;
    Digest subset_key{}, rest_key{};
    std::optional<ProofBundle> bundle;
    bool awaiting_verification = false;
    std::optional<Outcome> outcome;
  };

 private:
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void act(State& s, const std::string& transition, const Digest& evidence, Effects& out);
  void relay(State& s, Effects& out);
  void judge_contest(State& s, bool subset, Effects& out);
  void maybe_verify(State& s, Effects& out);

  Terms terms_;
  State s_;
};

}  // namespace verdict::accuracy
