#pragma once
// RFC 6962 Merkle trees over 32-byte leaf digests (SHA-256), shared by the protocols'
// commitments (accuracy test sets, retrieval corpora, serving transcripts):
//
//   leaf node   H(0x00 || leaf)        inner node   H(0x01 || left || right)
//   a tree of n > 1 leaves splits at k, the largest power of two strictly below n:
//   MTH(D[0:n]) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
//
// An audit path lists the siblings bottom-up (RFC 6962 section 2.1.1).

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace verdict::protocols {

using Digest = std::array<std::uint8_t, 32>;

// Requires leaves non-empty.
Digest merkle_root(std::span<const Digest> leaves);
// Audit path of leaf `index` (< leaves.size()), bottom-up.
std::vector<Digest> merkle_path(std::span<const Digest> leaves, std::uint32_t index);
// True iff `path` proves `leaf` at `index` in a tree of `n` leaves with this root. Any
// n, index and path are safe to pass (a path longer than 64 is refused).
bool merkle_verify(const Digest& leaf, std::uint32_t index, std::uint32_t n, std::span<const Digest> path,
                   const Digest& root);

}  // namespace verdict::protocols
