#include "snark/curve/g1.hpp"

#include <algorithm>

namespace verdict::curve {

std::array<std::uint8_t, 64> G1Config::encode_uncompressed(const G1Affine& p) { return g1_to_bytes_uncompressed(p); }

std::array<std::uint8_t, 64> g1_to_bytes_uncompressed(const G1Affine& p) {
  std::array<std::uint8_t, 64> out{};
  if (p.infinity) return out;
  auto x = p.x.to_bytes_be(), y = p.y.to_bytes_be();
  std::copy(x.begin(), x.end(), out.begin());
  std::copy(y.begin(), y.end(), out.begin() + 32);
  return out;
}

std::array<std::uint8_t, 32> g1_to_bytes_compressed(const G1Affine& p) {
  std::array<std::uint8_t, 32> out{};
  if (p.infinity) {
    out[0] = 0x80;
    return out;
  }
  out = p.x.to_bytes_be();
  if (p.y.is_lexicographically_largest()) out[0] |= 0x40;
  return out;
}

Result<G1Affine> g1_from_bytes_uncompressed(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kG1UncompressedBytes)
    return Error{"G1 point must be 64 bytes, got " + std::to_string(bytes.size())};
  if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; })) return G1Affine::identity();
  auto x = Fq::from_bytes_be(bytes.subspan(0, 32));
  if (!x.ok()) return x.error().context("G1 x coordinate");
  auto y = Fq::from_bytes_be(bytes.subspan(32, 32));
  if (!y.ok()) return y.error().context("G1 y coordinate");
  G1Affine p = G1Affine::from_xy_unchecked(*x, *y);
  if (!p.is_on_curve()) return Error{"G1 point not on curve"};
  return p;
}

Result<G1Affine> g1_from_x(const Fq& x, bool y_largest) {
  auto y = (x.square() * x + G1Config::b()).sqrt_vartime();
  if (!y) return Error{"G1 x coordinate is not on the curve"};
  Fq yy = (y->is_lexicographically_largest() == y_largest) ? *y : -*y;
  return G1Affine::from_xy_unchecked(x, yy);
}

Result<G1Affine> g1_from_bytes_compressed(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kG1CompressedBytes)
    return Error{"compressed G1 point must be 32 bytes, got " + std::to_string(bytes.size())};
  std::uint8_t flags = bytes[0] & 0xc0;
  if (flags & 0x80) {
    bool rest_zero = (bytes[0] & 0x7f) == 0 &&
                     std::all_of(bytes.begin() + 1, bytes.end(), [](std::uint8_t b) { return b == 0; });
    if (!rest_zero) return Error{"compressed G1 identity has non-zero bits"};
    return G1Affine::identity();
  }
  std::array<std::uint8_t, 32> xb{};
  std::copy(bytes.begin(), bytes.end(), xb.begin());
  xb[0] &= 0x3f;
  auto x = Fq::from_bytes_be(xb);
  if (!x.ok()) return x.error().context("compressed G1 x coordinate");
  return g1_from_x(*x, (flags & 0x40) != 0);
}

}  // namespace verdict::curve
