#pragma once
// Verified prediction serving (paper 5.3; protocols/serving) in the simulator: one run is
// one round of K predictions, played by the real ServingMpMachine, ServingMcMachine and
// ServingVerifierMachine against the real ledger with the rule set serving/v1
// (protocols/serving/rules.hpp has the table). The adapter decides nothing about the
// money: it plays each party's driver (what MP predicts and proves, whether MC contests,
// what it feeds its machine) and answers the machines' work requests.
//
// Parameters (a case's "params", every one optional):
//   k (16), k1 (2), beta (2), eps (100) ServingParams: round size K, contest size K1, MP's
//                                       bond in units of K*Z, the escrow fee per party;
//   z ("cost")                          the price of one SNARK: a number, or "cost" for the
//                                       cost model's proving cost rounded to a unit;
//   funding_timeout_ms, response_timeout_ms, proving_timeout_ms, verdict_timeout_ms
//                                       (ServingParams' defaults);
//   classes (10)                        the model's output classes: an output is one byte,
//                                       the class; a random guess is right with 1/classes.
// Each deposit (beta*K*Z + eps, 2*K*Z + eps) is at most 2^40 units: a worker's float
// (2^60 per party) covers 2^20 runs of losing it, and a run that would find it short is
// an Error, never a silently unfunded round.
//
// Strategies (a party's "strategy" and its options; "timeout" and "abort" are honest
// drivers whose deviation, timeout_at or abort_at/abort_with, does the rest):
//   mp: "honest"     predicts with the model, proves what it posted.
//       "lazy"       predicts a uniformly random class for every input, runs no model.
//       "malicious"  option wrong (default 1, in [0, K]): posts a wrong class for that
//                    many inputs (positions uniform per run), runs the model on the rest.
//       lazy and malicious take invalid_proofs (default false): their prover's proofs do
//       not verify (a broken prover, or a forgery of the posted outputs); they submit
//       them when contested. Without it, a contested lazy or malicious MP proves only
//       when every contested item is right (a SNARK of a wrong output cannot be made) and
//       otherwise gives up at no cost (the proving deadline slashes it, as an invalid
//       bundle would).
//   mc: "honest"     option contest_rate (default 1, in [0, 1]): contests (reveals its
//                    seed, K1 uniform items) with that probability per round, else closes.
//       "grief"      option mode: "contest" (default; contests every round whatever the
//                    rate: MP must prove K1 items), "withhold" (takes MP's predictions but
//                    its driver never feeds them to its machine: no transcript, the round
//                    closes with refunds and MP's inference is wasted), "bad_inputs"
//                    (sends inputs that do not open the digest it posted: MP rejects them,
//                    both lose eps).
//       both take value_per_prediction and loss_per_wrong (default 0, units): what a
//       right prediction MC uses is worth to it and what a wrong one costs it, off the
//       ledger. MC uses the predictions it received unless the round slashes MP (it then
//       discards them); the net value is subtracted from MC's cost, so its payoff counts it.
//   verifier: "honest" only.
//
// The SNARK in cost-model mode: no proof is made or checked. A proof object carries the
// statement's real public values (the model commitment, the input commitment ic_i from
// the input and MC's salt, the claimed output) and, as its proof bytes, a stand-in that
// binds those values: SHA-256 over them, which only the honest prover path produces and
// only for the model's true output on the input. Verification recomputes the stand-in,
// answering what nn::verify would answer (sound: no valid proof of a wrong output; an
// invalid_proofs prover's proofs never verify). Costs come from the CostModel: the
// prover pays prove_cost() per proof and spends prove_seconds of virtual time on each
// (so proving can run past the proving deadline), MC and the verifier each pay
// verify_cost() per proof verified and spend verify_seconds on it, MP pays
// inference_cost() per input it runs the model on and spends inference_seconds on it.
// The model itself is a stand-in too: its class for an input is a SHA-256 of the input
// modulo `classes`. Everything else (sessions, commitments, transcripts, the contested
// subset, the escrow) is the real code.
//
// With real proofs (CaseSpec::real, `verdict sim --real-proofs`): MC's K inputs are the
// dataset's first K images and an output is the model's output tensor (integer
// reference inference; no `classes`). A lazy MP posts random bytes of that size, a
// malicious one the tensor with its argmax moved. A contested MP proves with nn::prove
// (hidden input, MC's salt, blinding from the OS CSPRNG); a bundle for an item it posted
// wrong claims the posted output (a forgery), and invalid_proofs flips a byte of every
// proof; MC and the verifier check with nn::verify. Money and virtual time still come
// from the cost model, so reports stay reproducible; the measured seconds go to
// RealProofs::stats.

#include "sim/protocol_sim.hpp"

namespace verdict::sim {

ProtocolInfo serving_protocol();

}  // namespace verdict::sim
