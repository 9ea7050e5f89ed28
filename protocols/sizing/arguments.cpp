#include "protocols/sizing/arguments.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace verdict::sizing {

Status check_open_unit(double x, const char* name) {
  if (x > 0 && x < 1) return Status::ok_status();
  std::ostringstream msg;
  msg << name << " must be in (0, 1), got " << x;
  return Error{msg.str()};
}

Status check_trials(std::uint64_t n) {
  if (n >= 1 && n <= kMaxSampleSize) return Status::ok_status();
  std::ostringstream msg;
  msg << "the number of trials must be in [1, 2^53], got " << n;
  return Error{msg.str()};
}

Result<std::uint64_t> checked_ceil(double x, const char* what) {
  if (!(x >= 0) || x > static_cast<double>(kMaxSampleSize)) {
    std::ostringstream msg;
    msg << what << ": the sample size " << x << " exceeds 2^53";
    return Error{msg.str()};
  }
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(x)));
}

}  // namespace verdict::sizing
