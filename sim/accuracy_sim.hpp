#pragma once
// The accuracy-verification protocol (paper 5.2 and Appendix B; protocols/accuracy) in
// the simulator: MP, MC and the verifier machines against the real ledger with the
// rule set accuracy/v1.
//
// Parameters (a case's "params"): n1, n2, e, p, eps, z (a number, or "cost": Z is the
// cost model's price of one proof, rounded), target_num/target_den (the accuracy target
// a on the N2 proved examples, default 9/10), mp_stake (default the paper's 1000*N1*E),
// stake_rate_per_year (MP's cost of capital on the stake while a run lasts, default 0),
// input_bytes (size of an example, default 16), and the four timeouts of
// escrow::AccuracyParams (funding_timeout_ms, response_timeout_ms, proving_timeout_ms,
// verdict_timeout_ms). eps may also be "n1p" (eps = N1*P, the paper's griefing choice)
// or "n1p/99" (the paper's viability choice, rounded down).
//
// Strategies (a party's "strategy" and options):
//   mp: "honest"     inspects the N1 subset with its model and proceeds iff the subset's
//                    accuracy reaches proceed_threshold (default the target), proves the
//                    rest; options: accuracy (the model's per-example accuracy, default
//                    0.95), proceed_threshold, value_of_pass (what a pass is worth to MP
//                    off the ledger, e.g. a marketplace listing; default 0).
//       "invalid_proofs" / "prove_fails"  as honest, but its proofs do not verify / its
//                    prover fails (it aborts in the steps 5-6 row).
//       "lazy"       random predictions: accuracy 0.1 (10 classes); otherwise as honest.
//       "malicious"  wrong predictions: accuracy 0; otherwise as honest.
//       "sham_abort" griefs MC: aborts at step 4 without inspecting (Appendix B).
//       "blind"      proceeds without inspecting whatever the subset shows.
//   mc: "honest"     options: value_of_pass (what a verified model is worth to MC, off the
//                    ledger, default 0), bad_examples (B of its N examples are mislabelled:
//                    the griefing MC that makes a good model fail; default 0).
//       "grief"      as honest with bad_examples (required > 0).
//   verifier: "honest" only.
// Every role also takes the generic timeout_at / abort_at deviations (sim/bus.hpp).
// A Sybil MP (a case's "sybil": {"role": "mp", "identities": k, "until": "settled_pass"})
// retries with fresh identities until one passes; the closed forms then include both
// parties' expected payoffs over the whole sequence (protocol_sim.hpp SybilSpec).
//
// The SNARK in cost-model mode: a proof object carries the statement's public values
// (model commitment, the example's input commitment, the outputs the model produced) and
// placeholder proof bytes; verification answers what nn::verify would answer for that
// prover (valid for an honest prover, invalid for invalid_proofs). The prover pays
// CostModel::prove_cost() per proof and spends prove_seconds of virtual time on each;
// MC and the verifier pay verify_cost() per proof; MP pays inference_cost() per
// inspected example. Everything else (commitments, sealed batches, subsets, the escrow)
// is the real code.

#include "sim/protocol_sim.hpp"

namespace verdict::sim {

ProtocolInfo accuracy_protocol();

}  // namespace verdict::sim
