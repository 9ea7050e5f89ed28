#pragma once
// poseidon_hash_many: a domain-separated Poseidon sponge hashing any number of Fr
// elements to one (commitments to packed model inputs with a salt, Merkle leaves of
// variable arity, ...).
//
// Construction (version 1). Width t = 5 with circomlib's constants (Poseidon<5>),
// capacity lane 0, rate lanes 1..4. For inputs m_0 .. m_{n-1}:
//   s = [tag(n), 0, 0, 0, 0]
//   tag(n) = the field element whose 32-byte big-endian encoding is
//            10 zero bytes || "verdict-sponge" (14 ASCII bytes) || n as 8 bytes big-endian,
//            i.e. D * 2^64 + n with D = 0x766572646963742d73706f6e6765 (< r, so no reduction)
//   for each chunk j = 0 .. ceil(n / 4) - 1:
//       s[1 + i] += m_{4j + i} for i = 0..3 (a missing element of the last chunk adds 0)
//       s = Poseidon<5>::permute(s)
//   if n = 0: s = Poseidon<5>::permute(s) once
//   output s[1]
//
// Why no padding is needed: n is bound into the capacity before anything is absorbed, so
// inputs of different lengths start from different states, and for a fixed length the
// absorbed chunks are determined by the input (zero-filling is then injective). [a] and
// [a, 0] differ because their tags differ. The tag is never 0, so no sponge state ever
// equals the state circomlib's poseidon([a, b, c, d]) starts from (capacity 0), and the
// two hashes are separated. Security: a sponge with capacity c = 1 field element (254
// bits) gives about 127-bit collision resistance, the same as circomlib's poseidon.
//
// In-circuit view: ceil(n/4) (at least 1) Poseidon<5> permutations chained through the
// state, the first starting from the public constant tag(n) in lane 0; absorption is
// linear (additions into lanes 1..4).
//
// Constant time in the values; the running time depends on n only.

#include <cstddef>
#include <cstdint>
#include <span>

#include "snark/field/fr.hpp"

namespace verdict::hash {

inline constexpr std::size_t kSpongeWidth = 5;
inline constexpr std::size_t kSpongeRate = 4;

// tag(n) of the construction above.
field::Fr poseidon_sponge_tag(std::uint64_t n);

// The sponge hash of any number of elements, including none.
field::Fr poseidon_hash_many(std::span<const field::Fr> inputs);

}  // namespace verdict::hash
