#include "base/codec.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"

namespace verdict::codec {
namespace {

TEST(Codec, RoundTripIsBigEndianAndExact) {
  Writer w;
  w.u8(0xab);
  w.u16(0x1234);
  w.u32(0xdeadbeef);
  w.u64(0x0102030405060708ULL);
  w.i64(-2);
  w.str("hi");
  std::array<std::uint8_t, 3> f{7, 8, 9};
  w.fixed(f);
  EXPECT_EQ(to_hex(w.data()),
            "ab1234deadbeef0102030405060708fffffffffffffffe"
            "000000026869070809");
  Reader r(w.data());
  EXPECT_EQ(r.u8(), 0xab);
  EXPECT_EQ(r.u16(), 0x1234);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(r.u64(), 0x0102030405060708ULL);
  EXPECT_EQ(r.i64(), -2);
  EXPECT_EQ(r.str(10), "hi");
  EXPECT_EQ((r.fixed<3>()), f);
  EXPECT_TRUE(r.finish().ok());
}

TEST(Codec, TruncationIsStickyAndNamed) {
  std::vector<std::uint8_t> in{0, 0, 0};
  Reader r(in);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // sticky: later reads give zero
  Status s = r.finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("truncated"), std::string::npos);
}

TEST(Codec, LengthLimitsAreEnforcedBeforeAllocation) {
  Writer w;
  w.u32(0xffffffffu);  // claims 4 GiB
  Reader r(w.data());
  EXPECT_TRUE(r.bytes(1u << 30).empty());
  EXPECT_FALSE(r.finish().ok());

  Writer w2;
  w2.u32(5);
  w2.raw(std::vector<std::uint8_t>(5, 1));
  Reader r2(w2.data());
  EXPECT_TRUE(r2.bytes(4).empty());  // over the caller's limit
  EXPECT_NE(r2.finish().error().message.find("limit"), std::string::npos);

  Writer w3;
  w3.u32(1000);  // 1000 elements of >= 8 bytes cannot fit in 0 bytes
  Reader r3(w3.data());
  EXPECT_EQ(r3.count(1u << 20, 8), 0u);
  EXPECT_FALSE(r3.ok());
}

TEST(Codec, TrailingBytesAreRejected) {
  std::vector<std::uint8_t> in{1, 2};
  Reader r(in);
  r.u8();
  Status s = r.finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("trailing"), std::string::npos);
}

}  // namespace
}  // namespace verdict::codec
