#pragma once
// The escrow rule set "serving/v1" of verified prediction serving (paper section 5.3):
// one instance is one round of K predictions. protocol.hpp has the protocol; this
// header is the money.
//
// Roles (rule-set role indices): mp = 0, mc = 1, verifier = 2 (deposits nothing; its
// claims carry the outcome of the proof check, the escrow never verifies a SNARK).
// Deposits: MP beta*K*Z + eps (its bond, B = beta*K*Z), MC 2*K*Z + eps (C = 2*K*Z, what it
// may owe for contests). When funding completes eps of each goes to the fee account.
//
//   stage                 timeout    who: action -> stage                  timeout ->
//   awaiting_inputs       response   mc: commit_inputs -> awaiting_predictions   mc_silent: settled_refund
//   awaiting_predictions  response   mp: post_predictions -> awaiting_transcript mp_silent: settled_mp_slashed
//                                    mp: reject_inputs -> settled_refund
//   awaiting_transcript   response   mc: commit_transcript -> contest_window     mc_silent: settled_closed
//   contest_window        response   mc: close -> settled_closed                 window_expired: settled_closed
//                                    mc: contest -> contested
//   contested             proving    mp: submit_proofs -> proofs_submitted       mp_silent: settled_mp_slashed
//   proofs_submitted      verdict    verifier: valid -> settled_proven           verifier_silent: settled_refund
//                                    verifier: invalid -> settled_mp_slashed
//                                    mc: concede -> settled_proven
//
// Payouts (what each party gets back out of the instance, after the 2 eps of fees):
//
//   terminal             MP gets              MC gets              MP net            MC net
//   settled_refund       B                    C                    -eps              -eps
//   settled_closed       B                    C                    -eps              -eps
//   settled_mp_slashed   0                    C + B                -B - eps          B - eps
//   settled_proven       B + 2*K1*Z           C - 2*K1*Z           2*K1*Z - eps      -2*K1*Z - eps
//
// In every row MP net + MC net + 2 eps = 0, and every hold ends at zero (escrow::analyze
// checks conservation, solvency and liveness of the table when it is built).

#include <cstdint>

#include "base/result.hpp"
#include "escrow/rules.hpp"

namespace verdict::serving {

struct ServingParams {
  std::uint32_t k = 1;      // round size K: 1 <= K < 2^20
  std::uint32_t k1 = 1;     // contest size K1: 1 <= K1 <= K
  escrow::Amount z = 1;     // cost of one SNARK (> 0)
  escrow::Amount beta = 2;  // MP's bond in units of K*Z (>= 2)
  escrow::Amount eps = 0;   // the escrow's fee, per party (>= 0)
  std::int64_t funding_timeout_ms = 3'600'000;
  std::int64_t response_timeout_ms = 600'000;    // every stage where a party answers
  std::int64_t proving_timeout_ms = 86'400'000;  // MP proving K1 items
  std::int64_t verdict_timeout_ms = 3'600'000;   // the verifier's ruling
};

// Role indices in the serving rule set.
inline constexpr std::uint8_t kServingMp = 0;
inline constexpr std::uint8_t kServingMc = 1;
inline constexpr std::uint8_t kServingVerifier = 2;
inline constexpr std::uint32_t kMaxRoundSize = (1u << 20) - 1;

// The amounts of the table, overflow-checked.
struct ServingAmounts {
  escrow::Amount mp_bond = 0;      // B = beta*K*Z
  escrow::Amount mc_escrow = 0;    // C = 2*K*Z
  escrow::Amount contest_pay = 0;  // 2*K1*Z
};
// Errors name the parameter that is out of range or makes an amount overflow 64 bits.
Result<ServingAmounts> serving_amounts(const ServingParams& params);

// The rule set "serving/v1" for these parameters (passes escrow::analyze).
Result<escrow::RuleSet> serving_rule_set(const ServingParams& params);

}  // namespace verdict::serving
