#pragma once
// The checks on a Response and on the sampled Openings: pure functions the requester
// runs to decide whether to dispute, and the judge's driver runs again (decide()) to rule
// on a dispute. Same inputs, same violations, for everybody.
//
// check_response, with proof_valid[i] the result of nn::verify on proof i:
//   wrong_count       proofs.size() != m (or != proof_valid.size()); nothing else is checked
//   per proof i       proof_invalid, wrong_model, public_input (not hidden, or no output)
//   root_mismatch     the Merkle root over corpus_leaf(i, proof_i.input_commitment) is not
//                     the committed root. The Response carries no separate list of ic_i:
//                     the proofs already expose them, in index order, and the root binds
//                     that ordered list, so this one comparison proves every proof is about
//                     the committed document at its index (no per-proof paths needed).
//   per opening       in strictly increasing index order and < m, else unexpected_opening
//                     (and skipped); not_positive if proof i says negative; the opening checks
//   withheld_positive every i whose proof says positive without an opening
// The opening checks (check_opening): x has terms.input_size bytes and its leaf
// corpus_leaf(i, input_commitment(x, salt)) is at i under the committed root by the
// opening's path, else opening_mismatch; else input_commitment_mismatch if that ic differs
// from proof i's; independently junk if the attestation does not verify.
//
// check_openings: exactly the sampled indices, in order: missing_opening for each sampled
// index without one, unexpected_opening for any other; each opening present gets the
// opening checks against proof i of the Response.
//
// decide (the judge): a Response / Openings counts only if it matches the digest posted on
// the escrow; the judge's driver gathers them from either party's transcript.
//   1. no Response matching the posted digest           uphold (the responder cannot
//                                                        back what it posted)
//   2. check_response finds a violation                  uphold
//   3. the dispute came before the seed was revealed     dismiss
//   4. the revealed seed does not open the commitment    dismiss (the requester chose the
//                                                        sample; the responder may answer
//                                                        it with no openings)
//   5. no Openings matching the posted digest            uphold
//   6. check_openings finds a violation                  uphold
//   7. otherwise                                         dismiss (a false dispute)
// The requester's claims never decide anything; they are reported beside the ruling.

#include <optional>
#include <string>
#include <vector>

#include "protocols/retrieval/messages.hpp"

namespace verdict::retrieval {

bool is_positive(const Terms& terms, const nn::ModelProof& proof);

// Appends the opening's violations; `proof` is proof i of the Response (nullptr: none).
void check_opening(const Terms& terms, const CorpusCommitment& corpus, const nn::ModelProof* proof,
                   const Opening& opening, std::vector<Violation>& out);

std::vector<Violation> check_response(const Terms& terms, const Digest& model_commitment,
                                      const CorpusCommitment& corpus, const Response& response,
                                      const std::vector<bool>& proof_valid);

// `sample` sorted (audit_sample()).
std::vector<Violation> check_openings(const Terms& terms, const CorpusCommitment& corpus, const Response& response,
                                      const std::vector<std::uint32_t>& sample, const Openings& openings);

// What the judge knows from the session and the escrow when a dispute is raised.
struct AuditCase {
  Digest session{};
  Digest model_commitment{};
  CorpusCommitment corpus;
  Digest seed_commitment{};
  Digest response_digest{};               // respond's evidence
  std::optional<Digest> seed;             // reveal_seed's evidence (a dispute after the sample)
  std::optional<Digest> openings_digest;  // open_sample's evidence
  std::optional<Dispute> claims;          // the requester's Dispute, if it arrived
};

struct Ruling {
  bool uphold = false;
  std::string reason;
};

// response / openings: what the driver found (nullptr: nothing); proof_valid: nn::verify
// on each proof of *response.
Ruling decide(const Terms& terms, const AuditCase& audit, const Response* response,
              const std::vector<bool>& proof_valid, const Openings* openings);

}  // namespace verdict::retrieval
