#pragma once
// The Grain LFSR of the Poseidon reference parameter script (generate_parameters_grain.sage,
// Grassi, Khovratovich, Rechberger, Roy, Schofnegger; "Poseidon", USENIX Security 2021,
// appendix F), used as a public, reproducible bit source for round constants and MDS
// matrices ("nothing up my sleeve").
//
// State: 80 bits b_0 .. b_79, initialised from the instance description, most
// significant bit first within each field:
//   field (2 bits: 0 = GF(2^n), 1 = GF(p)) | sbox (4 bits: 0 = x^alpha, 1 = x^-1) |
//   n (12 bits: bits per element) | t (12 bits) | R_F (10 bits) | R_P (10 bits) | 30 ones.
// Clocking: new bit = b_62 ^ b_51 ^ b_38 ^ b_23 ^ b_13 ^ b_0; the sequence shifts one
// place (b_0 leaves, the new bit becomes b_79). The first 160 clocks are discarded.
// Output (self-shrinking): clock twice, giving bits (a, b); if a = 1 output b, otherwise
// discard both and repeat.
//
// next_bits(k) reads k output bits as an unsigned integer, first bit most significant.

#include <array>
#include <cstdint>

#include "snark/field/bigint.hpp"

namespace verdict::poseidon_params {

struct GrainInstance {
  unsigned field = 1;           // 1: prime field
  unsigned sbox = 0;            // 0: x^alpha
  unsigned field_bits = 254;    // n
  unsigned width = 3;           // t
  unsigned full_rounds = 8;     // R_F
  unsigned partial_rounds = 57; // R_P
};

class GrainLfsr {
 public:
  explicit GrainLfsr(const GrainInstance& instance);

  // One output bit of the self-shrinking generator.
  bool next_bit();
  // k <= 256 output bits as an integer, the first bit most significant.
  field::Limbs next_bits(unsigned k);

 private:
  bool clock();

  std::array<std::uint8_t, 80> bits_{};  // circular: bits_[(head_ + i) % 80] is b_i
  unsigned head_ = 0;
};

}  // namespace verdict::poseidon_params
