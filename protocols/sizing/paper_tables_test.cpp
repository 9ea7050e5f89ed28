// The paper's Tables 3 and 4 recomputed: which rows match, which are off and by how
// much, and that every printed dollar figure is printed N times $0.10618.
#include "protocols/sizing/paper_tables.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "protocols/sizing/clopper_pearson.hpp"

namespace verdict::sizing {
namespace {

TEST(PaperTable3, RecomputedTwoSidedClopperPearson) {
  const auto rows = recompute_table3();
  // p = 5%: the printed 72 is the two-sided N (one-sided would be 59).
  EXPECT_EQ(rows[0].paper.n, 72u);
  EXPECT_EQ(rows[0].two_sided, 72u);
  EXPECT_EQ(rows[0].one_sided, 59u);
  // p = 2.5%: printed 183, which is the N for p = 2%; 146 suffices.
  EXPECT_EQ(rows[1].paper.n, 183u);
  EXPECT_EQ(rows[1].two_sided, 146u);
  EXPECT_EQ(rows[1].one_sided, 119u);
  EXPECT_EQ(zero_failure_sample_size(0.02, kPaperDelta, Sides::kTwo).value(), rows[1].paper.n);
  EXPECT_LT(rows[1].bound_at_paper_n, 0.02);
  // p = 1%: printed 366 = 2 * 183 falls 2 short; its bound is 1.0028%.
  EXPECT_EQ(rows[2].paper.n, 366u);
  EXPECT_EQ(rows[2].paper.n, 2 * rows[1].paper.n);
  EXPECT_EQ(rows[2].two_sided, 368u);
  EXPECT_EQ(rows[2].one_sided, 299u);
  EXPECT_GT(rows[2].bound_at_paper_n, 0.01);
  EXPECT_NEAR(rows[2].bound_at_paper_n, 0.010028, 5e-7);
  EXPECT_LE(rows[0].bound_at_paper_n, 0.05);
}

TEST(PaperTable4, RecomputedOneSidedHoeffding) {
  const auto rows = recompute_table4();
  EXPECT_EQ(rows[0].one_sided, 600u);
  EXPECT_EQ(rows[1].one_sided, 2397u);
  EXPECT_EQ(rows[2].one_sided, 14979u);
  EXPECT_EQ(rows[0].paper.n, rows[0].one_sided);
  EXPECT_EQ(rows[2].paper.n, rows[2].one_sided);
  // eps = 2.5%: printed 2396, one short; it gives delta = 5.004%.
  EXPECT_EQ(rows[1].paper.n + 1, rows[1].one_sided);
  EXPECT_GT(rows[1].delta_at_paper_n, kPaperDelta);
  EXPECT_NEAR(rows[1].delta_at_paper_n, 0.05004, 1e-5);
  EXPECT_LE(rows[0].delta_at_paper_n, kPaperDelta);
  EXPECT_LE(rows[2].delta_at_paper_n, kPaperDelta);
  // Two-sided would need ln(2/delta) instead of ln(1/delta): none of the printed values.
  EXPECT_EQ(rows[0].two_sided, 738u);
}

// Every printed cost is the printed N times one proof's cost c, rounded as printed (2 or
// 1 decimals). Together they pin c to [0.1061806, 0.1061853): $0.10618 to five places
// (72 * 0.10618 = 7.645 rounds to 7.64, not the printed 7.65: the paper's c is a hair
// above 0.10618).
TEST(PaperTables, CostsArePrintedNTimesOneProof) {
  double c_low = 0, c_high = 1;
  auto check = [&](const PaperRow& row, double half_unit) {
    c_low = std::max(c_low, (row.cost_dollars - half_unit) / double(row.n));
    c_high = std::min(c_high, (row.cost_dollars + half_unit) / double(row.n));
  };
  for (const PaperRow& row : kPaperTable3) check(row, 0.005);
  check(kPaperTable4[0], 0.005);
  check(kPaperTable4[1], 0.05);
  check(kPaperTable4[2], 0.05);
  EXPECT_NEAR(c_low, 0.1061806, 1e-7);   // 7.645 / 72
  EXPECT_NEAR(c_high, 0.1061853, 1e-7);  // 1590.55 / 14979
  EXPECT_LT(c_low, c_high);
  EXPECT_NEAR(kPaperCostPerProof, c_low, 1e-6);
  // One c inside the interval reproduces every printed figure.
  const double c = (c_low + c_high) / 2;
  for (const PaperRow& row : kPaperTable3) EXPECT_EQ(std::round(double(row.n) * c * 100) / 100, row.cost_dollars);
  EXPECT_EQ(std::round(double(kPaperTable4[0].n) * c * 100) / 100, kPaperTable4[0].cost_dollars);
  EXPECT_EQ(std::round(double(kPaperTable4[1].n) * c * 10) / 10, kPaperTable4[1].cost_dollars);
  EXPECT_EQ(std::round(double(kPaperTable4[2].n) * c * 10) / 10, kPaperTable4[2].cost_dollars);
}

}  // namespace
}  // namespace verdict::sizing
