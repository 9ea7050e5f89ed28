// Fuzzes the KZG batch-proof decoder: rejected with an Error, or decoded to points
// that re-encode to the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "snark/commit/kzg.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto proof = verdict::commit::KzgBatchProof::from_bytes(std::span<const std::uint8_t>(data, size));
  if (!proof.ok()) return 0;
  auto back = proof->to_bytes();
  if (back.size() != size || !std::equal(back.begin(), back.end(), data)) std::abort();
  return 0;
}
