#pragma once
// Random-access reads from a file or a memory buffer, so that parsers of large
// files (a 2^20 .ptau is 1.2 GB) read only the ranges they need, and fuzzers can
// drive the same parsers from memory. Every read is bounds-checked: reading past the
// end is an Error naming the range, never undefined behaviour.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace verdict {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // Fills `out` from [offset, offset + out.size()).
  virtual Status read(std::uint64_t offset, std::span<std::uint8_t> out) const = 0;
  // A short name for error messages (the file path, or "memory").
  virtual std::string name() const = 0;
};

class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override;
  std::string name() const override { return "memory"; }

 private:
  std::span<const std::uint8_t> bytes_;  // not owned
};

class FileByteSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<FileByteSource>> open(const std::filesystem::path& path);
  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;

  std::uint64_t size() const override { return size_; }
  Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override;
  std::string name() const override { return path_; }

 private:
  FileByteSource(int fd, std::uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  std::uint64_t size_;
  std::string path_;
};

}  // namespace verdict
