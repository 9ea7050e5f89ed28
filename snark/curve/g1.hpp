#pragma once
// G1 of BN254: E(Fq): y^2 = x^3 + 3, prime order r (cofactor 1), generator (1, 2).
//
// Encodings (docs/formats.md, "Curve points"):
//   uncompressed, 64 bytes: x || y, each 32-byte big-endian canonical Fq; the identity
//     is 64 zero bytes. This is the Ethereum precompile (EIP-196) encoding.
//   compressed, 32 bytes: x big-endian with the two top bits (always zero in x since
//     p < 2^254) used as flags: 0x80 = identity (all other bits zero), 0x40 = y is the
//     lexicographically largest of {y, -y}.
// Every decoder checks canonical coordinates and the curve equation; with cofactor 1
// that also places the point in the order-r group. Bad input is an Error naming what
// failed, never a crash.

#include <array>
#include <cstdint>
#include <span>

#include "base/result.hpp"
#include "snark/curve/point.hpp"
#include "snark/field/fq.hpp"

namespace verdict::curve {

using field::Fq;

struct G1Config {
  using Base = Fq;
  static std::array<std::uint8_t, 64> encode_uncompressed(const AffinePoint<G1Config>& p);
  static constexpr Fq b() { return Fq::from_u64(3); }
  static constexpr Fq generator_x() { return Fq::from_u64(1); }
  static constexpr Fq generator_y() { return Fq::from_u64(2); }
};

using G1Affine = AffinePoint<G1Config>;
using G1 = JacobianPoint<G1Config>;

inline constexpr std::size_t kG1UncompressedBytes = 64;
inline constexpr std::size_t kG1CompressedBytes = 32;

std::array<std::uint8_t, 64> g1_to_bytes_uncompressed(const G1Affine& p);
std::array<std::uint8_t, 32> g1_to_bytes_compressed(const G1Affine& p);
Result<G1Affine> g1_from_bytes_uncompressed(std::span<const std::uint8_t> bytes);
Result<G1Affine> g1_from_bytes_compressed(std::span<const std::uint8_t> bytes);

// The point with this x and the y of the requested sign, if x is on the curve.
Result<G1Affine> g1_from_x(const Fq& x, bool y_largest);

}  // namespace verdict::curve
