#include "snark/hash/poseidon_sponge.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "snark/hash/poseidon.hpp"

namespace verdict::hash {

using field::Fr;

Fr poseidon_sponge_tag(std::uint64_t n) {
  constexpr std::string_view kDomain = "verdict-sponge";
  static_assert(kDomain.size() == 14);
  std::array<std::uint8_t, 32> be{};
  for (std::size_t i = 0; i < kDomain.size(); ++i) be[10 + i] = std::uint8_t(kDomain[i]);
  for (int i = 0; i < 8; ++i) be[24 + i] = std::uint8_t(n >> (56 - 8 * i));
  // The top 10 bytes are zero, so the value is below 2^176 < r: always canonical.
  return *Fr::from_bytes_be(be);
}

Fr poseidon_hash_many(std::span<const Fr> inputs) {
  using P = Poseidon<kSpongeWidth>;
  static_assert(P::kWidth == kSpongeRate + 1);
  P::State s{};
  s[0] = poseidon_sponge_tag(inputs.size());
  std::size_t pos = 0;
  do {
    const std::size_t take = std::min(kSpongeRate, inputs.size() - pos);
    for (std::size_t i = 0; i < take; ++i) s[1 + i] += inputs[pos + i];
    pos += take;
    P::permute(s);
  } while (pos < inputs.size());
  return s[1];
}

}  // namespace verdict::hash
