#include "protocols/accuracy/test_set.hpp"

#include "escrow/codec/sha256.hpp"
#include "protocols/common/sample.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::accuracy {

namespace {

void put_u32(codec::Sha256& h, std::uint32_t v) {
  const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                      static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  h.update(b);
}

}  // namespace

Digest example_leaf(std::uint32_t index, const field::Fr& input_commitment, std::uint32_t label,
                    const field::Fr& salt) {
  codec::Sha256 h;
  h.update("verdict/accuracy/leaf/v1");
  put_u32(h, index);
  h.update(input_commitment.to_bytes_be());
  put_u32(h, label);
  h.update(salt.to_bytes_be());
  return h.finish();
}

Digest example_leaf(std::uint32_t index, const Example& example) {
  return example_leaf(index, nn::input_commitment(example.input, example.salt), example.label, example.salt);
}

Digest seed_commitment(const Digest& seed) {
  codec::Sha256 h;
  return h.update("verdict/accuracy/seed/v1").update(seed).finish();
}

Split split_test_set(const Digest& session, const Digest& mp_seed, const Digest& mc_seed, std::uint32_t n,
                     std::uint32_t n1) {
  codec::Sha256 h;
  const Digest key = h.update("verdict/accuracy/split/v1").update(session).update(mp_seed).update(mc_seed).finish();
  Split s;
  s.subset = protocols::sample_indices(key, n, n1);
  s.rest = protocols::complement(s.subset, n);
  return s;
}

}  // namespace verdict::accuracy
