#pragma once
// MC's committed test set (docs/protocols.md, "Accuracy verification"):
//
//   example i = (input bytes x_i, label y_i, salt s_i), s_i a uniform Fr drawn by MC
//   ic_i      = nn::input_commitment(x_i, s_i)      (what a hidden-input proof exposes)
//   leaf_i    = SHA-256("verdict/accuracy/leaf/v1" || u32 i || ic_i || u32 y_i || s_i)
//   root      = RFC 6962 Merkle tree hash over leaf_0..leaf_{N-1} (leaf node
//               H(0x00 || leaf_i), inner node H(0x01 || l || r), SHA-256)
//
// The salt makes every leaf hiding (MP learns nothing about an example from the root),
// and ic_i in the leaf lets anybody holding leaf data check a proof's public input
// commitment against the committed example without seeing x_i.
//
// The N1/N2 split: commit-reveal of two 32-byte seeds. MC commits SHA-256(tag || mc_seed)
// with its root, before funding; MP publishes mp_seed on the escrow (choose_subset) after
// funding, so neither seed can depend on the other; MC reveals mc_seed with the subset.
// The subset is the first N1 positions of a Fisher-Yates shuffle of [0, N) driven by
// ChaCha20 keyed with SHA-256(tag || session || mp_seed || mc_seed), returned sorted.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "protocols/common/merkle.hpp"
#include "snark/field/fr.hpp"

namespace verdict::accuracy {

using Digest = std::array<std::uint8_t, 32>;
using protocols::merkle_path;
using protocols::merkle_root;
using protocols::merkle_verify;

struct Example {
  std::vector<std::uint8_t> input;
  std::uint32_t label = 0;
  field::Fr salt;
};

Digest example_leaf(std::uint32_t index, const field::Fr& input_commitment, std::uint32_t label,
                    const field::Fr& salt);
// Computes ic_i from the example (a Poseidon hash: not free for large inputs).
Digest example_leaf(std::uint32_t index, const Example& example);

Digest seed_commitment(const Digest& seed);

// The N1 subset indices (sorted) and the N2 rest (sorted). Requires 1 <= n1 < n.
struct Split {
  std::vector<std::uint32_t> subset;
  std::vector<std::uint32_t> rest;
};
Split split_test_set(const Digest& session, const Digest& mp_seed, const Digest& mc_seed, std::uint32_t n,
                     std::uint32_t n1);

}  // namespace verdict::accuracy
