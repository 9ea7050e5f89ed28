#pragma once
// G2 of BN254: the order-r subgroup of the sextic D-type twist E'(Fq2):
// y^2 = x^3 + 3/xi with xi = 9 + u. The twist's cofactor is not 1, so every decoder
// checks subgroup membership as well as the curve equation.
//
// Encodings (docs/formats.md, "Curve points"), Fq2 elements written imaginary part
// first as in EIP-197:
//   uncompressed, 128 bytes: x.c1 || x.c0 || y.c1 || y.c0, 32-byte big-endian each;
//     the identity is 128 zero bytes.
//   compressed, 64 bytes: x.c1 || x.c0 with flags in the two top bits of byte 0:
//     0x80 = identity (all other bits zero), 0x40 = y is lexicographically largest.
//
// Subgroup check: with psi the untwist-Frobenius-twist endomorphism, a point P of
// E'(Fq2) is in G2 iff [u+1]P + psi([u]P) + psi^2([u]P) = psi^3([2u]P), u the BN
// parameter (El Housni, Guillevic, Piellard, eprint 2022/348). g2_test.cpp checks this
// against the definition [r]P = 0 on points inside and outside the subgroup.

#include <array>
#include <cstdint>
#include <span>

#include "base/result.hpp"
#include "snark/curve/point.hpp"
#include "snark/field/fq12.hpp"

namespace verdict::curve {

using field::Fq;
using field::Fq2;

struct G2Config {
  using Base = Fq2;
  static std::array<std::uint8_t, 128> encode_uncompressed(const AffinePoint<G2Config>& p);
  static constexpr Fq2 b() { return kB; }
  static constexpr Fq2 generator_x() {
    return {Fq::from_canonical_unchecked({0x46debd5cd992f6ed, 0x674322d4f75edadd, 0x426a00665e5c4479, 0x1800deef121f1e76}),
            Fq::from_canonical_unchecked({0x97e485b7aef312c2, 0xf1aa493335a9e712, 0x7260bfb731fb5d25, 0x198e9393920d483a})};
  }
  static constexpr Fq2 generator_y() {
    return {Fq::from_canonical_unchecked({0x4ce6cc0166fa7daa, 0xe3d1e7690c43d37b, 0x4aab71808dcb408f, 0x12c85ea5db8c6deb}),
            Fq::from_canonical_unchecked({0x55acdadcd122975b, 0xbc4b313370b38ef3, 0xec9e99ad690c3395, 0x090689d0585ff075})};
  }
  // b' = 3 / xi, derived at compile time.
  static constexpr Fq2 kB = Fq2{Fq::from_u64(3), Fq::zero()} * Fq2::xi().inverse();
};

using G2Affine = AffinePoint<G2Config>;
using G2 = JacobianPoint<G2Config>;

// The BN parameter u (x0): p and r are polynomials in it.
inline constexpr std::uint64_t kBnU = 4965661367192848881ull;

inline constexpr std::size_t kG2UncompressedBytes = 128;
inline constexpr std::size_t kG2CompressedBytes = 64;

// psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)): the p-power Frobenius
// carried to the twist. On G2 it acts as multiplication by p mod r.
G2Affine g2_psi(const G2Affine& p);
G2 g2_psi(const G2& p);

// Requires p on the curve. Fast endomorphism-based test (see file comment).
bool g2_in_subgroup_vartime(const G2& p);

std::array<std::uint8_t, 128> g2_to_bytes_uncompressed(const G2Affine& p);
std::array<std::uint8_t, 64> g2_to_bytes_compressed(const G2Affine& p);
Result<G2Affine> g2_from_bytes_uncompressed(std::span<const std::uint8_t> bytes);
Result<G2Affine> g2_from_bytes_compressed(std::span<const std::uint8_t> bytes);
// Checks curve equation and subgroup membership of coordinates already decoded.
Result<G2Affine> g2_from_coordinates(const Fq2& x, const Fq2& y);

}  // namespace verdict::curve
