#include "snark/field/bigint.hpp"

#include <algorithm>

namespace verdict::field::bigint {

std::optional<Limbs> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 78) return std::nullopt;
  Limbs v{};
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    u64 carry = u64(c - '0');
    for (int i = 0; i < 4; ++i) {
      u128 t = u128(v[i]) * 10 + carry;
      v[i] = u64(t);
      carry = u64(t >> 64);
    }
    if (carry != 0) return std::nullopt;
  }
  return v;
}

std::string to_decimal(const Limbs& a) {
  Limbs v = a;
  std::string out;
  while (!is_zero(v)) {
    u64 rem = 0;
    for (int i = 3; i >= 0; --i) {
      u128 cur = (u128(rem) << 64) | v[i];
      v[i] = u64(cur / 10);
      rem = u64(cur % 10);
    }
    out.push_back(char('0' + rem));
  }
  if (out.empty()) out = "0";
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace verdict::field::bigint
