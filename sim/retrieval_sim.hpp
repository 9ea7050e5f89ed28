#pragma once
// Trustless retrieval (paper 5.4; protocols/retrieval) in the simulator: the requester,
// responder and judge machines against the real ledger with the rule set retrieval/v1.
// The adapter plays strategies and answers the machines' work requests; every rule (the
// checks, the audit sample, the judge's ruling, the payouts) is the protocol's own code.
//
// Parameters (a case's "params"; defaults in brackets):
//   corpus_size     M, the documents the responder commits to                      [32]
//   audit_sample    N, the documents opened for the sample, 1 <= N <= M            [4]
//   positive_rate   the fraction of the corpus the model calls positive; the corpus
//                   holds round(positive_rate * M) positive documents              [0.125]
//   positive_class  terms.positive_class: a proof is positive iff the argmax of its
//                   output is this class, in [0, 255]              [1; real proofs: 8]
//   z               the price per proved document: a number, or "cost" for
//                   round(CostModel::prove_cost())                                 ["cost"]
//   bond            the responder's bond                                           [M * z]
//   eps             the escrow's fee per party                                     [10]
//   funding_timeout_ms, response_timeout_ms, proving_timeout_ms, judge_timeout_ms
//                   retrieval::RetrievalParams (1 h, 10 min, 24 h, 1 h)
//   input_size      bytes per document                                             [16]
//   delta           the confidence level of the tampered-fraction bound            [0.05]
//
// Strategies (a party's "strategy" and options; "timeout" and "abort" are honest
// strategies that only carry the generic deviations timeout_at / abort_at):
//   responder "honest"
//             "withhold"       hides `withhold` positive documents [1] from the requester;
//                              `disguise` says how:
//                                "junk" [default]: each is replaced in the committed corpus
//                                  by an unattested negative document; only the audit
//                                  sample can catch it;
//                                "duplicate": each is replaced by a copy of a genuine
//                                  negative document of the corpus; its attestation
//                                  verifies, so nothing catches it (the limitation stated
//                                  in protocols/retrieval/corpus.hpp);
//                                "none": the machine's withhold_positive deviation (the
//                                  proof says positive, the opening is left out): caught
//                                  by the Response check; withhold must be 1.
//             "junk"           `junk` [1] negative documents of the corpus carry no valid
//                              attestation (padding from outside the source).
//             "mismatch"       the machine's mismatch_opening deviation.
//             "invalid_proofs" `invalid` [M] of the proofs (the first documents') do not
//                              verify: the responder fakes them and saves their proving.
//   requester "honest"
//             "grief"          a false dispute of an honest response; `at`:
//                                "responded" [default]: its driver reports proof 0 as
//                                  invalid to its own machine, which disputes with that
//                                  claim before revealing the seed;
//                                "opened": it disputes (no claims sent) as soon as the
//                                  openings are posted, holding every positive document;
//                                  played through the generic abort deviation, so it
//                                  cannot be combined with abort_at.
//             The protocol gives a requester nothing else that costs the responder: the
//             responder proves only once both deposits are in, and a request it checked
//             and never funded is refunded in full (timeout_at "funding" plays that).
//   judge     "honest" only (a silent or colluding judge is a deviation: timeout_at,
//             abort_at "disputed" with abort_with "uphold").
// Options are checked strictly: an unknown key or a value out of range is an Error that
// names "<role>.<field>".
//
// The SNARK in cost-model mode: a proof object carries the statement's public values
// (the model commitment, the document's input commitment nn::input_commitment(x, salt),
// the model's output on x) and placeholder proof bytes, one marker for a proof an honest
// prover made and another for a faked one; nn::verify is modelled by that marker (the
// requester's and the judge's verifications answer what nn::verify would). The responder
// pays CostModel::prove_cost() per proof it makes (M, one per document, as the protocol
// requires; M - invalid when it fakes some) and spends prove_seconds of virtual time on
// each, so a proving time past proving_timeout_ms gets it slashed. The requester pays
// verify_cost() per proof of the Response; the judge's audit pays verify_cost() per proof
// it verifies (every proof of the Response it finds). Ed25519 attestations, Poseidon
// input commitments, Merkle trees, the audit sample and the escrow are the real code.
// The model is the test driver's: a document is positive iff the top bit of its first
// byte is clear (its proof's output has max(2, positive_class + 1) bytes, 200 at
// positive_class, else at class 0, or 1 when positive_class is 0).
//
// Real proofs (CaseSpec::real, `verdict sim --real-proofs`; sim/real_proofs.hpp): the
// corpus is the dataset's first M images, input_size is the model's input size, and a
// document is positive iff the argmax of the model's reference inference
// (nn::run_reference) is positive_class [8, the retrieval demo's: Bag]. input_size and
// positive_rate are refused (the positives are the model's); the checks that count
// positives count the model's (a strategy that needs one in a corpus without any is an
// Error). The cheats keep their meaning: withhold's "junk" disguise puts in each withheld
// positive's place an unattested image from past the corpus that the model calls
// negative (the first such; real_examples asks for M + 16 + 8 k images, k = withhold, at
// most the test split's 10,000); "duplicate" copies a genuine negative. The model
// commitment is the proving key's (the Request carries no keys: agreed out of band). The
// responder proves every document with nn::prove (hidden input, its salt, blinding from
// the OS CSPRNG) but the `invalid` faked ones, which carry the right public values and
// bytes nn::verify rejects (a proof made here with one byte flipped; random bytes if none
// is made); the requester's verification and the judge's audit call nn::verify.
// Proofs, verifications, failures and their measured time go to RealProofs::stats.
// Money and virtual time still come from the cost model, and the closed forms are
// computed with the model's positive count. Two caveats: the audit sample hashes the
// Response, whose proofs carry fresh blinding, so which documents a run samples differs
// between invocations (the sample stays uniform: the catch rates hold); and a scenario
// file is also checked in cost-model mode when it is loaded, so a withhold case needs
// round(0.125 M) >= withhold there as well.
//
// Per worker: the corpus (signed once), its salts, commitments and Merkle root (the
// responder machine is built once and copied per run) and the proofs are fixed; per run
// the requester draws its audit seed from the run's rng, which fixes a fresh session,
// hence a fresh escrow instance and an independent audit sample.
//
// Closed forms (closed_forms()): the audit sample's catch probability
// 1 - C(M - k, N) / C(M, N) (the sample is drawn from all M indices, so M' = M), the
// expected payoffs of every role, the honest responder's net M z - eps, the ledger loss
// a cheater risks, the judge's wasted audit per unit a griefing requester spends, and the
// tampered-fraction bounds after N clean samples (1 - (delta/2)^(1/N), two-sided as the
// paper's Table 3).

#include <cstdint>

#include "sim/protocol_sim.hpp"

namespace verdict::sim {

ProtocolInfo retrieval_protocol();

// 1 - C(m - k, n) / C(m, n): the probability that a uniform sample of n of m documents
// contains at least one of k bad ones (0 for k = 0, 1 when n > m - k). Requires n <= m,
// k <= m. The ratio of binomial coefficients is the product of min(k, n) factors, summed
// as logs with log1p (lgamma only past 2^22 factors: its differences at m near 2^20 lose
// nine digits), and 1 - P(miss) is taken through expm1, so small probabilities keep
// their precision.
double retrieval_catch_probability(std::uint64_t m, std::uint64_t k, std::uint64_t n);

// The largest tampered fraction that n clean samples leave at confidence delta:
// 1 - (delta/2)^(1/n) two-sided (the paper's Table 3), 1 - delta^(1/n) one-sided.
double retrieval_tampered_bound(std::uint64_t n, double delta, bool two_sided);

}  // namespace verdict::sim
