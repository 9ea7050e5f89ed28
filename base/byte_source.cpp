#include "base/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace verdict {

namespace {
Status range_error(const std::string& name, std::uint64_t offset, std::size_t len, std::uint64_t size) {
  return Error{name + ": read of " + std::to_string(len) + " bytes at offset " + std::to_string(offset) +
               " runs past the end (" + std::to_string(size) + " bytes): truncated?"};
}
}  // namespace

Status MemoryByteSource::read(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
    return range_error(name(), offset, out.size(), bytes_.size());
  std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return {};
}

Result<std::unique_ptr<FileByteSource>> FileByteSource::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open " + path.string() + ": " + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{path.string() + " is not a regular file"};
  }
  return std::unique_ptr<FileByteSource>(new FileByteSource(fd, std::uint64_t(st.st_size), path.string()));
}

FileByteSource::~FileByteSource() { ::close(fd_); }

Status FileByteSource::read(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset) return range_error(path_, offset, out.size(), size_);
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, off_t(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error{path_ + ": read failed: " + std::strerror(errno)};
    }
    if (got == 0) return Error{path_ + ": file shrank while reading"};
    done += std::size_t(got);
  }
  return {};
}

}  // namespace verdict
