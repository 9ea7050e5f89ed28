#include "snark/curve/g2.hpp"

#include <algorithm>

namespace verdict::curve {

namespace {
// xi^((p-1)/3) and xi^((p-1)/2), from the tower's Frobenius factor gamma = xi^((p-1)/6).
constexpr Fq2 kPsiX = field::detail::kFrobeniusGamma[1].square();
constexpr Fq2 kPsiY = field::detail::kFrobeniusGamma[1].square() * field::detail::kFrobeniusGamma[1];

Result<Fq2> decode_fq2_be(std::span<const std::uint8_t> b, const char* what) {
  auto c1 = Fq::from_bytes_be(b.subspan(0, 32));
  if (!c1.ok()) return c1.error().context(std::string(what) + " imaginary part");
  auto c0 = Fq::from_bytes_be(b.subspan(32, 32));
  if (!c0.ok()) return c0.error().context(std::string(what) + " real part");
  return Fq2{*c0, *c1};
}
void encode_fq2_be(const Fq2& v, std::uint8_t* out) {
  auto c1 = v.c1.to_bytes_be(), c0 = v.c0.to_bytes_be();
  std::copy(c1.begin(), c1.end(), out);
  std::copy(c0.begin(), c0.end(), out + 32);
}
}  // namespace

G2Affine g2_psi(const G2Affine& p) {
  if (p.infinity) return p;
  return G2Affine::from_xy_unchecked(p.x.conjugate() * kPsiX, p.y.conjugate() * kPsiY);
}

G2 g2_psi(const G2& p) {
  // psi is a group homomorphism given by a map on coordinates that commutes with the
  // Jacobian scaling up to Frobenius: (X, Y, Z) -> (conj(X) kPsiX, conj(Y) kPsiY, conj(Z)).
  return {p.X.conjugate() * kPsiX, p.Y.conjugate() * kPsiY, p.Z.conjugate()};
}

bool g2_in_subgroup_vartime(const G2& p) {
  if (p.is_identity()) return true;
  G2 xp = p.mul_u64_vartime(kBnU);                      // [u]P
  G2 lhs = xp + p + g2_psi(xp) + g2_psi(g2_psi(xp));   // [u+1]P + psi([u]P) + psi^2([u]P)
  G2 rhs = g2_psi(g2_psi(g2_psi(xp.dbl())));           // psi^3([2u]P)
  return lhs == rhs;
}

std::array<std::uint8_t, 128> G2Config::encode_uncompressed(const G2Affine& p) { return g2_to_bytes_uncompressed(p); }

std::array<std::uint8_t, 128> g2_to_bytes_uncompressed(const G2Affine& p) {
  std::array<std::uint8_t, 128> out{};
  if (p.infinity) return out;
  encode_fq2_be(p.x, out.data());
  encode_fq2_be(p.y, out.data() + 64);
  return out;
}

std::array<std::uint8_t, 64> g2_to_bytes_compressed(const G2Affine& p) {
  std::array<std::uint8_t, 64> out{};
  if (p.infinity) {
    out[0] = 0x80;
    return out;
  }
  encode_fq2_be(p.x, out.data());
  if (p.y.is_lexicographically_largest()) out[0] |= 0x40;
  return out;
}

Result<G2Affine> g2_from_coordinates(const Fq2& x, const Fq2& y) {
  G2Affine p = G2Affine::from_xy_unchecked(x, y);
  if (!p.is_on_curve()) return Error{"G2 point not on the twist curve"};
  if (!g2_in_subgroup_vartime(G2::from_affine(p))) return Error{"G2 point not in the order-r subgroup"};
  return p;
}

Result<G2Affine> g2_from_bytes_uncompressed(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kG2UncompressedBytes)
    return Error{"G2 point must be 128 bytes, got " + std::to_string(bytes.size())};
  if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; })) return G2Affine::identity();
  auto x = decode_fq2_be(bytes.subspan(0, 64), "G2 x");
  if (!x.ok()) return x.error();
  auto y = decode_fq2_be(bytes.subspan(64, 64), "G2 y");
  if (!y.ok()) return y.error();
  return g2_from_coordinates(*x, *y);
}

Result<G2Affine> g2_from_bytes_compressed(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kG2CompressedBytes)
    return Error{"compressed G2 point must be 64 bytes, got " + std::to_string(bytes.size())};
  std::uint8_t flags = bytes[0] & 0xc0;
  if (flags & 0x80) {
    bool rest_zero = (bytes[0] & 0x7f) == 0 &&
                     std::all_of(bytes.begin() + 1, bytes.end(), [](std::uint8_t b) { return b == 0; });
    if (!rest_zero) return Error{"compressed G2 identity has non-zero bits"};
    return G2Affine::identity();
  }
  std::array<std::uint8_t, 64> xb{};
  std::copy(bytes.begin(), bytes.end(), xb.begin());
  xb[0] &= 0x3f;
  auto x = decode_fq2_be(xb, "compressed G2 x");
  if (!x.ok()) return x.error();
  auto y = (x->square() * *x + G2Config::b()).sqrt_vartime();
  if (!y) return Error{"compressed G2 x coordinate is not on the twist curve"};
  Fq2 yy = (y->is_lexicographically_largest() == ((flags & 0x40) != 0)) ? *y : -*y;
  if (!g2_in_subgroup_vartime(G2{*x, yy, Fq2::one()})) return Error{"G2 point not in the order-r subgroup"};
  return G2Affine::from_xy_unchecked(*x, yy);
}

}  // namespace verdict::curve
