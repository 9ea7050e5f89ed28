#pragma once
// Files and inputs shared by the model commands (import, run, accuracy, setup, prove,
// verify, commit, inspect): every reader returns an Error naming the file and the fault.
#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "snark/nn/model.hpp"

namespace verdict::cli {

Result<nn::Model> read_model(const std::string& path);
// Writes through a temporary file and a rename (never a half-written file).
Status write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes);
Result<std::vector<std::uint8_t>> read_bytes(const std::string& path);
// --dataset, else $VERDICT_FASHION_MNIST, else Debian's directory.
std::string dataset_dir(const boost::program_options::variables_map& vm);
// A model input from a raw file (C*H*W bytes), a JSON file (an array of C*H*W integers in
// [0, 255], or {"input": [...]}) or a Fashion-MNIST test image; `shape` is the model's.
Result<std::vector<std::uint8_t>> read_model_input(const boost::program_options::variables_map& vm, const nn::Shape& shape);

}  // namespace verdict::cli
