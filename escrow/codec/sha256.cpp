// OpenSSL 3 marks the SHA256_* block functions deprecated in favour of EVP; they remain
// supported, and for the many short messages of the ledger and the simulator they avoid
// EVP's per-hash allocation and provider fetch. Ask for the 1.1.1 API to use them.
#define OPENSSL_API_COMPAT 0x10101000L
#include "escrow/codec/sha256.hpp"

#include <openssl/sha.h>

#include <cstdlib>

namespace verdict::codec {

namespace {
static_assert(sizeof(SHA256_CTX) <= 112, "Sha256::state_ must hold a SHA256_CTX");
SHA256_CTX* as_ctx(unsigned char* p) { return reinterpret_cast<SHA256_CTX*>(p); }
// The block functions fail only on a broken library build: a programmer/system error,
// not bad input, so they abort.
void check(int rc) {
  if (rc != 1) std::abort();
}
}  // namespace

Sha256::Sha256() { check(SHA256_Init(as_ctx(state_))); }

Sha256::~Sha256() = default;

Sha256& Sha256::update(std::span<const std::uint8_t> bytes) {
  check(SHA256_Update(as_ctx(state_), bytes.data(), bytes.size()));
  return *this;
}

Sha256& Sha256::update(std::string_view text) {
  check(SHA256_Update(as_ctx(state_), text.data(), text.size()));
  return *this;
}

Digest Sha256::finish() {
  Digest d{};
  check(SHA256_Final(d.data(), as_ctx(state_)));
  return d;
}

Digest sha256(std::span<const std::uint8_t> bytes) { return Sha256().update(bytes).finish(); }

}  // namespace verdict::codec
