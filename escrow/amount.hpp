#pragma once
// Money: signed 64-bit integers in a smallest unit, with overflow-checked arithmetic.
//
// A valid amount in a request is in [1, kMaxAmount]; balances are in [0, kMaxAmount]
// except the contra account "world" (money that entered from outside), which is in
// [-kMaxAmount, 0]. Because every movement is balanced, the sum of all balances is 0,
// and the sum of the non-world balances equals -world <= kMaxAmount, so no sum of
// balances can overflow either.

#include <cstdint>
#include <limits>
#include <optional>

namespace verdict::escrow {

using Amount = std::int64_t;
inline constexpr Amount kMaxAmount = std::numeric_limits<Amount>::max();

// nullopt on overflow.
inline std::optional<Amount> checked_add(Amount a, Amount b) {
  Amount r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<Amount> checked_sub(Amount a, Amount b) {
  Amount r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<Amount> checked_mul(Amount a, Amount b) {
  Amount r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

}  // namespace verdict::escrow
