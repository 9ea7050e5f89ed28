#pragma once
// The responder's state machine (protocol.hpp has the flow and the interface contract).
//
// It holds the corpus: m documents (x_i, attestation_i), draws a salt per document from the
// injected Rng at creation and commits to the Merkle root of the leaves (corpus.hpp). It
// does not check its own documents' attestations: a corpus is what the source gave it,
// and a junk document is the responder's risk (the sample may catch it).
//
// Deviations for tests and agents that play a dishonest responder (all off by default):
//   withhold_positive  the Response leaves out the opening of the first positive document
//   mismatch_opening   the first opening of the Response and of the Openings carries an x
//                      with its first byte flipped (no longer the committed document)
// Junk commitments need no option: create() accepts documents whose attestations do not
// verify (the test fixtures build such corpora).

#include <optional>

#include "base/rng.hpp"
#include "protocols/retrieval/protocol.hpp"

namespace verdict::retrieval {

struct ResponderDeviations {
  bool withhold_positive = false;
  bool mismatch_opening = false;
};

class ResponderMachine {
 public:
  // Errors: terms out of range, not exactly m documents, or a document whose input is not
  // terms.input_size bytes. `rng` outlives the machine.
  static Result<ResponderMachine> create(const Terms& terms, std::vector<Document> corpus, Rng& rng,
                                         ResponderDeviations deviations = {});

  [[nodiscard]] Result<Effects> handle(const Input& input);

  const std::string& stage() const { return s_.escrow.stage(); }
  const std::optional<Outcome>& outcome() const { return s_.outcome; }
  const CorpusCommitment& corpus() const { return corpus_; }

  struct State {
    bool started = false;
    std::int64_t setup_deadline_ms = 0;
    std::optional<Request> request;
    bool awaiting_check = false;
    bool accepted = false;
    Digest session{};
    protocols::EscrowView escrow;
    std::uint64_t acted_seq = 0;
    std::uint64_t timeout_claimed_seq = 0;
    bool deposited = false;
    bool awaiting_proofs = false;
    std::optional<Response> response;
    Digest response_posted{};
    std::optional<Outcome> outcome;
  };

 private:
  ResponderMachine(const Terms& terms, std::vector<Document> corpus, Rng& rng, ResponderDeviations deviations);
  Status step(State& s, const Input& input, Effects& out);
  Status on_escrow(State& s, const EscrowEvent& e, Effects& out);
  void maybe_deposit(State& s, Effects& out);
  Opening opening(std::uint32_t index) const;

  Terms terms_;
  std::vector<Document> documents_;
  std::vector<field::Fr> salts_;
  std::vector<Digest> leaves_;
  CorpusCommitment corpus_;
  ResponderDeviations deviations_;
  State s_;
};

}  // namespace verdict::retrieval
