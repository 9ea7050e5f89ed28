#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "escrow/codec/sha256.hpp"

namespace verdict::codec {
namespace {

TEST(Sha256, KnownAnswers) {
  // FIPS 180-2 appendix B.1 and the empty string.
  std::string abc = "abc";
  EXPECT_EQ(to_hex(sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(abc.data()), 3))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(Sha256().finish()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(Sha256().update("a").update("bc").finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace verdict::codec
