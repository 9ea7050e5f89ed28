#pragma once
// The escrow rule set "retrieval/v1" of trustless retrieval of items matching a predicate
// (paper section 5.4; docs/protocols.md). It lives here rather than in escrow/ because
// only this protocol uses it; the escrow engine needs nothing but the table.
//
// Roles: requester (0), responder (1), judge (2). The requester deposits m*z + eps, the
// responder bond + eps; each eps goes to the escrow's fee account when funding
// completes (refunded in full if funding never completes). Stages and who moves:
//
//   proving    (proving timeout)   responder respond(H(response))  -> responded
//                                  timeout                         -> settled_responder_slashed
//   responded  (response timeout)  requester reveal_seed(seed)     -> sampled
//                                  requester dispute(H(dispute))   -> disputed
//                                  timeout                         -> settled_paid
//   sampled    (response timeout)  responder open_sample(H(open.)) -> opened
//                                  timeout                         -> settled_responder_slashed
//   opened     (response timeout)  requester accept                -> settled_paid
//                                  requester dispute(H(dispute))   -> disputed
//                                  timeout                         -> settled_paid
//   disputed   (judge timeout)     judge uphold                    -> settled_responder_slashed
//                                  judge dismiss                   -> settled_paid
//                                  timeout                         -> settled_refund
//
// Payouts (what each gets back of the holds m*z and bond):
//   settled_paid               responder bond + m*z     requester 0
//   settled_responder_slashed  requester m*z + bond     responder 0
//   settled_refund             each its own hold (its deposit minus eps)
// Every terminal empties both holds (analyze() checks it).

#include <cstdint>

#include "base/result.hpp"
#include "escrow/amount.hpp"
#include "escrow/rules.hpp"

namespace verdict::retrieval {

struct RetrievalParams {
  std::uint32_t m = 0;     // corpus size, 1..2^20
  std::uint32_t n = 0;     // audit sample size, 1 <= n <= m (protocols/sizing zero_failure_sample_size)
  escrow::Amount z = 0;    // price per proved document, > 0
  escrow::Amount bond = 0;  // the responder's bond, > 0
  escrow::Amount eps = 0;  // the escrow's fee per party, >= 0
  std::int64_t funding_timeout_ms = 3'600'000;
  std::int64_t response_timeout_ms = 600'000;    // responded, sampled, opened
  std::int64_t proving_timeout_ms = 86'400'000;  // the responder proving m documents
  std::int64_t judge_timeout_ms = 3'600'000;     // the judge's ruling on a dispute
};

inline constexpr std::uint32_t kMaxCorpus = 1u << 20;

// Role indices in the retrieval rule set.
inline constexpr std::uint8_t kRetrievalRequester = 0;
inline constexpr std::uint8_t kRetrievalResponder = 1;
inline constexpr std::uint8_t kRetrievalJudge = 2;

// "retrieval/v1" for these parameters; an error names a parameter that is out of range
// or an amount that overflows 64 bits.
Result<escrow::RuleSet> retrieval_rule_set(const RetrievalParams& params);

}  // namespace verdict::retrieval
