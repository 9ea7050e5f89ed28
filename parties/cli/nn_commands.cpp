// verdict import | accuracy | run: the model front end (ONNX -> quantized model, float
// vs quantized accuracy on Fashion-MNIST, integer reference inference).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "base/rng.hpp"
#include "base/vector_files.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "snark/nn/fashion_mnist.hpp"
#include "snark/nn/float_model.hpp"
#include "snark/nn/onnx_import.hpp"
#include "snark/nn/quantize.hpp"

namespace verdict::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}


// Every regular file of dir, sorted by name, each one raw input of `size` bytes.
Result<std::vector<std::vector<std::uint8_t>>> read_input_dir(const std::string& dir, std::size_t size) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error{dir + " is not a directory"};
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) files.push_back(e.path());
  if (ec) return Error{"cannot list " + dir + ": " + ec.message()};
  std::sort(files.begin(), files.end());
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& f : files) {
    auto b = read_file(f);
    if (!b.ok()) return b.error();
    if (b->size() != size)
      return Error{f.string() + " has " + std::to_string(b->size()) + " bytes; the model input needs " + std::to_string(size)};
    out.emplace_back(b->begin(), b->end());
  }
  if (out.empty()) return Error{dir + " holds no input files"};
  return out;
}

bool is_fashion_shape(const nn::Shape& s) { return s == nn::Shape{1, 28, 28}; }

int import_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict import";
  po::options_description desc(
      "verdict import: ONNX -> quantized verdict model (calibrated, int8 weights, uint8 activations)");
  std::string onnx, out, name;
  std::size_t calibration = 1000, random_count = 0;
  std::uint64_t seed = 1;
  std::uint32_t shift = 0;
  double percentile = 100;
  desc.add_options()("help,h", "show this help")                                                      //
      ("onnx", po::value<std::string>(&onnx)->required(), "the ONNX model (input: pixel/255, [1, C, H, W])")  //
      ("out,o", po::value<std::string>(&out)->required(), "write the quantized model here")                 //
      ("calibration", po::value<std::size_t>(&calibration),
       "calibrate on the first N Fashion-MNIST training images (default 1000; [1, 28, 28] models)")  //
      ("calibration-dir", po::value<std::string>(),
       "calibrate on every file of this directory instead: raw uint8 inputs, channel-major, C*H*W bytes each")  //
      ("calibration-random", po::value<std::size_t>(&random_count),
       "calibrate on N seeded random images instead (models with random weights, benchmarks)")  //
      ("seed", po::value<std::uint64_t>(&seed), "seed of --calibration-random (default 1)")       //
      ("percentile", po::value<double>(&percentile),
       "per-tensor range: the (100-P)..P percentiles instead of min/max (default 100 = min/max)")  //
      ("shift", po::value<std::uint32_t>(&shift), "requantization shift S in [1, 30] (default: the largest that fits)")  //
      ("name", po::value<std::string>(&name), "model name (default: the ONNX graph name, else the file name)")  //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or /usr/share/datasets/fashion-mnist)");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  if (vm.count("calibration-dir") + vm.count("calibration-random") + vm.count("calibration") > 1)
    return fail(cmd, "give at most one of --calibration, --calibration-dir, --calibration-random");
  if (vm.count("shift") && (shift < 1 || shift > 30)) return fail(cmd, "--shift must be in [1, 30]");
  if (vm.count("calibration") && calibration == 0) return fail(cmd, "--calibration must be at least 1");
  if (vm.count("calibration-random") && random_count == 0) return fail(cmd, "--calibration-random must be at least 1");
  const auto t0 = std::chrono::steady_clock::now();
  auto fm = nn::import_onnx(onnx);
  if (!fm.ok()) return fail(cmd, fm.error().message);
  const nn::Shape in_shape = fm->tensors[fm->input].shape;
  std::vector<std::vector<std::uint8_t>> calib;
  std::string source;
  if (vm.count("calibration-dir")) {
    auto r = read_input_dir(vm["calibration-dir"].as<std::string>(), in_shape.size());
    if (!r.ok()) return fail(cmd, r.error().message);
    calib = std::move(*r);
    source = vm["calibration-dir"].as<std::string>();
  } else if (vm.count("calibration-random")) {
    ChaChaRng rng(seed);
    calib.assign(random_count, std::vector<std::uint8_t>(in_shape.size()));
    for (auto& img : calib) rng.fill(img);
    source = "random images, seed " + std::to_string(seed);
  } else {
    if (!is_fashion_shape(in_shape))
      return fail(cmd, "the model input is " + in_shape.to_string() +
                           "; Fashion-MNIST calibration needs [1, 28, 28]: give --calibration-dir or --calibration-random");
    auto train = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTrain, calibration);
    if (!train.ok()) return fail(cmd, train.error().message);
    for (std::size_t i = 0; i < train->size(); ++i) calib.push_back(train->image_vector(i));
    source = "Fashion-MNIST training images 0.." + std::to_string(calib.size() - 1);
  }
  nn::CalibrationOptions copt;
  copt.percentile = percentile;
  auto cal = nn::calibrate(*fm, calib, copt);
  if (!cal.ok()) return fail(cmd, cal.error().message);
  nn::QuantizeOptions qopt;
  qopt.shift = shift;
  qopt.name = name.empty() ? fs::path(onnx).stem().string() : name;
  if (name.empty() && !fm->name.empty() && fm->name != "torch_jit" && fm->name != "main_graph") qopt.name = fm->name;
  auto q = nn::quantize(*fm, *cal, qopt);
  if (!q.ok()) return fail(cmd, q.error().message);
  const auto bytes = q->to_bytes();
  if (auto st = write_bytes(out, bytes); !st.ok()) return fail(cmd, st.error().message);
  std::cout << "imported " << onnx << ": " << fm->layers.size() << " layers, " << q->num_parameters() << " parameters, "
            << fm->macs() << " MACs, input " << in_shape.to_string() << ", output "
            << q->tensors[q->output].shape.to_string() << "\n";
  for (std::size_t i = 0; i < fm->layers.size(); ++i) {
    const nn::FloatLayer& l = fm->layers[i];
    const nn::TensorInfo& t = q->tensors[l.output];
    std::cout << "  " << std::setw(3) << i << " " << std::left << std::setw(14) << nn::to_string(l.kind) << std::setw(40)
              << l.name.substr(0, 39) << std::right << " " << t.shape.to_string() << " scale " << t.scale << " zp "
              << t.zero_point << (l.activation != nn::Activation::kNone ? " (" + nn::to_string(l.activation) + ")" : "")
              << "\n";
  }
  std::cout << "calibrated on " << calib.size() << " inputs (" << source << ")"
            << (percentile < 100 ? ", percentile " + std::to_string(percentile) : ", min/max") << "; shift " << q->shift
            << "\nwrote " << out << " (" << bytes.size() << " bytes) in " << seconds_since(t0) << " s\n";
  return kExitOk;
}

