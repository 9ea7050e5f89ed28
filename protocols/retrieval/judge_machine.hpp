#pragma once
// The judge's state machine (protocol.hpp has the flow and the interface contract). It
// deposits nothing and holds no secret.
//
// It learns the session from the responder's CorpusCommitment and the requester's
// Request, follows the instance, and records what the escrow fixes: the response digest
// (respond), the seed (reveal_seed), the openings digest (open_sample). On "disputed" it
// asks its driver to Audit once the requester's Dispute matching the posted digest has
// arrived, or at half the judge window without it (the claims are only hints: the ruling
// is decide() on the transcripts). It posts uphold or dismiss as the driver rules.

#include <optional>

#include "protocols/retrieval/protocol.hpp"

namespace verdict::retrieval {

class JudgeMachine {
 public:
  // Requires check_terms(terms).ok().
  explicit JudgeMachine(const Terms& terms);

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;
    std::optional<CorpusCommitment> corpus;
    std::optional<Digest> model_commitment, seed_commitment;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    Digest response_posted{};
    std::optional<Digest> seed, openings_posted, dispute_posted;
    std::optional<Dispute> dispute;
    bool awaiting_audit = false;
    std::optional<Outcome> outcome;
  };

 private:
  Status step(State& s, const Input& input, Effects& out);
  Status on_message(State& s, Role from, const Message& m, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void maybe_audit(State& s, bool force, Effects& out);

  Terms terms_;
  State s_;
};

}  // namespace verdict::retrieval
