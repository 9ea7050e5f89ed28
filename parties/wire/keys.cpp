#include "parties/wire/keys.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "base/hex.hpp"

namespace verdict::wire {

namespace {
EVP_PKEY* as_pkey(void* p) { return static_cast<EVP_PKEY*>(p); }

constexpr const char* kSecretHeader = "verdict-ed25519-secret-key v1";
constexpr const char* kPublicHeader = "verdict-ed25519-public-key v1";

std::string sys_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Parses "header\nname value\n..." into a map; an error names the problem.
Result<std::map<std::string, std::string>> parse_key_file(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::string header;
  std::getline(in, header);
  std::map<std::string, std::string> out;
  out["header"] = header;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto sp = line.find(' ');
    if (sp == std::string::npos) return Error{path + ": malformed line '" + line.substr(0, 40) + "'"};
    if (!out.emplace(line.substr(0, sp), line.substr(sp + 1)).second)
      return Error{path + ": duplicate field '" + line.substr(0, sp) + "'"};
  }
  return out;
}

Result<std::array<std::uint8_t, 32>> hex32(const std::string& text, const std::string& what) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) return bytes.error().context(what);
  if (bytes->size() != 32) return Error{what + ": expected 32 bytes, got " + std::to_string(bytes->size())};
  std::array<std::uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<std::string> read_small_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error{sys_error("cannot open", path)};
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (text.size() > 4096) return Error{path + ": too large for a key file"};
  return text;
}

Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Error{sys_error("cannot create", path)};
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    return Error{sys_error("cannot chmod", path)};
  }
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Error{sys_error("cannot write", path)};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Error{sys_error("cannot write", path)};
  return Status::ok_status();
}
}  // namespace

KeyPair KeyPair::generate(Rng& rng) {
  std::array<std::uint8_t, 32> seed{};
  rng.fill(seed);
  auto k = from_seed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  if (!k.ok()) std::abort();  // a 32-byte seed is always a valid key
  return std::move(*k);
}

Result<KeyPair> KeyPair::from_seed(std::span<const std::uint8_t> seed) {
  if (seed.size() != 32) return Error{"an Ed25519 seed is 32 bytes, got " + std::to_string(seed.size())};
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  if (!pkey) return Error{"OpenSSL refused the Ed25519 seed"};
  KeyPair k;
  k.pkey_ = pkey;
  std::size_t n = k.public_.size();
  if (EVP_PKEY_get_raw_public_key(pkey, k.public_.data(), &n) != 1 || n != 32) return Error{"OpenSSL: no public key"};
  return k;
}

KeyPair::KeyPair(KeyPair&& o) noexcept : pkey_(o.pkey_), public_(o.public_) { o.pkey_ = nullptr; }

KeyPair& KeyPair::operator=(KeyPair&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(as_pkey(pkey_));
    pkey_ = o.pkey_;
    public_ = o.public_;
    o.pkey_ = nullptr;
  }
  return *this;
}

KeyPair::~KeyPair() { EVP_PKEY_free(as_pkey(pkey_)); }

Signature KeyPair::sign(std::span<const std::uint8_t> message) const {
  Signature sig{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t n = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, as_pkey(pkey_)) != 1 ||
      EVP_DigestSign(ctx, sig.data(), &n, message.data(), message.size()) != 1 || n != sig.size()) {
    std::abort();  // signing with a valid key cannot fail but for a broken library
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

std::array<std::uint8_t, 32> KeyPair::seed() const {
  std::array<std::uint8_t, 32> seed{};
  std::size_t n = seed.size();
  if (EVP_PKEY_get_raw_private_key(as_pkey(pkey_), seed.data(), &n) != 1 || n != 32) std::abort();
  return seed;
}

bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& signature) {
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size());
  if (!pkey) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

Status write_secret_key(const std::string& path, const KeyPair& key) {
  auto seed = key.seed();
  std::string text =
      std::string(kSecretHeader) + "\npublic " + to_hex(key.public_key()) + "\nsecret " + to_hex(seed) + "\n";
  OPENSSL_cleanse(seed.data(), seed.size());
  Status s = write_new_file(path, text, 0600);
  OPENSSL_cleanse(text.data(), text.size());
  return s;
}

Result<KeyPair> read_secret_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error{sys_error("cannot stat", path)};
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode & 0777));
    return Error{path + ": secret key file is readable by group or others (mode " + mode + "); chmod 600 it"};
  }
  auto text = read_small_file(path);
  if (!text.ok()) return text.error();
  auto fields = parse_key_file(*text, path);
  OPENSSL_cleanse(text->data(), text->size());
  if (!fields.ok()) return fields.error();
  if ((*fields)["header"] != kSecretHeader) return Error{path + ": not a verdict secret key file"};
  if (!fields->count("secret") || !fields->count("public")) return Error{path + ": missing public or secret line"};
  auto seed = hex32((*fields)["secret"], path + ": secret");
  OPENSSL_cleanse((*fields)["secret"].data(), (*fields)["secret"].size());
  if (!seed.ok()) return seed.error();
  auto pub = hex32((*fields)["public"], path + ": public");
  if (!pub.ok()) return pub.error();
  auto key = KeyPair::from_seed(*seed);
  OPENSSL_cleanse(seed->data(), seed->size());
  if (!key.ok()) return key.error().context(path);
  if (key->public_key() != *pub) return Error{path + ": the public line does not match the secret key"};
  return key;
}

Status write_public_key(const std::string& path, const PublicKey& key) {
  return write_new_file(path, std::string(kPublicHeader) + "\npublic " + to_hex(key) + "\n", 0644);
}

Result<PublicKey> read_public_key(const std::string& path_or_hex) {
  if (path_or_hex.size() == 64 && from_hex(path_or_hex).ok()) return hex32(path_or_hex, "public key");
  auto text = read_small_file(path_or_hex);
  if (!text.ok()) return text.error();
  auto fields = parse_key_file(*text, path_or_hex);
  if (!fields.ok()) return fields.error();
  const std::string& h = (*fields)["header"];
  if (h != kPublicHeader && h != kSecretHeader) return Error{path_or_hex + ": not a verdict key file"};
  if (!fields->count("public")) return Error{path_or_hex + ": missing public line"};
  return hex32((*fields)["public"], path_or_hex + ": public");
}

}  // namespace verdict::wire
