#include "protocols/common/merkle.hpp"

#include <bit>

#include "escrow/codec/sha256.hpp"

namespace verdict::protocols {

namespace {

Digest leaf_node(const Digest& d) {
  codec::Sha256 h;
  const std::array<std::uint8_t, 1> tag{0x00};
  return h.update(tag).update(d).finish();
}

Digest inner_node(const Digest& l, const Digest& r) {
  codec::Sha256 h;
  const std::array<std::uint8_t, 1> tag{0x01};
  return h.update(tag).update(l).update(r).finish();
}

// The largest power of two strictly below n (n >= 2).
std::size_t split_point(std::size_t n) { return std::bit_floor(n - 1); }

Digest tree_hash(std::span<const Digest> leaves) {
  if (leaves.size() == 1) return leaf_node(leaves[0]);
  const std::size_t k = split_point(leaves.size());
  return inner_node(tree_hash(leaves.first(k)), tree_hash(leaves.subspan(k)));
}

void path_into(std::span<const Digest> leaves, std::size_t m, std::vector<Digest>& out) {
  if (leaves.size() == 1) return;
  const std::size_t k = split_point(leaves.size());
  if (m < k) {
    path_into(leaves.first(k), m, out);
    out.push_back(tree_hash(leaves.subspan(k)));
  } else {
    path_into(leaves.subspan(k), m - k, out);
    out.push_back(tree_hash(leaves.first(k)));
  }
}

// Root of a tree of n leaves from a leaf node at m and the path's first `used` entries
// (consumed from the end: the top sibling is the path's last entry).
bool root_from_path(std::size_t m, std::size_t n, const Digest& node, std::span<const Digest> path, Digest& out) {
  if (n == 1) {
    if (!path.empty()) return false;
    out = node;
    return true;
  }
  if (path.empty()) return false;
  const std::size_t k = split_point(n);
  const Digest& sibling = path.back();
  Digest below;
  if (m < k) {
    if (!root_from_path(m, k, node, path.first(path.size() - 1), below)) return false;
    out = inner_node(below, sibling);
  } else {
    if (!root_from_path(m - k, n - k, node, path.first(path.size() - 1), below)) return false;
    out = inner_node(sibling, below);
  }
  return true;
}

}  // namespace

Digest merkle_root(std::span<const Digest> leaves) { return tree_hash(leaves); }

std::vector<Digest> merkle_path(std::span<const Digest> leaves, std::uint32_t index) {
  std::vector<Digest> out;
  path_into(leaves, index, out);
  return out;
}

bool merkle_verify(const Digest& leaf, std::uint32_t index, std::uint32_t n, std::span<const Digest> path,
                   const Digest& root) {
  if (n == 0 || index >= n || path.size() > 64) return false;
  Digest computed;
  return root_from_path(index, n, leaf_node(leaf), path, computed) && computed == root;
}

}  // namespace verdict::protocols
