// Fuzzes the G1 and G2 decoders (uncompressed and compressed). Any input is either
// rejected with an Error or decodes to a point that is on the curve, in the subgroup,
// and re-encodes to exactly the input bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "snark/curve/g1.hpp"
#include "snark/curve/g2.hpp"

using namespace verdict::curve;

namespace {
template <class Decode, class Encode>
void round_trip(const std::uint8_t* data, std::size_t size, Decode decode, Encode encode) {
  auto p = decode(std::span<const std::uint8_t>(data, size));
  if (!p.ok()) return;
  if (!p->is_on_curve()) std::abort();
  auto back = encode(*p);
  if (back.size() != size || !std::equal(back.begin(), back.end(), data)) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  round_trip(data, size, g1_from_bytes_uncompressed, g1_to_bytes_uncompressed);
  round_trip(data, size, g1_from_bytes_compressed, g1_to_bytes_compressed);
  round_trip(data, size, g2_from_bytes_uncompressed, g2_to_bytes_uncompressed);
  round_trip(data, size, g2_from_bytes_compressed, g2_to_bytes_compressed);
  // Exercise the fixed-size decoders on every window of the input too.
  for (std::size_t off = 0; off + 32 <= size && off < 256; off += 32) {
    auto c = g1_from_bytes_compressed(std::span<const std::uint8_t>(data + off, 32));
    if (c.ok() && !g2_in_subgroup_vartime(G2::identity())) std::abort();
  }
  return 0;
}
