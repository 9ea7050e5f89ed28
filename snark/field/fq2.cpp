#include "snark/field/fq2.hpp"

namespace verdict::field {

std::optional<Fq2> Fq2::sqrt_vartime() const {
  if (is_zero()) return zero();
  // a1 = a^((p-3)/4), alpha = a1^2 a, x0 = a1 a; then
  //   alpha = -1      -> sqrt = u x0
  //   otherwise       -> sqrt = (1 + alpha)^((p-1)/2) x0
  constexpr Limbs p = Fq::kModulus;
  constexpr Limbs e1 = bigint::shr(Limbs{p[0] - 3, p[1], p[2], p[3]}, 2);
  constexpr Limbs e2 = bigint::shr1(Limbs{p[0] - 1, p[1], p[2], p[3]});
  Fq2 a1 = pow(e1);
  Fq2 alpha = a1.square() * *this;
  Fq2 x0 = a1 * *this;
  Fq2 root;
  if (alpha == -one()) {
    root = Fq2{-x0.c1, x0.c0};  // u * x0
  } else {
    root = (one() + alpha).pow(e2) * x0;
  }
  if (root.square() == *this) return root;
  return std::nullopt;
}

}  // namespace verdict::field
