#pragma once
// Fq: the BN254 base field, over which G1 is defined (and Fq2/Fq6/Fq12 are built).
//   p = 21888242871839275222246405745257275088696311157297823662689037894645226208583
//     = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
// p = 3 mod 4, so square roots are a^((p+1)/4) and -1 is a non-residue.

#include "snark/field/montgomery_field.hpp"

namespace verdict::field {

struct FqParams {
  static constexpr const char* kName = "Fq";
  static constexpr Limbs kModulus = {0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029};
  static constexpr u64 kNonResidue = 3;
};

using Fq = MontgomeryField<FqParams>;

static_assert(Fq::kTwoAdicity == 1);

}  // namespace verdict::field
