#pragma once
// The paper's Tables 3 and 4 as printed (delta = 5%, costs for MobileNet v2 (0.35, 96)),
// and their recomputation with the rules of this module.
//
// Table 3 (verified predictions, retrieval): p, the bound on the fraction of tampered
// answers; N, the sample that must show no tampering (clopper_pearson.hpp, two-sided).
// Table 4 (accuracy within eps): N, the accuracy test's sample (hoeffding.hpp, one-sided).
// Every printed dollar figure is the printed N times one proof's cost c, with c in
// [0.1061806, 0.1061853): $0.10618 per proof. The dollar columns therefore inherit the
// errors of the N columns; recompute them as N * c with c a parameter.

#include <array>
#include <cstdint>

namespace verdict::sizing {

inline constexpr double kPaperDelta = 0.05;
// Dollars per proof (prove + verify) of MobileNet v2 (0.35, 96), recovered from the
// printed costs, which pin it to [0.1061806, 0.1061853) (7.645 / 72 to 1590.55 / 14979).
inline constexpr double kPaperCostPerProof = 0.10618;

struct PaperRow {
  double parameter;     // Table 3: p; Table 4: eps
  std::uint64_t n;      // printed sample size
  double cost_dollars;  // printed cost
};

inline constexpr std::array<PaperRow, 3> kPaperTable3{{{0.05, 72, 7.65}, {0.025, 183, 19.43}, {0.01, 366, 38.86}}};
inline constexpr std::array<PaperRow, 3> kPaperTable4{
    {{0.05, 600, 63.71}, {0.025, 2396, 254.4}, {0.01, 14979, 1590.5}}};

struct Table3Check {
  PaperRow paper;
  std::uint64_t one_sided = 0;  // zero_failure_sample_size(p, 5%, kOne)
  std::uint64_t two_sided = 0;  // zero_failure_sample_size(p, 5%, kTwo): the paper's rule
  // U(0, paper N), two-sided: the failure rate the printed N actually bounds.
  double bound_at_paper_n = 0;
};

struct Table4Check {
  PaperRow paper;
  std::uint64_t one_sided = 0;  // hoeffding_sample_size(eps, 5%, kOne): the paper's rule
  std::uint64_t two_sided = 0;  // hoeffding_sample_size(eps, 5%, kTwo)
  // exp(-2 eps^2 * paper N): the delta the printed N actually gives.
  double delta_at_paper_n = 0;
};

std::array<Table3Check, 3> recompute_table3();
std::array<Table4Check, 3> recompute_table4();

}  // namespace verdict::sizing
