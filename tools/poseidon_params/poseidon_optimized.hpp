#pragma once
// The optimised, equivalent form of a Poseidon permutation (Poseidon paper, appendix B;
// the same idea as circomlibjs poseidon_opt.js, derived here from scratch), precomputed
// by the generator so that the library needs no arithmetic at compile or start-up time.
//
// Reference form: for round k = 0 .. R-1 (R = R_F + R_P): ARK(c_k), S-box layer, MIX(M),
// with c_k = C[k t .. k t + t - 1]. Two exact identities rewrite it:
//
//  (1) Constants move across the linear layer: "M, then add c" equals "add M^-1 c, then
//      M". So the permutation is: add c_0; then for each round k: S-box layer; add d_k;
//      MIX(M), with d_k = M^-1 c_{k+1} and d_{R-1} = 0. In a partial round the S-box
//      touches lane 0 only, so lanes 1..t-1 of d_k commute with it and move one round
//      further back: for k from the last partial round down to the first,
//      d_{k-1} += M^-1 (0, d_k[1], .., d_k[t-1]) and d_k[1..] = 0. A partial round then
//      adds the single scalar d_k[0]; the last full round before them absorbs the rest.
//
//  (2) Write M = [[m00, v^T], [w, Mh]] with Mh the lower-right (t-1) x (t-1) block. A
//      matrix N = [[m00, v^T], [w', P]] with P invertible factors as N = S D, where
//      D = diag(1, P) and S = [[m00, v^T P^-1], [w', I]] is sparse. D does not touch lane
//      0, so it commutes with a partial round's S-box and scalar constant, and merges
//      into the previous round's matrix: N_prev = D M. Starting from N = M in the last
//      partial round, partial round r = 0 .. R_P-1 (with k = R_P - r) multiplies by
//        S_r = [[m00, v^T Mh^-k], [Mh^(k-1) w, I]]      (2t - 1 products instead of t^2)
//      and the last full round before the partial ones multiplies by diag(1, Mh^R_P) M.
//
// Optimised permutation (what snark/hash/poseidon.cpp runs):
//   s += initial
//   full rounds j = 0..R_F/2-1:   s[i] = s[i]^5 + full_first[j t + i];
//                                 s = M s  (j < R_F/2 - 1)  or  s = pre_sparse_mds s  (last)
//   partial rounds r = 0..R_P-1:  x = s[0]^5 + partial[r];
//                                 s[0] = row0_r . (x, s[1..]);  s[i] += col0_r[i-1] x  (i >= 1)
//                                 (row0_r = sparse[r (2t-1) .. + t-1],
//                                  col0_r = sparse[r (2t-1) + t .. + 2t-2])
//   full rounds j = 0..R_F/2-1:   s[i] = s[i]^5 (+ full_last[j t + i] if j < R_F/2 - 1);
//                                 s = M s

#include <vector>

#include "snark/field/fr.hpp"
#include "tools/poseidon_params/poseidon_params.hpp"

namespace verdict::poseidon_params {

struct OptimizedPoseidon {
  PoseidonInstance instance;
  std::vector<field::Fr> initial;         // t
  std::vector<field::Fr> full_first;      // (R_F/2) t
  std::vector<field::Fr> partial;         // R_P
  std::vector<field::Fr> full_last;       // (R_F/2 - 1) t
  std::vector<field::Fr> mds;             // t t, row-major (M itself)
  std::vector<field::Fr> pre_sparse_mds;  // t t, row-major diag(1, Mh^R_P) M
  std::vector<field::Fr> sparse;          // R_P (2t - 1)
};

OptimizedPoseidon derive_optimized_form(const PoseidonConstants& constants);

}  // namespace verdict::poseidon_params