int accuracy_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict accuracy";
  po::options_description desc("verdict accuracy: float (ONNX) vs quantized (integer reference) accuracy on the "
                               "Fashion-MNIST test set");
  std::string onnx, model_path;
  std::size_t limit = 10000;
  double max_drop = -1;
  desc.add_options()("help,h", "show this help")                                                           //
      ("onnx", po::value<std::string>(&onnx)->required(), "the float ONNX model")                         //
      ("model", po::value<std::string>(&model_path)->required(), "the quantized model (verdict import)")  //
      ("limit", po::value<std::size_t>(&limit), "evaluate the first N test images (default all 10,000)")  //
      ("max-drop", po::value<double>(&max_drop),
       "exit 1 when the quantized accuracy is more than this many points below the float accuracy")  //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or /usr/share/datasets/fashion-mnist)");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  if (limit == 0) return fail(cmd, "--limit must be at least 1");
  auto fm = nn::import_onnx(onnx);
  if (!fm.ok()) return fail(cmd, fm.error().message);
  auto q = read_model(model_path);
  if (!q.ok()) return fail(cmd, q.error().message);
  const nn::Shape fs_in = fm->tensors[fm->input].shape, q_in = q->tensors[q->input].shape;
  if (!(fs_in == q_in)) return fail(cmd, "the ONNX input " + fs_in.to_string() + " and the model input " + q_in.to_string() + " differ");
  if (!is_fashion_shape(q_in)) return fail(cmd, "the model input is " + q_in.to_string() + ", Fashion-MNIST images are [1, 28, 28]");
  if (q->tensors[q->output].shape.size() != 10 || fm->tensors[fm->output].shape.size() != 10)
    return fail(cmd, "the models must have 10 outputs (the Fashion-MNIST classes)");
  auto test = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTest, limit);
  if (!test.ok()) return fail(cmd, test.error().message);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t float_ok = 0, quant_ok = 0, agree = 0;
  for (std::size_t i = 0; i < test->size(); ++i) {
    auto y = fm->run(nn::pixels_to_float(test->image(i)));
    if (!y.ok()) return fail(cmd, "test image " + std::to_string(i) + ": " + y.error().message);
    auto t = nn::run_reference(*q, test->image(i));
    if (!t.ok()) return fail(cmd, "test image " + std::to_string(i) + ": " + t.error().message);
    const std::size_t pf = nn::argmax(std::span<const float>(*y));
    const std::size_t pq = nn::argmax(std::span<const std::uint8_t>((*t)[q->output]));
    float_ok += pf == test->labels[i];
    quant_ok += pq == test->labels[i];
    agree += pf == pq;
  }
  const double n = double(test->size());
  const double af = 100.0 * double(float_ok) / n, aq = 100.0 * double(quant_ok) / n;
  std::cout << std::fixed << std::setprecision(2) << "Fashion-MNIST test images: " << test->size() << "\n"
            << "float accuracy (ONNX, our interpreter):       " << af << "% (" << float_ok << ")\n"
            << "quantized accuracy (integer reference):       " << aq << "% (" << quant_ok << ")\n"
            << "difference (quantized - float):               " << std::showpos << aq - af << std::noshowpos
            << " points\n"
            << "top-1 agreement float vs quantized:           " << 100.0 * double(agree) / n << "%\n"
            << std::defaultfloat << "(" << seconds_since(t0) << " s)\n";
  if (max_drop >= 0 && af - aq > max_drop) {
    std::cout << "REJECTED: the quantized model loses more than " << max_drop << " points\n";
    return kExitRejected;
  }
  return kExitOk;
}

