#pragma once
// Revealed examples and their encryption for Appendix B's data-transfer sub-protocol.
//
// A batch is the examples of one reveal (the N1 subset or the N2 rest), in increasing
// index order, each with its Merkle audit path. Canonical encoding (base/codec.hpp):
//   u32 count, then per example: u32 index, bytes input, u32 label, 32-byte salt (Fr,
//   big-endian, canonical), u32 path length, path digests.
//
// Sealing is AES-256-GCM (OpenSSL EVP): sealed = nonce (12) || ciphertext || tag (16),
// with a fresh 32-byte key per reveal. The key is what MC publishes on the escrow (the
// evidence of publish_*_key is the key itself), so anyone holding the sealed bytes whose
// SHA-256 MC posted (send_*) can check the reveal afterwards. The associated data binds
// the sealed bytes to the session and to which reveal they are.

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "protocols/accuracy/test_set.hpp"

namespace verdict::accuracy {

using Key = std::array<std::uint8_t, 32>;

struct RevealedExample {
  std::uint32_t index = 0;
  Example example;
  std::vector<Digest> path;
};

// Limits of a decoded batch: 2^20 examples, 16 MiB per input.
std::vector<std::uint8_t> encode_batch(std::span<const RevealedExample> batch);
Result<std::vector<RevealedExample>> decode_batch(std::span<const std::uint8_t> bytes);

enum class Reveal : std::uint8_t { kSubset = 1, kRest = 2 };

std::vector<std::uint8_t> seal(const Key& key, std::span<const std::uint8_t> plaintext, const Digest& session,
                               Reveal which, Rng& rng);
// Error if the sealed bytes are malformed or do not authenticate under this key.
Result<std::vector<std::uint8_t>> open_sealed(const Key& key, std::span<const std::uint8_t> sealed,
                                              const Digest& session, Reveal which);

// What MP and the verifier check of a reveal: the sealed bytes open under `key`, decode,
// list exactly `indices` in order, and every example's leaf is in the tree `root` of n
// leaves. Returns the examples, or an error naming the first failure.
struct TestSetHead {
  Digest root{};
  std::uint32_t n = 0;
};
Result<std::vector<Example>> open_reveal(const Key& key, std::span<const std::uint8_t> sealed, const Digest& session,
                                         Reveal which, std::span<const std::uint32_t> indices,
                                         const TestSetHead& head);

}  // namespace verdict::accuracy
