// Fuzzes the canonical decoders of Fr and Fq (32-byte big- and little-endian, and
// decimal text): any input either decodes to a value that re-encodes to the same
// bytes, or is rejected with an Error; never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "snark/field/fq.hpp"
#include "snark/field/fr.hpp"

namespace {
template <class F>
void check(const std::uint8_t* data, std::size_t size) {
  auto be = F::from_bytes_be(std::span<const std::uint8_t>(data, size));
  if (be.ok()) {
    auto back = be->to_bytes_be();
    if (size != 32 || !std::equal(back.begin(), back.end(), data)) std::abort();
  }
  auto le = F::from_bytes_le(std::span<const std::uint8_t>(data, size));
  if (le.ok()) {
    auto back = le->to_bytes_le();
    if (size != 32 || !std::equal(back.begin(), back.end(), data)) std::abort();
  }
  auto dec = F::from_decimal(std::string_view(reinterpret_cast<const char*>(data), size));
  if (dec.ok() && !F::from_decimal(dec->to_decimal()).ok()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check<verdict::field::Fr>(data, size);
  check<verdict::field::Fq>(data, size);
  return 0;
}
