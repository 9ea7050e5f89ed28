// Fuzzes the .ptau reader from memory: the layout parser on arbitrary bytes, and the
// full loader (point decoding, subgroup checks, the consistency check) on inputs that
// pass the layout. Seeds: fuzz/seeds/fuzz_ptau (small dev files). Never a crash, a
// hang or a sanitizer report; every failure is an Error.
#include <cstddef>
#include <cstdint>

#include "base/byte_source.hpp"
#include "snark/commit/ptau.hpp"
#include "snark/commit/srs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  verdict::MemoryByteSource source(std::span<const std::uint8_t>(data, size));
  auto layout = verdict::commit::read_ptau_layout(source);
  if (!layout.ok() || layout->power > 4) return 0;  // keep each run short
  verdict::ChaChaRng rng(1);
  auto srs = verdict::commit::load_srs(source, verdict::commit::SrsLoadOptions{0, true}, rng);
  (void)srs;
  return 0;
}
