#include "tools/poseidon_params/grain_lfsr.hpp"

#include <cassert>

namespace verdict::poseidon_params {

GrainLfsr::GrainLfsr(const GrainInstance& in) {
  unsigned pos = 0;
  auto put = [&](unsigned value, unsigned width) {
    assert(width == 32 || value < (1u << width));
    for (unsigned i = 0; i < width; ++i) bits_[pos++] = std::uint8_t((value >> (width - 1 - i)) & 1);
  };
  put(in.field, 2);
  put(in.sbox, 4);
  put(in.field_bits, 12);
  put(in.width, 12);
  put(in.full_rounds, 10);
  put(in.partial_rounds, 10);
  while (pos < 80) bits_[pos++] = 1;  // 30 ones
  for (int i = 0; i < 160; ++i) clock();
}

bool GrainLfsr::clock() {
  auto b = [&](unsigned i) { return bits_[(head_ + i) % 80]; };
  std::uint8_t fresh = b(62) ^ b(51) ^ b(38) ^ b(23) ^ b(13) ^ b(0);
  bits_[head_] = fresh;  // b_0 leaves; its slot becomes the new b_79
  head_ = (head_ + 1) % 80;
  return fresh != 0;
}

bool GrainLfsr::next_bit() {
  for (;;) {
    bool keep = clock();
    bool bit = clock();
    if (keep) return bit;
  }
}

field::Limbs GrainLfsr::next_bits(unsigned k) {
  assert(k <= 256);
  field::Limbs v{};
  for (unsigned i = 0; i < k; ++i) {
    // v = 2v + bit
    for (int limb = 3; limb > 0; --limb) v[limb] = (v[limb] << 1) | (v[limb - 1] >> 63);
    v[0] = (v[0] << 1) | (next_bit() ? 1 : 0);
  }
  return v;
}

}  // namespace verdict::poseidon_params
