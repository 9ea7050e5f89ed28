#pragma once
// Unbiasable index selection shared by the protocols (the accuracy split, serving
// contests, retrieval audits). The caller derives `key` from commitments fixed before
// either side could know the other's contribution (commit-reveal of seeds, see each
// protocol); this function only turns a key into indices, the same way for everybody:
//
//   ChaCha20 keyed with `key` (base/rng.hpp ChaChaRng), a partial Fisher-Yates shuffle
//   of [0, n): for i = 0..k-1 swap order[i] with order[i + uniform(n - i)]; the sample is
//   order[0..k), returned sorted. uniform() rejects to avoid modulo bias.

#include <array>
#include <cstdint>
#include <vector>

namespace verdict::protocols {

// Requires k <= n.
std::vector<std::uint32_t> sample_indices(const std::array<std::uint8_t, 32>& key, std::uint32_t n, std::uint32_t k);
// [0, n) minus `sorted` (a sorted subset of [0, n)), sorted.
std::vector<std::uint32_t> complement(const std::vector<std::uint32_t>& sorted, std::uint32_t n);

}  // namespace verdict::protocols
