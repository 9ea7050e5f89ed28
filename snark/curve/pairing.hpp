#pragma once
// The optimal ate pairing e: G1 x G2 -> GT on BN254, as in EIP-197.
//
// Miller loop over the signed-digit (NAF) expansion of 6u + 2, with G2 in homogeneous
// projective coordinates and line functions evaluated at the G1 point as sparse Fq12
// elements (Costello-Lange-Naehrig / Aranha et al. "Faster explicit formulas for
// computing pairings over ordinary curves", D-type twist), then the two extra lines
// through pi(Q) and -pi^2(Q). Final exponentiation f^((p^12 - 1)/r): easy part
// (p^6 - 1)(p^2 + 1) by conjugation, inversion and Frobenius, hard part by the
// Fuentes-Castaneda et al. chain in u with cyclotomic squarings. The chain computes a
// fixed power, coprime to r, of the textbook reduced pairing; bilinearity and the
// "product equals one" checks that verifiers use are unaffected.
//
// G2Prepared holds the line coefficients of a fixed G2 point so that verifiers that
// pair against the same G2 points (KZG's [1]_2 and [tau]_2) skip that work.
// Everything here operates on public data and is variable time.

#include <span>
#include <utility>
#include <vector>

#include "snark/curve/g1.hpp"
#include "snark/curve/g2.hpp"
#include "snark/field/fq12.hpp"

namespace verdict::curve {

using field::Fq12;

struct G2Prepared {
  struct Line {
    Fq2 c0, c1, c2;  // line coefficients; evaluated at P as (c0 * P.y, c1 * P.x, c2)
  };
  std::vector<Line> lines;  // empty for the identity
  bool infinity = true;

  static G2Prepared from(const G2Affine& q);
};

Fq12 miller_loop(std::span<const std::pair<G1Affine, const G2Prepared*>> pairs);
Fq12 final_exponentiation(const Fq12& f);

// e(p, q).
Fq12 pairing(const G1Affine& p, const G2Affine& q);

// Whether prod_i e(p_i, q_i) = 1, with one shared final exponentiation.
bool pairing_product_is_one(std::span<const std::pair<G1Affine, G2Affine>> pairs);
bool pairing_product_is_one(std::span<const std::pair<G1Affine, const G2Prepared*>> pairs);

}  // namespace verdict::curve
