#pragma once
// The accuracy-verification escrow of the paper's Appendix B, as recomputed in
// shared/PROTOCOLS.md section 2 (docs/escrow.md has the full table and the decisions).
//
// Roles: mp (model provider), mc (model consumer), verifier (the party whose signed
// claim carries the outcome of the SNARK and key checks; protocols/ decides, the escrow
// only enforces who may claim what and when). Each of mp and mc deposits 2NE + eps; the
// eps of each goes to the escrow's fee account when funding completes (refunded in full
// if funding never completes). Payouts, with X = N1*P and Y = 2(N1*P + N2*Z):
//
//   terminal stage        row of the table                          MC gets   MP gets
//   settled_refund        nobody at fault (MP silent before the      2NE       2NE
//                         subset, verifier silent)
//   settled_mc_withheld   step 3: MC withholds the subset            0         4NE
//   settled_mc_slashed    MC silent/aborting later, or a key         0         4NE
//                         contest upheld
//   settled_mp_aborted    step 4: MP aborts (or is silent) after     2NE - X   2NE + X
//                         seeing the subset
//   settled_mp_slashed    steps 5-6: MP aborts, times out, submits   4NE       0
//                         an invalid SNARK, or contests falsely
//   settled_pass          step 7: target met                         2NE - Y   2NE + Y
//   settled_fail          step 7: target missed                      4NE       0
//
// In every row MC + MP = 4NE and the escrow keeps 2 eps. Solvency needs
// N1*P + N2*Z <= N*E (else Y > 2NE); accuracy_rule_set() rejects parameters that
// break it. Every SNARK-free transfer of data follows the Appendix B sub-protocol:
// MC posts the hash of the encrypted data (send_*), MP acknowledges (ack_*), MC
// publishes the key (publish_*_key), and MP may contest the key (contest_*_key), which
// the verifier upholds or dismisses.

#include <cstdint>
#include <optional>

#include "base/result.hpp"
#include "escrow/rules.hpp"

namespace verdict::escrow {

struct AccuracyParams {
  std::int64_t n1 = 0;  // size of the subset MP inspects (>= 0; 0 is the simple form of 5.2: no subset, no stake)
  std::int64_t n2 = 0;  // number of proved examples (>= 1)
  Amount e = 0;         // escrow unit per example (> 0)
  Amount p = 0;         // price of inspecting one example (>= 0)
  Amount z = 0;         // cost of one SNARK (>= 0)
  Amount eps = 0;       // the escrow service's fee, per party (>= 0)
  // Minimum stake of MP at deposit; nullopt means the paper's 1000 * N1 * E.
  std::optional<Amount> mp_min_stake;
  std::int64_t funding_timeout_ms = 3'600'000;
  std::int64_t response_timeout_ms = 600'000;    // every stage where a party must answer
  std::int64_t proving_timeout_ms = 86'400'000;  // MP proving N2 examples
  std::int64_t verdict_timeout_ms = 3'600'000;   // the verifier's ruling
};

// Role indices in the accuracy rule set.
inline constexpr std::uint8_t kAccuracyMp = 0;
inline constexpr std::uint8_t kAccuracyMc = 1;
inline constexpr std::uint8_t kAccuracyVerifier = 2;

// The accuracy rule set "accuracy/v1" for these parameters; an error names a parameter
// that is out of range, overflows, or breaks solvency.
Result<RuleSet> accuracy_rule_set(const AccuracyParams& params);

}  // namespace verdict::escrow
