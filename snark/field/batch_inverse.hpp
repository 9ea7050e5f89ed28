#pragma once
// Montgomery's batch inversion: n inverses for one field inversion and 3(n-1)
// multiplications. Zero entries are left as zero (they are skipped, not inverted).

#include <span>
#include <vector>

namespace verdict::field {

template <class F>
void batch_inverse(std::span<F> values) {
  std::vector<F> prefix(values.size());
  F acc = F::one();
  for (std::size_t i = 0; i < values.size(); ++i) {
    prefix[i] = acc;
    if (!values[i].is_zero()) acc *= values[i];
  }
  F inv = acc.inverse();
  for (std::size_t i = values.size(); i-- > 0;) {
    if (values[i].is_zero()) continue;
    F v = values[i];
    values[i] = inv * prefix[i];
    inv *= v;
  }
}

}  // namespace verdict::field
