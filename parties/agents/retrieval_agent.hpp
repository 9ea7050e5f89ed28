#pragma once
// The retrieval protocol's agents (paper 5.4; protocols/retrieval) as processes: the
// requester, the responder and the judge around their machines, on the shared driver
// (driver.hpp: ZeroMQ, escrow, transcripts with signed checkpoints).
//
// Disputes: when the requester disputes it files its transcript with the judge (a
// "retrieval.filing" envelope whose frame is the transcript file so far); when the
// instance reaches "disputed" the responder files its own. The judge's driver rules with
// retrieval::decide() on the Response and Openings it finds in the filings (envelopes
// signed by the responder whose digests the escrow holds), verifying every SNARK with the
// verifying key of the requester's Request; it waits for both filings, or rules on what
// it has after a quarter of its window.

#include <functional>
#include <optional>
#include <vector>

#include "parties/agents/driver.hpp"
#include "protocols/retrieval/protocol.hpp"
#include "protocols/retrieval/requester_machine.hpp"
#include "protocols/retrieval/responder_machine.hpp"

namespace verdict::agents {

struct RetrievalAgentConfig {
  retrieval::Role role = retrieval::Role::kRequester;
  retrieval::Terms terms;
  DriverConfig driver;  // driver.role is set from `role`

  // requester
  retrieval::ModelOffer offer;
  // requester and judge: nn::verify with the model's verifying key
  std::function<std::vector<bool>(const std::vector<nn::ModelProof>&)> verify;
  // responder
  std::vector<retrieval::Document> corpus;
  retrieval::ResponderDeviations deviations;
  std::function<bool(const retrieval::Request&)> check_request;  // keys and model match the commitment?
  std::function<std::optional<std::vector<nn::ModelProof>>(const retrieval::ProveCorpus&)> prove;
};

struct RetrievalAgentResult {
  retrieval::Outcome outcome;
  std::uint64_t transcript_records = 0;
  Digest transcript_head{};
  std::vector<retrieval::Opening> retrieved;     // requester: the positive documents, once accepted
  std::vector<retrieval::Violation> disputed;    // requester: what it disputed
  std::string ruling;                            // judge: the reason of its ruling
};

Result<RetrievalAgentResult> run_retrieval_agent(const RetrievalAgentConfig& config);

}  // namespace verdict::agents