int run_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict run";
  po::options_description desc("verdict run: integer reference inference of a quantized model on one input");
  std::string model_path, input_path;
  std::size_t test_image = 0;
  desc.add_options()("help,h", "show this help")                                                          //
      ("model", po::value<std::string>(&model_path)->required(), "the quantized model (verdict import)")  //
      ("input", po::value<std::string>(&input_path), "raw uint8 input: C*H*W bytes, channel-major")        //
      ("test-image", po::value<std::size_t>(&test_image), "use Fashion-MNIST test image N as the input instead")  //
      ("onnx", po::value<std::string>(), "also run this float ONNX model on the input and print its output")     //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or /usr/share/datasets/fashion-mnist)");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  if (vm.count("input") + vm.count("test-image") != 1) return fail(cmd, "give exactly one of --input and --test-image");
  auto q = read_model(model_path);
  if (!q.ok()) return fail(cmd, q.error().message);
  const nn::Shape in_shape = q->tensors[q->input].shape;
  std::vector<std::uint8_t> input;
  int label = -1;
  if (vm.count("input")) {
    auto b = read_file(input_path);
    if (!b.ok()) return fail(cmd, b.error().message);
    if (b->size() != in_shape.size())
      return fail(cmd, input_path + " has " + std::to_string(b->size()) + " bytes; the model input " +
                           in_shape.to_string() + " needs " + std::to_string(in_shape.size()));
    input.assign(b->begin(), b->end());
  } else {
    if (!is_fashion_shape(in_shape)) return fail(cmd, "--test-image needs a [1, 28, 28] model, this one takes " + in_shape.to_string());
    auto test = nn::load_fashion_mnist(dataset_dir(vm), nn::Split::kTest);
    if (!test.ok()) return fail(cmd, test.error().message);
    if (test_image >= test->size()) return fail(cmd, "--test-image must be below " + std::to_string(test->size()));
    input = test->image_vector(test_image);
    label = test->labels[test_image];
  }
  auto t = nn::run_reference(*q, input);
  if (!t.ok()) return fail(cmd, t.error().message);
  const nn::TensorInfo& out = q->tensors[q->output];
  const auto& qy = (*t)[q->output];
  const auto real = nn::dequantize(out, qy);
  std::cout << "output '" << out.name << "' " << out.shape.to_string() << " (scale " << out.scale << ", zero point "
            << out.zero_point << ")\n  uint8:";
  for (auto v : qy) std::cout << " " << int(v);
  std::cout << "\n  real: ";
  for (float v : real) std::cout << " " << v;
  const std::size_t top = nn::argmax(std::span<const std::uint8_t>(qy));
  std::cout << "\nargmax: " << top;
  const bool fashion = is_fashion_shape(in_shape) && qy.size() == 10;
  if (fashion) std::cout << " (" << nn::kFashionMnistClasses[top] << ")";
  if (label >= 0) std::cout << "; label " << label << " (" << nn::kFashionMnistClasses[std::size_t(label)] << ")";
  std::cout << "\n";
  if (vm.count("onnx")) {
    auto fm = nn::import_onnx(vm["onnx"].as<std::string>());
    if (!fm.ok()) return fail(cmd, fm.error().message);
    auto y = fm->run(nn::pixels_to_float(input));
    if (!y.ok()) return fail(cmd, y.error().message);
    std::cout << "float (ONNX):";
    for (float v : *y) std::cout << " " << v;
    std::cout << "\nfloat argmax: " << nn::argmax(std::span<const float>(*y)) << "\n";
  }
  return kExitOk;
}

}  // namespace

Command import_command() {
  return {"import", "ONNX -> calibrated, quantized verdict model", import_main, {}};
}

Command accuracy_command() {
  return {"accuracy", "Float vs quantized accuracy on the Fashion-MNIST test set", accuracy_main, {}};
}

Command run_command() {
  return {"run", "Integer reference inference of a quantized model on one input", run_main, {}};
}

}  // namespace verdict::cli
