#pragma once
// Summaries of Monte Carlo samples: the mean with a Student-t confidence interval, and a
// proportion with its exact (Clopper-Pearson) interval. Sums run in index order, so a
// summary depends only on the samples, never on how threads produced them.

#include <cstdint>
#include <span>

namespace verdict::sim {

// The level of the intervals the reports print, and the stricter one against which a
// closed form is said to agree (many closed forms are compared; at 95% one in twenty
// correct formulas would be flagged by chance).
inline constexpr double kReportConfidence = 0.95;
inline constexpr double kAgreementConfidence = 0.999;

struct Summary {
  std::uint64_t n = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (0 for n < 2)
  double min = 0;
  double max = 0;
  double half_width(double confidence) const;  // of the t interval for the mean
};
Summary summarize(std::span<const double> xs);

struct Proportion {
  std::uint64_t k = 0;
  std::uint64_t n = 0;
  double p() const { return n ? static_cast<double>(k) / static_cast<double>(n) : 0; }
};
// The two-sided Clopper-Pearson interval at `confidence` ([0, 1] when n = 0).
void proportion_interval(const Proportion& x, double confidence, double& low, double& high);

}  // namespace verdict::sim
