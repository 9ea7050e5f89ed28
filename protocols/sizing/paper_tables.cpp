#include "protocols/sizing/paper_tables.hpp"

#include <cmath>

#include "protocols/sizing/clopper_pearson.hpp"
#include "protocols/sizing/hoeffding.hpp"

namespace verdict::sizing {

// The rows are constants inside every rule's domain: a failure here is a programming
// error, hence value() (which asserts).

std::array<Table3Check, 3> recompute_table3() {
  std::array<Table3Check, 3> out;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const PaperRow& row = kPaperTable3[i];
    out[i] = {row, zero_failure_sample_size(row.parameter, kPaperDelta, Sides::kOne).value(),
              zero_failure_sample_size(row.parameter, kPaperDelta, Sides::kTwo).value(),
              clopper_pearson_upper(0, row.n, kPaperDelta, Sides::kTwo).value()};
  }
  return out;
}

std::array<Table4Check, 3> recompute_table4() {
  std::array<Table4Check, 3> out;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const PaperRow& row = kPaperTable4[i];
    const double eps = row.parameter;
    out[i] = {row, hoeffding_sample_size(eps, kPaperDelta, Sides::kOne).value(),
              hoeffding_sample_size(eps, kPaperDelta, Sides::kTwo).value(),
              std::exp(-2 * eps * eps * static_cast<double>(row.n))};
  }
  return out;
}

}  // namespace verdict::sizing
