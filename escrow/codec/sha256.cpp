#include "escrow/codec/sha256.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace verdict::codec {

namespace {
EVP_MD_CTX* as_ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }
// OpenSSL's digest calls fail only on allocation failure or a broken library build:
// programmer/system errors, not bad input, so they abort.
void check(int rc) {
  if (rc != 1) std::abort();
}
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) std::abort();
  check(EVP_DigestInit_ex(as_ctx(ctx_), EVP_sha256(), nullptr));
}

Sha256::~Sha256() { EVP_MD_CTX_free(as_ctx(ctx_)); }

Sha256& Sha256::update(std::span<const std::uint8_t> bytes) {
  check(EVP_DigestUpdate(as_ctx(ctx_), bytes.data(), bytes.size()));
  return *this;
}

Sha256& Sha256::update(std::string_view text) {
  check(EVP_DigestUpdate(as_ctx(ctx_), text.data(), text.size()));
  return *this;
}

Digest Sha256::finish() {
  Digest d{};
  unsigned int n = 0;
  check(EVP_DigestFinal_ex(as_ctx(ctx_), d.data(), &n));
  if (n != d.size()) std::abort();
  return d;
}

Digest sha256(std::span<const std::uint8_t> bytes) { return Sha256().update(bytes).finish(); }

}  // namespace verdict::codec
