#pragma once
// Canonical binary encoding: the byte layout of every signed or hashed structure of
// the escrow and the message layer (docs/formats.md, "Escrow and parties") and of the
// proof system's keys and proofs (docs/formats.md, "Plonk keys and proofs").
//
// Integers are big-endian and fixed width; variable-length fields are a u32 length
// followed by the bytes; strings are bytes (no terminator). There is exactly one
// encoding of every value, so equal values hash equally and a decoder can insist that
// re-encoding what it read gives back the input.
//
// Reader is sticky: the first failure (truncation, a length over its limit) records an
// error, every later read returns zero/empty, and finish() reports the first error or
// trailing bytes. It never allocates more than the input it was given, so a hostile
// length field cannot make it allocate gigabytes.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace verdict::codec {

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  // Bytes as they are (fixed-width fields).
  void raw(std::span<const std::uint8_t> bytes);
  template <std::size_t N>
  void fixed(const std::array<std::uint8_t, N>& a) {
    raw(a);
  }
  // u32 length, then the bytes. Requires size < 2^32.
  void bytes(std::span<const std::uint8_t> b);
  void str(std::string_view s);

  const std::vector<std::uint8_t>& data() const { return out_; }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  // Reads exactly N bytes.
  template <std::size_t N>
  std::array<std::uint8_t, N> fixed() {
    std::array<std::uint8_t, N> a{};
    take_into(a.data(), N, "fixed field");
    return a;
  }
  // A u32 length (at most max_len), then that many bytes.
  std::vector<std::uint8_t> bytes(std::size_t max_len);
  std::string str(std::size_t max_len);
  // A u32 element count, at most max_count and at most remaining()/min_element_size
  // (each element needs at least that many bytes), so callers may reserve() it.
  std::uint32_t count(std::uint32_t max_count, std::size_t min_element_size = 1);

  // Records a semantic error (e.g. an unknown tag) found by the caller.
  void fail(std::string message);

  bool ok() const { return error_.empty(); }
  std::size_t remaining() const { return in_.size() - pos_; }
  // Ok iff no error was recorded and every byte was consumed.
  Status finish() const;

 private:
  bool take_into(std::uint8_t* out, std::size_t n, const char* what);

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace verdict::codec
