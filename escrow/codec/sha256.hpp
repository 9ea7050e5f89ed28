#pragma once
// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace verdict::codec {

using Digest = std::array<std::uint8_t, 32>;

// Incremental hashing. Not copyable; one instance per thread.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::span<const std::uint8_t> bytes);
  Sha256& update(std::string_view text);
  // Returns the digest; the object must not be updated afterwards.
  Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

Digest sha256(std::span<const std::uint8_t> bytes);

}  // namespace verdict::codec
