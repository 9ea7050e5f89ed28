#pragma once
// Fashion-MNIST (Zalando, MIT licence) as Debian's dataset-fashion-mnist installs it:
// /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
//
// IDX format (big-endian): magic 0x00000803 (uint8, 3 dimensions) then the counts
// N, rows, cols and N*rows*cols pixels for images; 0x00000801, N and N labels for
// labels. Files may be gzip-compressed or plain (zlib reads both). Images are 28x28
// uint8, 0 = background; labels 0..9 (T-shirt/top, Trouser, Pullover, Dress, Coat,
// Sandal, Shirt, Sneaker, Bag, Ankle boot). The training split has 60,000 images,
// the test split 10,000.

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace verdict::nn {

struct ImageSet {
  std::uint32_t rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // image i at [i*rows*cols, (i+1)*rows*cols)
  std::vector<std::uint8_t> labels;

  std::size_t size() const { return labels.size(); }
  std::span<const std::uint8_t> image(std::size_t i) const {
    const std::size_t n = std::size_t(rows) * cols;
    return std::span<const std::uint8_t>(pixels).subspan(i * n, n);
  }
  // Image i as its own vector (a model input).
  std::vector<std::uint8_t> image_vector(std::size_t i) const {
    auto s = image(i);
    return {s.begin(), s.end()};
  }
};

enum class Split { kTrain, kTest };

inline constexpr std::string_view kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr std::array<std::string_view, 10> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

// The dataset directory: $VERDICT_FASHION_MNIST when set, else kFashionMnistDir.
std::filesystem::path fashion_mnist_dir();

// True when both files of the split exist in `dir` (as .gz or plain).
bool fashion_mnist_present(const std::filesystem::path& dir, Split split);

// The first min(limit, N) images and labels of a split. Errors name the file: missing,
// not gzip/IDX, a wrong magic, counts that disagree, truncated data, a label above 9.
Result<ImageSet> load_fashion_mnist(const std::filesystem::path& dir, Split split,
                                    std::size_t limit = std::numeric_limits<std::size_t>::max());

// One IDX image file and its label file (gzip or plain).
Result<ImageSet> read_idx_images(const std::filesystem::path& images, const std::filesystem::path& labels,
                                 std::size_t limit = std::numeric_limits<std::size_t>::max());

}  // namespace verdict::nn
