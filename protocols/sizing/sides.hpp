#pragma once
// One- and two-sided confidence statements, shared by every sample-size rule here.
//
// A one-sided statement at confidence 1 - delta puts all of delta in one tail ("the
// failure rate is below p", "the accuracy is at least a' - eps"). A two-sided statement
// bounds both tails, delta/2 each (equal-tailed), so each of its halves is a one-sided
// statement at confidence 1 - delta/2. That is why a two-sided N at delta is the
// one-sided N at delta/2 for every rule in this module.

#include <string_view>

namespace verdict::sizing {

enum class Sides { kOne, kTwo };

// The probability allowed in one tail: delta (one-sided) or delta/2 (two-sided).
constexpr double tail_delta(double delta, Sides sides) { return sides == Sides::kTwo ? delta / 2 : delta; }

constexpr std::string_view to_string(Sides sides) { return sides == Sides::kTwo ? "two-sided" : "one-sided"; }

}  // namespace verdict::sizing
