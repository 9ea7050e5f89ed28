#include "snark/nn/fashion_mnist.hpp"

#include <zlib.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace verdict::nn {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using Gz = std::unique_ptr<gzFile_s, GzCloser>;

class IdxFile {
 public:
  static Result<IdxFile> open(const std::filesystem::path& path) {
    IdxFile f;
    f.path_ = path.string();
    f.gz_.reset(gzopen(f.path_.c_str(), "rb"));
    if (!f.gz_) return Error{"cannot open " + f.path_};
    return f;
  }
  // Reads exactly n bytes (the dataset's files are far below 2^31 bytes per read).
  Status read(std::uint8_t* out, std::size_t n) {
    while (n > 0) {
      const unsigned chunk = unsigned(std::min<std::size_t>(n, std::size_t(1) << 30));
      const int got = gzread(gz_.get(), out, chunk);
      if (got <= 0) {
        int errnum = 0;
        const char* msg = gzerror(gz_.get(), &errnum);
        return Error{path_ + ": truncated or corrupted" + (errnum ? std::string(" (") + msg + ")" : std::string())};
      }
      out += got;
      n -= std::size_t(got);
    }
    return {};
  }
  Result<std::uint32_t> u32() {
    std::uint8_t b[4];
    if (auto st = read(b, 4); !st.ok()) return st.error();
    return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Gz gz_;
};

std::filesystem::path pick(const std::filesystem::path& dir, const std::string& stem) {
  const std::filesystem::path gz = dir / (stem + ".gz");
  return std::filesystem::exists(gz) ? gz : dir / stem;
}

std::string stem(Split split, bool images) {
  return std::string(split == Split::kTrain ? "train" : "t10k") + (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
}

}  // namespace

std::filesystem::path fashion_mnist_dir() {
  if (const char* env = std::getenv("VERDICT_FASHION_MNIST"); env && *env) return env;
  return std::filesystem::path(kFashionMnistDir);
}

bool fashion_mnist_present(const std::filesystem::path& dir, Split split) {
  return std::filesystem::exists(pick(dir, stem(split, true))) && std::filesystem::exists(pick(dir, stem(split, false)));
}

Result<ImageSet> read_idx_images(const std::filesystem::path& images, const std::filesystem::path& labels,
                                 std::size_t limit) {
  auto fi = IdxFile::open(images);
  if (!fi.ok()) return fi.error();
  auto fl = IdxFile::open(labels);
  if (!fl.ok()) return fl.error();
  auto mi = fi->u32(), ml = fl->u32();
  if (!mi.ok()) return mi.error();
  if (!ml.ok()) return ml.error();
  if (*mi != 0x00000803) return Error{fi->path() + ": not an IDX uint8 image file (magic " + std::to_string(*mi) + ")"};
  if (*ml != 0x00000801) return Error{fl->path() + ": not an IDX uint8 label file (magic " + std::to_string(*ml) + ")"};
  auto n = fi->u32(), rows = fi->u32(), cols = fi->u32(), nl = fl->u32();
  for (const auto* r : {&n, &rows, &cols, &nl})
    if (!r->ok()) return r->error();
  if (*n != *nl)
    return Error{fi->path() + " has " + std::to_string(*n) + " images but " + fl->path() + " " + std::to_string(*nl) +
                 " labels"};
  if (*rows == 0 || *cols == 0 || *rows > 4096 || *cols > 4096)
    return Error{fi->path() + ": image size " + std::to_string(*rows) + "x" + std::to_string(*cols) + " out of range"};
  ImageSet set;
  set.rows = *rows;
  set.cols = *cols;
  const std::size_t count = std::min<std::size_t>(*n, limit);
  const std::size_t per = std::size_t(*rows) * *cols;
  if (count > (std::size_t(1) << 34) / per) return Error{fi->path() + ": too many images"};
  // Read in chunks so that a lying header cannot make us allocate far beyond the file.
  const std::size_t chunk = 1024;
  for (std::size_t done = 0; done < count; done += chunk) {
    const std::size_t k = std::min(chunk, count - done);
    set.pixels.resize((done + k) * per);
    if (auto st = fi->read(set.pixels.data() + done * per, k * per); !st.ok()) return st.error();
    set.labels.resize(done + k);
    if (auto st = fl->read(set.labels.data() + done, k); !st.ok()) return st.error();
  }
  for (std::size_t i = 0; i < set.labels.size(); ++i)
    if (set.labels[i] > 9) return Error{fl->path() + ": label " + std::to_string(set.labels[i]) + " of item " + std::to_string(i) + " is above 9"};
  return set;
}

Result<ImageSet> load_fashion_mnist(const std::filesystem::path& dir, Split split, std::size_t limit) {
  const auto images = pick(dir, stem(split, true)), labels = pick(dir, stem(split, false));
  if (!std::filesystem::exists(images) || !std::filesystem::exists(labels))
    return Error{"Fashion-MNIST not found in " + dir.string() +
                 " (install Debian's dataset-fashion-mnist, or set VERDICT_FASHION_MNIST)"};
  return read_idx_images(images, labels, limit);
}

}  // namespace verdict::nn
