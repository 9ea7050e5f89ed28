#pragma once
// Fr: the BN254 scalar field, the order r of G1, G2 and GT.
//   r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
//     = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001
// r - 1 = 2^28 * t (2-adicity 28); 5 is the smallest quadratic non-residue, and the
// primitive 2^k-th root of unity is w_k = 5^((r-1)/2^k), the snarkjs/ffjavascript
// convention (so Lagrange SRS points from .ptau files line up with our domains).

#include "snark/field/montgomery_field.hpp"

namespace verdict::field {

struct FrParams {
  static constexpr const char* kName = "Fr";
  static constexpr Limbs kModulus = {0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029};
  static constexpr u64 kNonResidue = 5;
};

using Fr = MontgomeryField<FrParams>;

static_assert(Fr::kTwoAdicity == 28);

}  // namespace verdict::field
