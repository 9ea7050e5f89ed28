#include "snark/hash/snarkjs_transcript.hpp"

#include <algorithm>

#include "snark/hash/keccak256.hpp"

namespace verdict::hash {

using field::Fq;
using field::Fr;
using field::Limbs;

SnarkjsTranscriptItem SnarkjsTranscriptItem::g1(const Fq& x, const Fq& y) {
  SnarkjsTranscriptItem item(Kind::kG1);
  const auto xb = x.to_bytes_be(), yb = y.to_bytes_be();
  std::copy(xb.begin(), xb.end(), item.bytes_.begin());
  std::copy(yb.begin(), yb.end(), item.bytes_.begin() + 32);
  return item;
}

SnarkjsTranscriptItem SnarkjsTranscriptItem::g1_infinity() { return SnarkjsTranscriptItem(Kind::kG1); }

Result<SnarkjsTranscriptItem> SnarkjsTranscriptItem::g1_from_bytes(std::span<const std::uint8_t> xy) {
  if (xy.size() != 64) return Error{"snarkjs G1 encoding must be 64 bytes (x || y), got " + std::to_string(xy.size())};
  auto x = Fq::from_bytes_be(xy.subspan(0, 32));
  if (!x) return x.error().context("snarkjs G1 x coordinate");
  auto y = Fq::from_bytes_be(xy.subspan(32, 32));
  if (!y) return y.error().context("snarkjs G1 y coordinate");
  return g1(*x, *y);
}

SnarkjsTranscriptItem SnarkjsTranscriptItem::scalar(const Fr& s) {
  SnarkjsTranscriptItem item(Kind::kScalar);
  const auto b = s.to_bytes_be();
  std::copy(b.begin(), b.end(), item.bytes_.begin());
  return item;
}

std::vector<std::uint8_t> snarkjs_keccak_preimage(std::span<const SnarkjsTranscriptItem> items) {
  std::vector<std::uint8_t> out;
  for (const SnarkjsTranscriptItem& item : items) {
    auto e = item.encoding();
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

Result<Fr> snarkjs_keccak_challenge(std::span<const SnarkjsTranscriptItem> items) {
  if (items.empty()) return Error{"snarkjs Keccak256Transcript: no data to derive a challenge from"};
  Keccak256 h;
  for (const SnarkjsTranscriptItem& item : items) h.update(item.encoding());
  const Keccak256::Digest d = h.finalize();
  Limbs v{};
  for (int i = 0; i < 32; ++i) v[3 - i / 8] = (v[3 - i / 8] << 8) | d[i];
  return Fr::reduce(v);
}

}  // namespace verdict::hash
