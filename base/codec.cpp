#include "base/codec.hpp"

#include <cstring>
#include <limits>

namespace verdict::codec {

void Writer::u16(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  out_.push_back(static_cast<std::uint8_t>(v));
}

void Writer::u32(std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
}

void Writer::u64(std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
}

void Writer::raw(std::span<const std::uint8_t> bytes) {
  // resize + memcpy rather than insert(): GCC 12 at -O3 reports a false -Warray-bounds
  // for vector::insert after inlined push_backs.
  if (bytes.empty()) return;
  const std::size_t at = out_.size();
  out_.resize(at + bytes.size());
  std::memcpy(out_.data() + at, bytes.data(), bytes.size());
}

void Writer::bytes(std::span<const std::uint8_t> b) {
  assert(b.size() <= std::numeric_limits<std::uint32_t>::max());
  u32(static_cast<std::uint32_t>(b.size()));
  raw(b);
}

void Writer::str(std::string_view s) {
  bytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

bool Reader::take_into(std::uint8_t* out, std::size_t n, const char* what) {
  if (!ok()) {
    std::memset(out, 0, n);
    return false;
  }
  if (remaining() < n) {
    error_ = std::string("truncated ") + what + " at byte " + std::to_string(pos_) + " (need " + std::to_string(n) +
             ", have " + std::to_string(remaining()) + ")";
    std::memset(out, 0, n);
    return false;
  }
  if (n) std::memcpy(out, in_.data() + pos_, n);
  pos_ += n;
  return true;
}

std::uint8_t Reader::u8() {
  std::uint8_t b = 0;
  take_into(&b, 1, "u8");
  return b;
}

std::uint16_t Reader::u16() {
  std::uint8_t b[2];
  take_into(b, 2, "u16");
  return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}

std::uint32_t Reader::u32() {
  std::uint8_t b[4];
  take_into(b, 4, "u32");
  std::uint32_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

std::uint64_t Reader::u64() {
  std::uint8_t b[8];
  take_into(b, 8, "u64");
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

std::vector<std::uint8_t> Reader::bytes(std::size_t max_len) {
  std::uint32_t n = u32();
  if (!ok()) return {};
  if (n > max_len) {
    fail("length " + std::to_string(n) + " exceeds the limit " + std::to_string(max_len));
    return {};
  }
  if (n > remaining()) {
    fail("truncated: length " + std::to_string(n) + " but only " + std::to_string(remaining()) + " bytes left");
    return {};
  }
  std::vector<std::uint8_t> out(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return out;
}

std::string Reader::str(std::size_t max_len) {
  std::vector<std::uint8_t> b = bytes(max_len);
  return std::string(b.begin(), b.end());
}

std::uint32_t Reader::count(std::uint32_t max_count, std::size_t min_element_size) {
  std::uint32_t n = u32();
  if (!ok()) return 0;
  if (n > max_count) {
    fail("count " + std::to_string(n) + " exceeds the limit " + std::to_string(max_count));
    return 0;
  }
  if (min_element_size > 0 && n > remaining() / min_element_size) {
    fail("count " + std::to_string(n) + " cannot fit in the " + std::to_string(remaining()) + " bytes left");
    return 0;
  }
  return n;
}

void Reader::fail(std::string message) {
  if (ok()) error_ = message.empty() ? std::string("invalid encoding") : std::move(message);
}

Status Reader::finish() const {
  if (!ok()) return Error{error_};
  if (remaining() != 0) return Error{std::to_string(remaining()) + " trailing bytes"};
  return Status::ok_status();
}

}  // namespace verdict::codec
