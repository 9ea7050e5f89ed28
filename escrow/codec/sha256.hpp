#pragma once
// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace verdict::codec {

using Digest = std::array<std::uint8_t, 32>;

// Incremental hashing. Not copyable; one instance per thread. The state lives in the
// object (no allocation): OpenSSL's SHA-256 block functions, not the EVP layer, whose
// per-hash context allocation and provider lookup cost more than hashing a short message.
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
  alignas(8) unsigned char state_[112];  // SHA256_CTX (size checked in sha256.cpp)
};

Digest sha256(std::span<const std::uint8_t> bytes);

}  // namespace verdict::codec
