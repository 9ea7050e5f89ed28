#pragma once
// Argument checks shared by the sizing rules (internal): every public function
// validates its inputs and answers an Error naming the argument and the value.

#include <cstdint>

#include "base/result.hpp"

namespace verdict::sizing {

// The largest N (or n) the module returns or accepts: 2^53, the last integer a double
// holds exactly. Every rule computes in double precision.
inline constexpr std::uint64_t kMaxSampleSize = std::uint64_t(1) << 53;

// OK iff 0 < x < 1 (NaN fails). `name` is the argument as the caller knows it.
Status check_open_unit(double x, const char* name);

// OK iff 1 <= n <= kMaxSampleSize.
Status check_trials(std::uint64_t n);

// The ceiling of a non-negative real sample-size bound x, or an Error when it exceeds
// kMaxSampleSize (`what` names the rule for the message).
Result<std::uint64_t> checked_ceil(double x, const char* what);

}  // namespace verdict::sizing
