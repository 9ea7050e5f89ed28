#include "protocols/common/sample.hpp"

#include <algorithm>
#include <numeric>

#include "base/rng.hpp"

namespace verdict::protocols {

std::vector<std::uint32_t> sample_indices(const std::array<std::uint8_t, 32>& key, std::uint32_t n,
                                          std::uint32_t k) {
  ChaChaRng rng(key);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  for (std::uint32_t i = 0; i < k && i < n; ++i) {
    const auto j = i + static_cast<std::uint32_t>(rng.uniform(n - i));
    std::swap(order[i], order[j]);
  }
  order.resize(std::min(k, n));
  std::sort(order.begin(), order.end());
  return order;
}

std::vector<std::uint32_t> complement(const std::vector<std::uint32_t>& sorted, std::uint32_t n) {
  std::vector<std::uint32_t> out;
  out.reserve(n - std::min<std::size_t>(n, sorted.size()));
  std::size_t j = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (j < sorted.size() && sorted[j] == i) {
      ++j;
    } else {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace verdict::protocols
