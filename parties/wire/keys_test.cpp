#include "parties/wire/keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/hex.hpp"
#include "escrow/testing.hpp"

namespace verdict::wire {
namespace {

std::vector<std::uint8_t> hex(const char* h) { return *from_hex(h); }

TEST(Ed25519, Rfc8032TestVector1) {
  auto key = KeyPair::from_seed(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(to_hex(key->public_key()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signature sig = key->sign({});
  EXPECT_EQ(
      to_hex(sig),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bb"
      "e24655141438e7a100b");
  EXPECT_TRUE(verify_signature(key->public_key(), {}, sig));
}

TEST(Ed25519, TamperedSignaturesMessagesAndKeysFail) {
  ChaChaRng rng(1);
  KeyPair k = KeyPair::generate(rng);
  KeyPair other = KeyPair::generate(rng);
  std::vector<std::uint8_t> msg{1, 2, 3};
  Signature sig = k.sign(msg);
  EXPECT_TRUE(verify_signature(k.public_key(), msg, sig));
  EXPECT_FALSE(verify_signature(other.public_key(), msg, sig));
  msg[0] ^= 1;
  EXPECT_FALSE(verify_signature(k.public_key(), msg, sig));
  msg[0] ^= 1;
  for (std::size_t i = 0; i < sig.size(); i += 5) {
    Signature bad = sig;
    bad[i] ^= 0x10;
    EXPECT_FALSE(verify_signature(k.public_key(), msg, bad)) << i;
  }
  PublicKey junk{};
  junk.fill(0xff);
  EXPECT_FALSE(verify_signature(junk, msg, sig));
  EXPECT_FALSE(KeyPair::from_seed(std::vector<std::uint8_t>(31)).ok());
}

TEST(KeyFiles, RoundTripWithSafePermissions) {
  escrow::testing::TempDir dir;
  ChaChaRng rng(2);
  KeyPair k = KeyPair::generate(rng);
  const std::string sec = dir.file("k.sec"), pub = dir.file("k.pub");
  ASSERT_TRUE(write_secret_key(sec, k).ok());
  struct stat st {};
  ASSERT_EQ(::stat(sec.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = read_secret_key(sec);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->public_key(), k.public_key());
  EXPECT_EQ(back->sign(std::vector<std::uint8_t>{9}), k.sign(std::vector<std::uint8_t>{9}));
  // Never overwritten.
  Status again = write_secret_key(sec, k);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("cannot create"), std::string::npos);

  ASSERT_TRUE(write_public_key(pub, k.public_key()).ok());
  EXPECT_EQ(*read_public_key(pub), k.public_key());
  EXPECT_EQ(*read_public_key(sec), k.public_key());
  EXPECT_EQ(*read_public_key(to_hex(k.public_key())), k.public_key());
  EXPECT_FALSE(read_secret_key(pub).ok());  // a public key file is not a secret key
}

TEST(KeyFiles, LooseModesAndMismatchesAreRefused) {
  escrow::testing::TempDir dir;
  ChaChaRng rng(3);
  KeyPair k = KeyPair::generate(rng);
  const std::string sec = dir.file("k.sec");
  ASSERT_TRUE(write_secret_key(sec, k).ok());
  ASSERT_EQ(::chmod(sec.c_str(), 0644), 0);
  auto loose = read_secret_key(sec);
  ASSERT_FALSE(loose.ok());
  EXPECT_NE(loose.error().message.find("readable by group or others"), std::string::npos);

  // A public line that is not the seed's key.
  const std::string forged = dir.file("forged.sec");
  {
    std::ofstream f(forged);
    f << "verdict-ed25519-secret-key v1\npublic " << to_hex(KeyPair::generate(rng).public_key()) << "\nsecret "
      << to_hex(k.seed()) << "\n";
  }
  ASSERT_EQ(::chmod(forged.c_str(), 0600), 0);
  auto bad = read_secret_key(forged);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("does not match"), std::string::npos);
  EXPECT_FALSE(read_public_key(dir.file("missing")).ok());
  EXPECT_FALSE(read_public_key("zz").ok());
}

}  // namespace
}  // namespace verdict::wire
