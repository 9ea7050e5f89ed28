#pragma once
// Ed25519 identities (RFC 8032) through OpenSSL 3's EVP interface, and their files.
//
// A party is known by its 32-byte public key. A KeyPair holds the 32-byte secret seed
// inside an OpenSSL EVP_PKEY; it is move-only and wipes nothing itself (OpenSSL keeps
// the key in memory it cleanses on free). Signing is deterministic (RFC 8032).
//
// Key files (docs/formats.md ("Escrow and parties")), text, one "name value" line each:
//   verdict-ed25519-secret-key v1          verdict-ed25519-public-key v1
//   public <64 hex>                        public <64 hex>
//   secret <64 hex seed>
// A secret key file is created with mode 0600 (O_EXCL: an existing file is never
// overwritten) and refused on load if its mode lets the group or others read it, or if
// its public line is not the seed's public key.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.hpp"
#include "base/rng.hpp"

namespace verdict::wire {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

class KeyPair {
 public:
  // A fresh key from `rng` (use OsRng outside tests).
  static KeyPair generate(Rng& rng);
  // The key whose RFC 8032 secret seed is `seed`.
  static Result<KeyPair> from_seed(std::span<const std::uint8_t> seed);

  KeyPair(KeyPair&&) noexcept;
  KeyPair& operator=(KeyPair&&) noexcept;
  ~KeyPair();

  const PublicKey& public_key() const { return public_; }
  Signature sign(std::span<const std::uint8_t> message) const;
  // The 32-byte seed, for writing the key file. Handle with care.
  std::array<std::uint8_t, 32> seed() const;

 private:
  KeyPair() = default;
  void* pkey_ = nullptr;  // EVP_PKEY*
  PublicKey public_{};
};

// True iff `signature` is a valid Ed25519 signature of `message` by `key`. Never throws;
// a malformed key or signature is simply invalid.
bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& signature);

// Key files.
Status write_secret_key(const std::string& path, const KeyPair& key);
Result<KeyPair> read_secret_key(const std::string& path);
Status write_public_key(const std::string& path, const PublicKey& key);
// Reads a public key file, or a secret key file (its public line), or accepts `text`
// itself when it is 64 hex characters.
Result<PublicKey> read_public_key(const std::string& path_or_hex);

}  // namespace verdict::wire
