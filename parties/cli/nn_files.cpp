#include "parties/cli/nn_files.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/vector_files.hpp"
#include "snark/nn/fashion_mnist.hpp"

namespace verdict::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

Result<nn::Model> read_model(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes.ok()) return bytes.error();
  auto m = nn::Model::from_bytes(std::span(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()));
  if (!m.ok()) return m.error().context(path);
  return m;
}

Status write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Error{"cannot write " + tmp};
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f.flush()) return Error{"cannot write " + tmp};
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Error{"cannot rename " + tmp + " to " + path + ": " + ec.message()};
  return {};
}

std::string dataset_dir(const po::variables_map& vm) {
  return vm.count("dataset") ? vm["dataset"].as<std::string>() : nn::fashion_mnist_dir().string();
}

Result<std::vector<std::uint8_t>> read_bytes(const std::string& path) {
  auto b = read_file(path);
  if (!b.ok()) return b.error();
  return std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(b->data()),
                                   reinterpret_cast<const std::uint8_t*>(b->data()) + b->size());
}

Result<std::vector<std::uint8_t>> read_model_input(const po::variables_map& vm, const nn::Shape& shape) {
  const std::size_t given = vm.count("input") + vm.count("input-json") + vm.count("test-image");
  if (given != 1) return Error{"give exactly one of --input, --input-json and --test-image"};
  if (vm.count("input")) {
    const std::string path = vm["input"].as<std::string>();
    auto b = read_bytes(path);
    if (!b.ok()) return b.error();
    if (b->size() != shape.size())
      return Error{path + " has " + std::to_string(b->size()) + " bytes; the model input " + shape.to_string() + " needs " +
                   std::to_string(shape.size())};
    return b;
  }
  if (vm.count("input-json")) {
    const std::string path = vm["input-json"].as<std::string>();
    auto b = read_file(path);
    if (!b.ok()) return b.error();
    nlohmann::json j = nlohmann::json::parse(b->begin(), b->end(), nullptr, false);
    if (j.is_discarded()) return Error{path + ": not valid JSON"};
    if (j.is_object() && j.contains("input")) j = j["input"];
    if (!j.is_array()) return Error{path + ": expected an array of byte values or {\"input\": [...]}"};
    if (j.size() != shape.size())
      return Error{path + " has " + std::to_string(j.size()) + " values; the model input " + shape.to_string() + " needs " +
                   std::to_string(shape.size())};
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (!j[i].is_number_integer() || j[i].get<std::int64_t>() < 0 || j[i].get<std::int64_t>() > 255)
        return Error{path + ": value " + std::to_string(i) + " is not an integer in [0, 255]"};
      out.push_back(std::uint8_t(j[i].get<int>()));
    }
    return out;
  }
  if (!(shape == nn::Shape{1, 28, 28})) return Error{"--test-image needs a [1, 28, 28] model, this one takes " + shape.to_string()};
  const std::size_t index = vm["test-image"].as<std::size_t>();
  auto test = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTest);
  if (!test.ok()) return test.error();
  if (index >= test->size()) return Error{"--test-image must be below " + std::to_string(test->size())};
  return test->image_vector(index);
}

}  // namespace verdict::cli
