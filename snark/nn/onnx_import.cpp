#include "snark/nn/onnx_import.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <variant>

namespace verdict::nn {
namespace {

static_assert(std::endian::native == std::endian::little, "raw ONNX tensor data is little-endian");

using Dims = std::vector<std::int64_t>;

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

// A compile-time-known tensor: an initializer, a Constant, or a folded shape
// computation. Values are held as doubles (float32 and int64 shape values are exact).
struct Const {
  Dims dims;
  bool integer = false;
  std::vector<double> v;
};

// A run-time tensor of the float model. dims are the ONNX dims, dims[0] = 1 (batch).
struct Dyn {
  std::uint32_t tensor = 0;
  Dims dims;
};

using Value = std::variant<Const, Dyn>;

// Element count of dims, or nullopt on a negative dimension or above `max`.
std::optional<std::size_t> element_count(const Dims& dims, std::size_t max) {
  std::size_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0) return std::nullopt;
    if (d == 0) return std::size_t(0);
  }
  for (std::int64_t d : dims) {
    if (std::uint64_t(d) > max || n > max / std::size_t(d)) return std::nullopt;
    n *= std::size_t(d);
  }
  return n;
}

template <class T>
bool read_raw(const std::string& raw, std::size_t n, std::vector<double>& out) {
  if (raw.size() != n * sizeof(T)) return false;
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    T x;
    std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = double(x);
  }
  return true;
}

Result<Const> to_const(const onnx::TensorProto& t, std::size_t max_elements) {
  const std::string what = "tensor '" + t.name() + "'";
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    return Error{what + " uses external data (not supported: embed the weights in the .onnx file)"};
  if (t.has_segment()) return Error{what + " is segmented (not supported)"};
  Const c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  auto n = element_count(c.dims, max_elements);
  if (!n) return Error{what + " has an invalid or oversized shape " + dims_str(c.dims)};
  const bool raw = t.has_raw_data();
  bool ok = false;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) {
        ok = read_raw<float>(t.raw_data(), *n, c.v);
      } else if (std::size_t(t.float_data_size()) == *n) {
        c.v.assign(t.float_data().begin(), t.float_data().end());
        ok = true;
      }
      break;
    case onnx::TensorProto::DOUBLE:
      if (raw) {
        ok = read_raw<double>(t.raw_data(), *n, c.v);
      } else if (std::size_t(t.double_data_size()) == *n) {
        c.v.assign(t.double_data().begin(), t.double_data().end());
        ok = true;
      }
      break;
    case onnx::TensorProto::INT64:
      c.integer = true;
      if (raw) {
        ok = read_raw<std::int64_t>(t.raw_data(), *n, c.v);
      } else if (std::size_t(t.int64_data_size()) == *n) {
        c.v.assign(t.int64_data().begin(), t.int64_data().end());
        ok = true;
      }
      break;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::BOOL: {
      c.integer = true;
      const auto dt = t.data_type();
      if (raw) {
        ok = dt == onnx::TensorProto::INT32   ? read_raw<std::int32_t>(t.raw_data(), *n, c.v)
             : dt == onnx::TensorProto::INT16 ? read_raw<std::int16_t>(t.raw_data(), *n, c.v)
             : dt == onnx::TensorProto::INT8  ? read_raw<std::int8_t>(t.raw_data(), *n, c.v)
             : dt == onnx::TensorProto::UINT16 ? read_raw<std::uint16_t>(t.raw_data(), *n, c.v)
                                               : read_raw<std::uint8_t>(t.raw_data(), *n, c.v);
      } else if (std::size_t(t.int32_data_size()) == *n) {
        c.v.assign(t.int32_data().begin(), t.int32_data().end());
        ok = true;
      }
      break;
    }
    default:
      return Error{what + " has ONNX data type " + std::to_string(t.data_type()) + " (not supported)"};
  }
  if (!ok) return Error{what + ": the data does not match the shape " + dims_str(c.dims)};
  return c;
}

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const ImportOptions& options) : mp_(model), g_(model.graph()), opt_(options) {}

  Result<FloatModel> run();

 private:
  // ---- node context ----
  Error node_error(const std::string& what) const { return Error{"node '" + node_name_ + "' (" + op_ + "): " + what}; }
  const onnx::AttributeProto* attr(const std::string& name) const {
    for (const auto& a : node_->attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  Status check_attrs(std::initializer_list<const char*> known) const;
  Result<std::int64_t> attr_int(const std::string& name, std::int64_t dflt) const;
  Result<double> attr_float(const std::string& name, double dflt) const;
  Result<Dims> attr_ints(const std::string& name, Dims dflt) const;
  Result<std::string> attr_string(const std::string& name, std::string dflt) const;

  std::string in_name(int i) const { return i < node_->input_size() ? canon(node_->input(i)) : std::string(); }
  bool has_input(int i) const { return i < node_->input_size() && !node_->input(i).empty(); }
  Result<Value> input(int i) const;
  Result<Const> const_input(int i, const std::string& role) const;
  Result<Dyn> dyn_input(int i) const;
  Status define(const std::string& name, Value v);
  Status only_first_output() const;

  // The value a name refers to: through the Identity/Dropout nodes processed so far
  // (canon), or through all of them (canon_all, for counting consumers up front).
  std::string canon(const std::string& name) const {
    auto it = alias_.find(name);
    return it == alias_.end() ? name : it->second;
  }
  std::string canon_all(const std::string& name) const {
    auto it = alias_all_.find(name);
    return it == alias_all_.end() ? name : it->second;
  }

  // ---- model building ----
  Result<Shape> ir_shape(const Dims& dims) const;
  Result<std::uint32_t> add_tensor(const std::string& name, const Dims& dims);
  Status add_layer(FloatLayer layer, const Dims& out_dims);
  std::optional<std::size_t> sole_producer(std::uint32_t tensor) const;
  Status reshape_to(const Dyn& x, Dims dims);
  Result<std::vector<double>> per_channel(const Const& c, const Dims& x_dims, const std::string& role) const;
  Status fold_affine(const Dyn& x, std::vector<double> a, std::vector<double> b);
  Status fuse_activation(const Dyn& x, Activation act);
  Status add_macs(std::uint64_t n);

  // ---- ops ----
  Status node();
  Status op_conv();
  Status op_gemm();
  Status op_matmul();
  Status op_binary();
  Status op_batchnorm();
  Status op_activation();
  Status op_pool();
  Status op_global_pool();
  Status op_reduce_mean();
  Status op_flatten();
  Status op_reshape();
  Status op_squeeze_unsqueeze();
  Status op_shape();
  Status op_constant();
  Status op_fold();  // the constant-only ops

  void prune();

  const onnx::ModelProto& mp_;
  const onnx::GraphProto& g_;
  const ImportOptions& opt_;
  std::int64_t opset_ = 0;

  FloatModel m_;
  std::map<std::string, Value> values_;
  std::map<std::string, std::string> alias_;      // Identity/Dropout output -> its input, as processed
  std::map<std::string, std::string> alias_all_;  // the same for the whole graph
  std::map<std::string, int> uses_;           // consumers of each canonical value (Shape excluded)
  std::vector<int> producer_;                 // per tensor: producing layer, -1 for the input
  std::vector<std::string> tensor_value_;     // per tensor: the canonical name of the value it holds
  std::vector<bool> shared_;                  // per tensor: held under two names (never fused into)
  std::uint64_t macs_ = 0;

  const onnx::NodeProto* node_ = nullptr;
  std::string node_name_, op_;
};

// ---- attributes ----

Status Importer::check_attrs(std::initializer_list<const char*> known) const {
  for (const auto& a : node_->attribute()) {
    bool found = false;
    for (const char* k : known) found = found || a.name() == k;
    if (!found) return node_error("attribute '" + a.name() + "' is not supported");
  }
  return {};
}

Result<std::int64_t> Importer::attr_int(const std::string& name, std::int64_t dflt) const {
  const auto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::INT) return node_error("attribute '" + name + "' must be an integer");
  return std::int64_t(a->i());
}

Result<double> Importer::attr_float(const std::string& name, double dflt) const {
  const auto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT) return node_error("attribute '" + name + "' must be a float");
  return double(a->f());
}

Result<Dims> Importer::attr_ints(const std::string& name, Dims dflt) const {
  const auto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::INTS) return node_error("attribute '" + name + "' must be a list of integers");
  return Dims(a->ints().begin(), a->ints().end());
}

Result<std::string> Importer::attr_string(const std::string& name, std::string dflt) const {
  const auto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::STRING) return node_error("attribute '" + name + "' must be a string");
  return a->s();
}

// ---- values ----

Result<Value> Importer::input(int i) const {
  if (!has_input(i)) return node_error("missing input " + std::to_string(i));
  auto it = values_.find(in_name(i));
  if (it == values_.end())
    return node_error("input '" + node_->input(i) + "' is not defined before its use (is the graph sorted?)");
  return it->second;
}

Result<Const> Importer::const_input(int i, const std::string& role) const {
  auto v = input(i);
  if (!v.ok()) return v.error();
  if (!std::holds_alternative<Const>(*v))
    return node_error(role + " '" + node_->input(i) + "' must be a constant (an initializer), not a computed tensor");
  return std::get<Const>(*v);
}

Result<Dyn> Importer::dyn_input(int i) const {
  auto v = input(i);
  if (!v.ok()) return v.error();
  if (!std::holds_alternative<Dyn>(*v))
    return node_error("input '" + node_->input(i) + "' is a constant; " + op_ + " is supported on computed tensors only");
  return std::get<Dyn>(*v);
}

Status Importer::define(const std::string& name, Value v) {
  if (name.empty()) return node_error("an output has an empty name");
  if (values_.count(name) || alias_.count(name)) return node_error("value '" + name + "' is defined twice");
  values_.emplace(name, std::move(v));
  return {};
}

Status Importer::only_first_output() const {
  if (node_->output_size() < 1) return node_error("the node has no output");
  for (int i = 1; i < node_->output_size(); ++i) {
    const std::string& o = node_->output(i);
    if (!o.empty() && uses_.count(canon_all(o)) && uses_.at(canon_all(o)) > 0)
      return node_error("output " + std::to_string(i) + " ('" + o + "') is used; only the first output is supported");
  }
  return {};
}

Result<Shape> Importer::ir_shape(const Dims& dims) const {
  if (dims.size() < 2 || dims.size() > 4)
    return node_error("tensor shape " + dims_str(dims) + ": rank 2 to 4 ([1, K] or [1, C, H, W]) is supported");
  if (dims[0] != 1) return node_error("tensor shape " + dims_str(dims) + ": the batch dimension must be 1");
  auto n = element_count(dims, opt_.max_tensor_elements);
  if (!n || *n == 0)
    return node_error("tensor shape " + dims_str(dims) + " is empty or above the limit of " +
                      std::to_string(opt_.max_tensor_elements) + " elements");
  Shape s;
  s.c = std::uint32_t(dims[1]);
  s.h = dims.size() > 2 ? std::uint32_t(dims[2]) : 1;
  s.w = dims.size() > 3 ? std::uint32_t(dims[3]) : 1;
  return s;
}

Result<std::uint32_t> Importer::add_tensor(const std::string& name, const Dims& dims) {
  auto s = ir_shape(dims);
  if (!s.ok()) return s.error();
  m_.tensors.push_back({name, *s});
  producer_.push_back(-1);
  tensor_value_.push_back(name);
  shared_.push_back(false);
  return std::uint32_t(m_.tensors.size() - 1);
}

Status Importer::add_layer(FloatLayer layer, const Dims& out_dims) {
  const std::string& out = node_->output(0);
  auto t = add_tensor(out, out_dims);
  if (!t.ok()) return t.error();
  layer.name = node_name_;
  if (layer.op_type.empty()) layer.op_type = op_;
  layer.output = *t;
  producer_[*t] = int(m_.layers.size());
  m_.layers.push_back(std::move(layer));
  return define(out, Dyn{*t, out_dims});
}

std::optional<std::size_t> Importer::sole_producer(std::uint32_t tensor) const {
  if (producer_[tensor] < 0 || shared_[tensor]) return std::nullopt;
  auto it = uses_.find(tensor_value_[tensor]);
  if (it == uses_.end() || it->second != 1) return std::nullopt;
  return std::size_t(producer_[tensor]);
}

Status Importer::add_macs(std::uint64_t n) {
  macs_ += n;
  if (macs_ > opt_.max_macs) return node_error("the model exceeds " + std::to_string(opt_.max_macs) + " multiply-accumulates");
  return {};
}

// The same values under a new shape: no layer when the [C, H, W] view is unchanged.
Status Importer::reshape_to(const Dyn& x, Dims dims) {
  auto s = ir_shape(dims);
  if (!s.ok()) return s.error();
  if (s->size() != m_.tensors[x.tensor].shape.size())
    return node_error("reshape from " + dims_str(x.dims) + " to " + dims_str(dims) + " changes the element count");
  const std::string& out = node_->output(0);
  if (*s == m_.tensors[x.tensor].shape) {
    auto it = uses_.find(tensor_value_[x.tensor]);
    if (it != uses_.end() && it->second == 1)
      tensor_value_[x.tensor] = out;  // the old name has no other reader
    else
      shared_[x.tensor] = true;
    return define(out, Dyn{x.tensor, std::move(dims)});
  }
  FloatLayer l;
  l.kind = LayerKind::kReshape;
  l.inputs = {x.tensor};
  return add_layer(std::move(l), dims);
}

// A constant that broadcasts against x_dims and varies (at most) along axis 1, as one
// value per channel.
Result<std::vector<double>> Importer::per_channel(const Const& c, const Dims& x_dims, const std::string& role) const {
  const std::size_t r = x_dims.size(), cr = c.dims.size();
  if (cr > r) return node_error(role + " of shape " + dims_str(c.dims) + " has a higher rank than " + dims_str(x_dims));
  if (!all_finite(c.v)) return node_error(role + " holds NaN or Inf");
  const std::size_t channels = std::size_t(x_dims[1]);
  bool varies = false;
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t cd = i + cr >= r ? c.dims[i + cr - r] : 1;
    if (cd == 1) continue;
    if (cd != x_dims[i])
      return node_error(role + " of shape " + dims_str(c.dims) + " does not broadcast to " + dims_str(x_dims));
    if (i != 1)
      return node_error(role + " of shape " + dims_str(c.dims) +
                        " varies along axis " + std::to_string(i) + "; only per-channel constants are supported");
    varies = true;
  }
  if (c.v.empty()) return node_error(role + " is empty");
  std::vector<double> out(channels);
  for (std::size_t ch = 0; ch < channels; ++ch) out[ch] = varies ? c.v[ch] : c.v[0];
  return out;
}

// y = a[c] * x + b[c] per channel: folded into the producing Conv/Gemm when nothing
// else reads its output, else a depthwise 1x1 convolution.
Status Importer::fold_affine(const Dyn& x, std::vector<double> a, std::vector<double> b) {
  const std::string& out = node_->output(0);
  if (auto p = sole_producer(x.tensor)) {
    FloatLayer& l = m_.layers[*p];
    if ((l.kind == LayerKind::kConv || l.kind == LayerKind::kGemm) && l.activation == Activation::kNone) {
      const std::size_t cout = l.bias.size(), per = l.weights.size() / cout;
      for (std::size_t co = 0; co < cout; ++co) {
        for (std::size_t k = 0; k < per; ++k) l.weights[co * per + k] = float(double(l.weights[co * per + k]) * a[co]);
        l.bias[co] = float(a[co] * double(l.bias[co]) + b[co]);
      }
      for (float w : l.weights)
        if (!std::isfinite(w)) return node_error("folding into '" + l.name + "' overflows float");
      for (float w : l.bias)
        if (!std::isfinite(w)) return node_error("folding into '" + l.name + "' overflows float");
      l.op_type += "+" + op_;
      m_.tensors[x.tensor].name = out;
      tensor_value_[x.tensor] = out;
      return define(out, Dyn{x.tensor, x.dims});
    }
  }
  const std::uint32_t channels = m_.tensors[x.tensor].shape.c;
  if (a.size() != channels) return node_error("internal: channel count mismatch");
  FloatLayer l;
  l.kind = LayerKind::kConv;
  l.groups = channels;
  l.inputs = {x.tensor};
  l.op_type = op_ + " (as a depthwise 1x1 convolution)";
  for (std::size_t c = 0; c < channels; ++c) {
    l.weights.push_back(float(a[c]));
    l.bias.push_back(float(b[c]));
  }
  if (auto st = add_macs(m_.tensors[x.tensor].shape.size()); !st.ok()) return st;
  return add_layer(std::move(l), x.dims);
}

Status Importer::fuse_activation(const Dyn& x, Activation act) {
  // Walk back through MaxPool and Reshape (max and reshaping commute with a monotone
  // activation) to the Conv/Gemm/Add that computes the values.
  std::uint32_t t = x.tensor;
  for (;;) {
    auto p = sole_producer(t);
    if (!p) {
      if (producer_[t] < 0) return node_error("cannot fuse the activation: its input is the model input");
      return node_error("cannot fuse the activation into '" + m_.layers[std::size_t(producer_[t])].name +
                        "': its output '" + tensor_value_[t] + "' has other consumers");
    }
    FloatLayer& l = m_.layers[*p];
    if (l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kReshape) {
      t = l.inputs[0];
      continue;
    }
    if (l.kind != LayerKind::kConv && l.kind != LayerKind::kGemm && l.kind != LayerKind::kAdd)
      return node_error("cannot fuse the activation into '" + l.name + "' (" + l.op_type +
                        "): only Conv, Gemm and Add take an activation");
    // relu(relu6(v)) = relu6(v), relu6(relu(v)) = relu6(v).
    l.activation = std::max(l.activation, act);
    l.op_type += "+" + op_;
    break;
  }
  const std::string& out = node_->output(0);
  m_.tensors[x.tensor].name = out;
  tensor_value_[x.tensor] = out;
  return define(out, Dyn{x.tensor, x.dims});
}

// ---- ops ----

Status Importer::op_conv() {
  if (auto st = check_attrs({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}); !st.ok()) return st;
  auto x = dyn_input(0);
  if (!x.ok()) return x.error();
  auto w = const_input(1, "weight");
  if (!w.ok()) return w.error();
  if (x->dims.size() != 4) return node_error("input of shape " + dims_str(x->dims) + ": only 2-D convolutions ([1, C, H, W]) are supported");
  if (w->dims.size() != 4) return node_error("weight of shape " + dims_str(w->dims) + " must have rank 4");
  auto auto_pad = attr_string("auto_pad", "NOTSET");
  auto dil = attr_ints("dilations", {1, 1});
  auto group = attr_int("group", 1);
  auto kernel = attr_ints("kernel_shape", {w->dims[2], w->dims[3]});
  auto pads = attr_ints("pads", {0, 0, 0, 0});
  auto strides = attr_ints("strides", {1, 1});
  if (!auto_pad.ok()) return auto_pad.error();
  if (!dil.ok()) return dil.error();
  if (!group.ok()) return group.error();
  if (!kernel.ok()) return kernel.error();
  if (!pads.ok()) return pads.error();
  if (!strides.ok()) return strides.error();
  if (*auto_pad != "NOTSET" && *auto_pad != "VALID" && !auto_pad->empty())
    return node_error("auto_pad " + *auto_pad + " is not supported (only NOTSET or VALID)");
  if (*dil != Dims{1, 1}) return node_error("dilations other than 1 are not supported");
  if (kernel->size() != 2 || (*kernel)[0] != w->dims[2] || (*kernel)[1] != w->dims[3])
    return node_error("kernel_shape " + dims_str(*kernel) + " does not match the weight " + dims_str(w->dims));
  if (strides->size() != 2 || pads->size() != 4) return node_error("strides must have 2 values and pads 4");
  if (*auto_pad == "VALID" && *pads != Dims{0, 0, 0, 0}) return node_error("auto_pad VALID with non-zero pads");
  const std::int64_t c_in = x->dims[1], c_out = w->dims[0], g = *group;
  if (c_out < 1) return node_error("weight " + dims_str(w->dims) + " has no output channel");
  if (g < 1 || g > c_in || c_in % g || c_out % g)
    return node_error("group " + std::to_string(g) + " does not divide the channels (" + std::to_string(c_in) + " in, " +
                      std::to_string(c_out) + " out)");
  if (w->dims[1] != c_in / g)
    return node_error("weight " + dims_str(w->dims) + " does not match " + std::to_string(c_in) + " input channels in " +
                      std::to_string(g) + " group(s)");
  for (std::int64_t v : {w->dims[2], w->dims[3], (*strides)[0], (*strides)[1]})
    if (v < 1 || v > 64) return node_error("kernel and stride must be in [1, 64]");
  for (std::int64_t v : *pads)
    if (v < 0 || v > 64) return node_error("padding must be in [0, 64]");
  if (!all_finite(w->v)) return node_error("weight '" + node_->input(1) + "' holds NaN or Inf");
  FloatLayer l;
  l.kind = LayerKind::kConv;
  l.inputs = {x->tensor};
  l.kernel_h = std::uint32_t(w->dims[2]);
  l.kernel_w = std::uint32_t(w->dims[3]);
  l.stride_h = std::uint32_t((*strides)[0]);
  l.stride_w = std::uint32_t((*strides)[1]);
  l.pad_t = std::uint32_t((*pads)[0]);
  l.pad_l = std::uint32_t((*pads)[1]);
  l.pad_b = std::uint32_t((*pads)[2]);
  l.pad_r = std::uint32_t((*pads)[3]);
  l.groups = std::uint32_t(g);
  const std::uint32_t oh = conv_out_dim(std::uint32_t(x->dims[2]), l.kernel_h, l.stride_h, l.pad_t, l.pad_b);
  const std::uint32_t ow = conv_out_dim(std::uint32_t(x->dims[3]), l.kernel_w, l.stride_w, l.pad_l, l.pad_r);
  if (oh == 0 || ow == 0) return node_error("the kernel does not fit the input " + dims_str(x->dims));
  l.weights.assign(w->v.begin(), w->v.end());
  l.bias.assign(std::size_t(c_out), 0.0f);
  if (has_input(2)) {
    auto b = const_input(2, "bias");
    if (!b.ok()) return b.error();
    if (b->v.size() != std::size_t(c_out)) return node_error("bias has " + std::to_string(b->v.size()) + " values, expected " + std::to_string(c_out));
    if (!all_finite(b->v)) return node_error("bias '" + node_->input(2) + "' holds NaN or Inf");
    l.bias.assign(b->v.begin(), b->v.end());
  }
  for (float v : l.weights)
    if (!std::isfinite(v)) return node_error("weight overflows float");
  const Dims out{1, c_out, oh, ow};
  if (auto st = add_macs(std::uint64_t(c_out) * oh * ow * std::uint64_t(w->v.size() / std::size_t(c_out))); !st.ok()) return st;
  return add_layer(std::move(l), out);
}

Status Importer::op_gemm() {
  if (auto st = check_attrs({"alpha", "beta", "transA", "transB"}); !st.ok()) return st;
  auto a = dyn_input(0);
  if (!a.ok()) return a.error();
  auto b = const_input(1, "weight");
  if (!b.ok()) return b.error();
  auto alpha = attr_float("alpha", 1.0);
  auto beta = attr_float("beta", 1.0);
  auto ta = attr_int("transA", 0);
  auto tb = attr_int("transB", 0);
  if (!alpha.ok()) return alpha.error();
  if (!beta.ok()) return beta.error();
  if (!ta.ok()) return ta.error();
  if (!tb.ok()) return tb.error();
  if (*ta != 0) return node_error("transA is not supported");
  if (a->dims.size() != 2) return node_error("input of shape " + dims_str(a->dims) + " must be [1, K]");
  if (b->dims.size() != 2) return node_error("weight of shape " + dims_str(b->dims) + " must have rank 2");
  const std::int64_t k = a->dims[1];
  const std::int64_t n = *tb ? b->dims[0] : b->dims[1];
  if ((*tb ? b->dims[1] : b->dims[0]) != k)
    return node_error("weight " + dims_str(b->dims) + (*tb ? " (transposed)" : "") + " does not match the input " +
                      dims_str(a->dims));
  if (!all_finite(b->v)) return node_error("weight '" + node_->input(1) + "' holds NaN or Inf");
  if (!std::isfinite(*alpha) || !std::isfinite(*beta)) return node_error("alpha or beta is not finite");
  FloatLayer l;
  l.kind = LayerKind::kGemm;
  l.inputs = {a->tensor};
  l.weights.resize(std::size_t(n * k));
  for (std::int64_t o = 0; o < n; ++o)
    for (std::int64_t j = 0; j < k; ++j)
      l.weights[std::size_t(o * k + j)] = float(*alpha * (*tb ? b->v[std::size_t(o * k + j)] : b->v[std::size_t(j * n + o)]));
  l.bias.assign(std::size_t(n), 0.0f);
  const Dims out{1, n};
  if (has_input(2)) {
    auto c = const_input(2, "bias");
    if (!c.ok()) return c.error();
    auto pc = per_channel(*c, out, "bias '" + node_->input(2) + "'");
    if (!pc.ok()) return pc.error();
    for (std::int64_t o = 0; o < n; ++o) l.bias[std::size_t(o)] = float(*beta * (*pc)[std::size_t(o)]);
  }
  for (float v : l.weights)
    if (!std::isfinite(v)) return node_error("weight overflows float");
  if (auto st = add_macs(std::uint64_t(n * k)); !st.ok()) return st;
  return add_layer(std::move(l), out);
}

Status Importer::op_matmul() {
  if (auto st = check_attrs({}); !st.ok()) return st;
  auto a = dyn_input(0);
  if (!a.ok()) return a.error();
  auto b = const_input(1, "weight");
  if (!b.ok()) return b.error();
  if (a->dims.size() != 2) return node_error("input of shape " + dims_str(a->dims) + " must be [1, K]");
  if (b->dims.size() != 2 || b->dims[0] != a->dims[1])
    return node_error("weight of shape " + dims_str(b->dims) + " does not match the input " + dims_str(a->dims));
  if (!all_finite(b->v)) return node_error("weight '" + node_->input(1) + "' holds NaN or Inf");
  const std::int64_t k = b->dims[0], n = b->dims[1];
  FloatLayer l;
  l.kind = LayerKind::kGemm;
  l.inputs = {a->tensor};
  l.weights.resize(std::size_t(n * k));
  for (std::int64_t o = 0; o < n; ++o)
    for (std::int64_t j = 0; j < k; ++j) l.weights[std::size_t(o * k + j)] = float(b->v[std::size_t(j * n + o)]);
  l.bias.assign(std::size_t(n), 0.0f);
  if (auto st = add_macs(std::uint64_t(n * k)); !st.ok()) return st;
  return add_layer(std::move(l), Dims{1, n});
}

// Add, Sub, Mul, Div with at least one computed operand.
Status Importer::op_binary() {
  if (auto st = check_attrs({}); !st.ok()) return st;
  if (node_->input_size() != 2) return node_error("expects two inputs");
  auto v0 = input(0), v1 = input(1);
  if (!v0.ok()) return v0.error();
  if (!v1.ok()) return v1.error();
  const bool d0 = std::holds_alternative<Dyn>(*v0), d1 = std::holds_alternative<Dyn>(*v1);
  if (d0 && d1) {
    if (op_ != "Add") return node_error(op_ + " of two computed tensors is not supported (only Add)");
    const Dyn &x0 = std::get<Dyn>(*v0), &x1 = std::get<Dyn>(*v1);
    if (x0.dims != x1.dims)
      return node_error("operands of shapes " + dims_str(x0.dims) + " and " + dims_str(x1.dims) +
                        " differ (broadcasting is not supported)");
    FloatLayer l;
    l.kind = LayerKind::kAdd;
    l.inputs = {x0.tensor, x1.tensor};
    return add_layer(std::move(l), x0.dims);
  }
  const Dyn& x = d0 ? std::get<Dyn>(*v0) : std::get<Dyn>(*v1);
  const Const& c = d0 ? std::get<Const>(*v1) : std::get<Const>(*v0);
  const std::string cname = node_->input(d0 ? 1 : 0);
  if (x.dims.size() < 2) return node_error("input of shape " + dims_str(x.dims) + " is not [1, C, ...]");
  // The result must keep x's shape: the constant may not broadcast x to a larger shape.
  auto pc = per_channel(c, x.dims, "constant '" + cname + "'");
  if (!pc.ok()) return pc.error();
  const std::size_t channels = pc->size();
  std::vector<double> a(channels, 1.0), b(channels, 0.0);
  for (std::size_t ch = 0; ch < channels; ++ch) {
    const double k = (*pc)[ch];
    if (op_ == "Add") {
      b[ch] = k;
    } else if (op_ == "Sub") {
      if (d0) {
        b[ch] = -k;
      } else {
        a[ch] = -1;
        b[ch] = k;
      }
    } else if (op_ == "Mul") {
      a[ch] = k;
    } else {  // Div
      if (!d0) return node_error("dividing a constant by a computed tensor is not supported");
      if (k == 0) return node_error("division by zero");
      a[ch] = 1.0 / k;
    }
  }
  return fold_affine(x, std::move(a), std::move(b));
}

Status Importer::op_batchnorm() {
  if (auto st = check_attrs({"epsilon", "momentum", "training_mode", "spatial"}); !st.ok()) return st;
  if (auto st = only_first_output(); !st.ok()) return st;
  auto training = attr_int("training_mode", 0);
  if (!training.ok()) return training.error();
  if (*training != 0) return node_error("training_mode 1 is not supported (export the model in eval mode)");
  auto spatial = attr_int("spatial", 1);
  if (!spatial.ok()) return spatial.error();
  if (*spatial != 1) return node_error("spatial 0 is not supported");
  auto eps = attr_float("epsilon", 1e-5);
  if (!eps.ok()) return eps.error();
  auto x = dyn_input(0);
  if (!x.ok()) return x.error();
  if (x->dims.size() < 2) return node_error("input of shape " + dims_str(x->dims) + " is not [1, C, ...]");
  const std::size_t channels = std::size_t(x->dims[1]);
  std::vector<double> p[4];
  const char* roles[4] = {"scale", "bias", "mean", "var"};
  for (int i = 0; i < 4; ++i) {
    auto c = const_input(i + 1, roles[i]);
    if (!c.ok()) return c.error();
    if (c->v.size() != channels)
      return node_error(std::string(roles[i]) + " has " + std::to_string(c->v.size()) + " values, expected " +
                        std::to_string(channels));
    if (!all_finite(c->v)) return node_error(std::string(roles[i]) + " '" + node_->input(i + 1) + "' holds NaN or Inf");
    p[i] = c->v;
  }
  std::vector<double> a(channels), b(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    const double var = p[3][c] + *eps;
    if (!(var > 0)) return node_error("variance + epsilon is not positive in channel " + std::to_string(c));
    a[c] = p[0][c] / std::sqrt(var);
    b[c] = p[1][c] - p[2][c] * a[c];
  }
  return fold_affine(*x, std::move(a), std::move(b));
}

Status Importer::op_activation() {
  Activation act = Activation::kRelu;
  if (op_ == "Relu") {
    if (auto st = check_attrs({}); !st.ok()) return st;
  } else {  // Clip
    if (auto st = check_attrs({"min", "max"}); !st.ok()) return st;
    double lo = -INFINITY, hi = INFINITY;
    auto amin = attr_float("min", -INFINITY), amax = attr_float("max", INFINITY);
    if (!amin.ok()) return amin.error();
    if (!amax.ok()) return amax.error();
    lo = *amin;
    hi = *amax;
    for (int i = 1; i <= 2; ++i) {
      if (!has_input(i)) continue;
      auto c = const_input(i, i == 1 ? "min" : "max");
      if (!c.ok()) return c.error();
      if (c->v.size() != 1) return node_error("min and max must be scalars");
      (i == 1 ? lo : hi) = c->v[0];
    }
    if (lo == 0 && hi == 6) {
      act = Activation::kRelu6;
    } else if (lo == 0 && std::isinf(hi) && hi > 0) {
      act = Activation::kRelu;
    } else {
      auto num = [](double v) { return std::isinf(v) ? std::string(v > 0 ? "+inf" : "-inf") : std::to_string(v); };
      return node_error("Clip(min " + num(lo) + ", max " + num(hi) +
                        ") is not supported: only Clip(0, 6) (ReLU6) and Clip(0, +inf) (ReLU)");
    }
  }
  auto x = dyn_input(0);
  if (!x.ok()) return x.error();
  return fuse_activation(*x, act);
}

Status Importer::op_pool() {
  const bool max = op_ == "MaxPool";
  if (auto st = max ? check_attrs({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"})
                    : check_attrs({"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
      !st.ok())
    return st;
  if (auto st = only_first_output(); !st.ok()) return st;
  auto x = dyn_input(0);
  if (!x.ok()) return x.error();
  if (x->dims.size() != 4) return node_error("input of shape " + dims_str(x->dims) + ": only 2-D pooling is supported");
  auto auto_pad = attr_string("auto_pad", "NOTSET");
  auto ceil = attr_int("ceil_mode", 0);
  auto dil = attr_ints("dilations", {1, 1});
  auto kernel = attr_ints("kernel_shape", {});
  auto pads = attr_ints("pads", {0, 0, 0, 0});
  auto strides = attr_ints("strides", {1, 1});
  auto order = attr_int("storage_order", 0);
  if (!auto_pad.ok()) return auto_pad.error();
  if (!ceil.ok()) return ceil.error();
  if (!dil.ok()) return dil.error();
  if (!kernel.ok()) return kernel.error();
  if (!pads.ok()) return pads.error();
  if (!strides.ok()) return strides.error();
  if (!order.ok()) return order.error();
  if (*auto_pad != "NOTSET" && *auto_pad != "VALID" && !auto_pad->empty())
    return node_error("auto_pad " + *auto_pad + " is not supported (only NOTSET or VALID)");
  if (*ceil != 0) return node_error("ceil_mode 1 is not supported");
  if (*dil != Dims{1, 1}) return node_error("dilations other than 1 are not supported");
  if (*order != 0) return node_error("storage_order 1 is not supported");
  if (kernel->size() != 2) return node_error("kernel_shape must have 2 values");
  if (strides->size() != 2 || pads->size() != 4) return node_error("strides must have 2 values and pads 4");
  if (*auto_pad == "VALID" && *pads != Dims{0, 0, 0, 0}) return node_error("auto_pad VALID with non-zero pads");
  for (std::int64_t v : {(*kernel)[0], (*kernel)[1], (*strides)[0], (*strides)[1]})
    if (v < 1 || v > 64) return node_error("kernel and stride must be in [1, 64]");
  for (int i = 0; i < 4; ++i)
    if ((*pads)[i] < 0 || (*pads)[i] >= (*kernel)[i % 2]) return node_error("pads must be in [0, kernel)");
  if (!max && *pads != Dims{0, 0, 0, 0}) return node_error("padded average pooling is not supported");
  FloatLayer l;
  l.kind = max ? LayerKind::kMaxPool : LayerKind::kAvgPool;
  l.inputs = {x->tensor};
  l.kernel_h = std::uint32_t((*kernel)[0]);
  l.kernel_w = std::uint32_t((*kernel)[1]);
  l.stride_h = std::uint32_t((*strides)[0]);
  l.stride_w = std::uint32_t((*strides)[1]);
  l.pad_t = std::uint32_t((*pads)[0]);
  l.pad_l = std::uint32_t((*pads)[1]);
  l.pad_b = std::uint32_t((*pads)[2]);
  l.pad_r = std::uint32_t((*pads)[3]);
  const std::uint32_t oh = conv_out_dim(std::uint32_t(x->dims[2]), l.kernel_h, l.stride_h, l.pad_t, l.pad_b);
  const std::uint32_t ow = conv_out_dim(std::uint32_t(x->dims[3]), l.kernel_w, l.stride_w, l.pad_l, l.pad_r);
  if (oh == 0 || ow == 0) return node_error("the window does not fit the input " + dims_str(x->dims));
  return add_layer(std::move(l), Dims{1, x->dims[1], oh, ow});
}

Status Importer::op_global_pool() {
  if (auto st = check_attrs({}); !st.ok()) return st;
  auto x = dyn_input(0);
  if (!x.ok()) return x.error();
  if (x->dims.size() != 4) return node_error("input of shape " + dims_str(x->dims) + " must be [1, C, H, W]");
  FloatLayer l;
  l.kind = LayerKind::kGlobalAvgPool;
  l.inputs = {x->tensor};
  return add_layer(std::move(l), Dims{1, x->dims[1], 1, 1});
}

Status Importer::op_reduce_mean() {
  if (auto st = check_attrs({"axes", "keepdims"}); !st.ok()) return st;
  auto x = dyn_input(0);
  if (!x.ok()) return x.error();
  auto axes = attr_ints("axes", {});
  auto keep = attr_int("keepdims", 1);
  if (!axes.ok()) return axes.error();
  if (!keep.ok()) return keep.error();
  if (has_input(1)) {  // opset 18: axes as an input
    auto c = const_input(1, "axes");
    if (!c.ok()) return c.error();
    axes->assign(c->v.begin(), c->v.end());
  }
  if (x->dims.size() != 4) return node_error("input of shape " + dims_str(x->dims) + " must be [1, C, H, W]");
  std::set<std::int64_t> ax;
  for (std::int64_t a : *axes) ax.insert(a < 0 ? a + 4 : a);
  if (ax != std::set<std::int64_t>{2, 3})
    return node_error("only the mean over H and W (axes 2, 3: a global average pool) is supported");
  FloatLayer l;
  l.kind = LayerKind::kGlobalAvgPool;
  l.inputs = {x->tensor};
  return add_layer(std::move(l), *keep ? Dims{1, x->dims[1], 1, 1} : Dims{1, x->dims[1]});
}

// ---- shapes ----

Result<Dims> flatten_dims(const Dims& dims, std::int64_t axis) {
  const std::int64_t r = std::int64_t(dims.size());
  if (axis < -r || axis > r) return Error{"axis " + std::to_string(axis) + " out of range"};
  if (axis < 0) axis += r;
  std::int64_t outer = 1, inner = 1;
  for (std::int64_t i = 0; i < r; ++i) (i < axis ? outer : inner) *= dims[std::size_t(i)];
  return Dims{outer, inner};
}

Result<Dims> reshape_dims(const Dims& in, const std::vector<double>& shape, bool allow_zero) {
  Dims out;
  std::int64_t known = 1, infer = -1, total = 1;
  for (std::int64_t d : in) total *= d;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const double s = shape[i];
    if (s < -1 || s > double(std::int64_t(1) << 40)) return Error{"shape value " + std::to_string(s) + " is out of range"};
    std::int64_t d = std::int64_t(s);
    if (d == 0 && !allow_zero) {
      if (i >= in.size()) return Error{"shape value 0 at an axis the input does not have"};
      d = in[i];
    }
    if (d == -1) {
      if (infer >= 0) return Error{"more than one -1 in the shape"};
      infer = std::int64_t(i);
      out.push_back(1);
      continue;
    }
    out.push_back(d);
    if (d != 0 && known > (std::int64_t(1) << 40) / d) return Error{"shape is too large"};
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || total % known) return Error{"cannot infer the -1 dimension"};
    out[std::size_t(infer)] = total / known;
  } else if (known != total) {
    return Error{"shape " + dims_str(out) + " does not hold the " + std::to_string(total) + " input elements"};
  }
  return out;
}

Result<Dims> squeeze_dims(const Dims& in, const Dims& axes_in, bool squeeze) {
  const std::int64_t r = std::int64_t(in.size()) + (squeeze ? 0 : std::int64_t(axes_in.size()));
  std::set<std::int64_t> axes;
  for (std::int64_t a : axes_in) {
    if (a < -r || a >= r) return Error{"axis " + std::to_string(a) + " out of range"};
    if (!axes.insert(a < 0 ? a + r : a).second) return Error{"repeated axis"};
  }
  Dims out;
  if (squeeze) {
    for (std::int64_t i = 0; i < r; ++i) {
      const bool drop = axes.empty() ? in[std::size_t(i)] == 1 : axes.count(i) > 0;
      if (drop && in[std::size_t(i)] != 1) return Error{"cannot squeeze an axis of size " + std::to_string(in[std::size_t(i)])};
      if (!drop) out.push_back(in[std::size_t(i)]);
    }
  } else {
    std::size_t j = 0;
    for (std::int64_t i = 0; i < r; ++i) out.push_back(axes.count(i) ? 1 : in[j++]);
  }
  return out;
}

Status Importer::op_flatten() {
  if (auto st = check_attrs({"axis"}); !st.ok()) return st;
  auto axis = attr_int("axis", 1);
  if (!axis.ok()) return axis.error();
  auto v = input(0);
  if (!v.ok()) return v.error();
  const Dims& in = std::holds_alternative<Dyn>(*v) ? std::get<Dyn>(*v).dims : std::get<Const>(*v).dims;
  auto d = flatten_dims(in, *axis);
  if (!d.ok()) return node_error(d.error().message);
  if (auto* c = std::get_if<Const>(&*v)) return define(node_->output(0), Const{*d, c->integer, c->v});
  return reshape_to(std::get<Dyn>(*v), *d);
}

Status Importer::op_reshape() {
  if (auto st = check_attrs({"allowzero"}); !st.ok()) return st;
  auto allow_zero = attr_int("allowzero", 0);
  if (!allow_zero.ok()) return allow_zero.error();
  auto v = input(0);
  if (!v.ok()) return v.error();
  auto shape = const_input(1, "shape");
  if (!shape.ok())
    return node_error(shape.error().message + " (a dynamic shape: the shape must be static and constant-foldable)");
  if (shape->dims.size() != 1) return node_error("the shape input must be 1-D");
  const Dims& in = std::holds_alternative<Dyn>(*v) ? std::get<Dyn>(*v).dims : std::get<Const>(*v).dims;
  auto d = reshape_dims(in, shape->v, *allow_zero != 0);
  if (!d.ok()) return node_error(d.error().message);
  if (auto* c = std::get_if<Const>(&*v)) return define(node_->output(0), Const{*d, c->integer, c->v});
  return reshape_to(std::get<Dyn>(*v), *d);
}

Status Importer::op_squeeze_unsqueeze() {
  if (auto st = check_attrs({"axes"}); !st.ok()) return st;
  auto axes = attr_ints("axes", {});
  if (!axes.ok()) return axes.error();
  if (has_input(1)) {
    auto c = const_input(1, "axes");
    if (!c.ok()) return c.error();
    axes->assign(c->v.begin(), c->v.end());
  }
  const bool squeeze = op_ == "Squeeze";
  if (!squeeze && axes->empty()) return node_error("Unsqueeze needs axes");
  auto v = input(0);
  if (!v.ok()) return v.error();
  const Dims& in = std::holds_alternative<Dyn>(*v) ? std::get<Dyn>(*v).dims : std::get<Const>(*v).dims;
  if (in.size() + axes->size() > 16) return node_error("rank above 16");
  auto d = squeeze_dims(in, *axes, squeeze);
  if (!d.ok()) return node_error(d.error().message);
  if (auto* c = std::get_if<Const>(&*v)) return define(node_->output(0), Const{*d, c->integer, c->v});
  return reshape_to(std::get<Dyn>(*v), *d);
}

Status Importer::op_shape() {
  if (auto st = check_attrs({"start", "end"}); !st.ok()) return st;
  auto v = input(0);
  if (!v.ok()) return v.error();
  const Dims& in = std::holds_alternative<Dyn>(*v) ? std::get<Dyn>(*v).dims : std::get<Const>(*v).dims;
  const std::int64_t r = std::int64_t(in.size());
  auto start = attr_int("start", 0), end = attr_int("end", r);
  if (!start.ok()) return start.error();
  if (!end.ok()) return end.error();
  auto norm = [r](std::int64_t a) { return std::clamp<std::int64_t>(a < 0 ? a + r : a, 0, r); };
  const std::int64_t s = norm(*start), e = norm(*end);
  Const c;
  c.integer = true;
  for (std::int64_t i = s; i < e; ++i) c.v.push_back(double(in[std::size_t(i)]));
  c.dims = {std::int64_t(c.v.size())};
  return define(node_->output(0), std::move(c));
}

Status Importer::op_constant() {
  if (node_->attribute_size() != 1) return node_error("expects exactly one attribute");
  const auto& a = node_->attribute(0);
  Const c;
  if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) {
    auto t = to_const(a.t(), opt_.max_tensor_elements);
    if (!t.ok()) return node_error(t.error().message);
    c = std::move(*t);
  } else if (a.name() == "value_float" && a.type() == onnx::AttributeProto::FLOAT) {
    c.v = {double(a.f())};
  } else if (a.name() == "value_floats" && a.type() == onnx::AttributeProto::FLOATS) {
    c.v.assign(a.floats().begin(), a.floats().end());
    c.dims = {std::int64_t(c.v.size())};
  } else if (a.name() == "value_int" && a.type() == onnx::AttributeProto::INT) {
    c.integer = true;
    c.v = {double(a.i())};
  } else if (a.name() == "value_ints" && a.type() == onnx::AttributeProto::INTS) {
    c.integer = true;
    c.v.assign(a.ints().begin(), a.ints().end());
    c.dims = {std::int64_t(c.v.size())};
  } else {
    return node_error("attribute '" + a.name() + "' is not supported");
  }
  return define(node_->output(0), std::move(c));
}

Status Importer::op_fold() {
  std::vector<Const> in;
  for (int i = 0; i < node_->input_size(); ++i) {
    if (node_->input(i).empty()) {
      in.emplace_back();
      continue;
    }
    auto c = const_input(i, "input");
    if (!c.ok()) return c.error();
    in.push_back(std::move(*c));
  }
  auto need = [&](std::size_t n) -> Status {
    if (in.size() < n) return node_error("expects " + std::to_string(n) + " input(s)");
    return {};
  };
  Const out;
  if (op_ == "Gather") {
    if (auto st = check_attrs({"axis"}); !st.ok()) return st;
    if (auto st = need(2); !st.ok()) return st;
    auto axis = attr_int("axis", 0);
    if (!axis.ok()) return axis.error();
    const Const &data = in[0], &idx = in[1];
    const std::int64_t r = std::int64_t(data.dims.size());
    std::int64_t ax = *axis < 0 ? *axis + r : *axis;
    if (r == 0 || ax < 0 || ax >= r) return node_error("axis out of range");
    const std::int64_t n = data.dims[std::size_t(ax)];
    std::size_t outer = 1, inner = 1;
    for (std::int64_t i = 0; i < r; ++i)
      if (i < ax) outer *= std::size_t(data.dims[std::size_t(i)]);
      else if (i > ax) inner *= std::size_t(data.dims[std::size_t(i)]);
    if (outer * idx.v.size() * inner > opt_.max_tensor_elements) return node_error("result too large");
    out.integer = data.integer;
    out.dims.assign(data.dims.begin(), data.dims.begin() + ax);
    out.dims.insert(out.dims.end(), idx.dims.begin(), idx.dims.end());
    out.dims.insert(out.dims.end(), data.dims.begin() + ax + 1, data.dims.end());
    for (std::size_t o = 0; o < outer; ++o)
      for (double iv : idx.v) {
        std::int64_t j = std::int64_t(iv);
        if (j < 0) j += n;
        if (j < 0 || j >= n) return node_error("index " + std::to_string(std::int64_t(iv)) + " out of range");
        for (std::size_t k = 0; k < inner; ++k) out.v.push_back(data.v[(o * std::size_t(n) + std::size_t(j)) * inner + k]);
      }
  } else if (op_ == "Concat") {
    if (auto st = check_attrs({"axis"}); !st.ok()) return st;
    if (auto st = need(1); !st.ok()) return st;
    auto axis = attr_int("axis", 0);
    if (!axis.ok()) return axis.error();
    const std::int64_t r = std::int64_t(in[0].dims.size());
    std::int64_t ax = *axis < 0 ? *axis + r : *axis;
    if (r == 0 || ax < 0 || ax >= r) return node_error("axis out of range");
    out.dims = in[0].dims;
    out.dims[std::size_t(ax)] = 0;
    out.integer = in[0].integer;
    std::size_t outer = 1;
    for (std::int64_t i = 0; i < ax; ++i) outer *= std::size_t(in[0].dims[std::size_t(i)]);
    std::size_t total = 0;
    for (const Const& c : in) {
      if (c.dims.size() != std::size_t(r)) return node_error("inputs of different ranks");
      for (std::int64_t i = 0; i < r; ++i)
        if (i != ax && c.dims[std::size_t(i)] != in[0].dims[std::size_t(i)]) return node_error("inputs of mismatched shapes");
      out.dims[std::size_t(ax)] += c.dims[std::size_t(ax)];
      total += c.v.size();
    }
    if (total > opt_.max_tensor_elements) return node_error("result too large");
    for (std::size_t o = 0; o < outer; ++o)
      for (const Const& c : in) {
        const std::size_t chunk = outer ? c.v.size() / outer : 0;
        out.v.insert(out.v.end(), c.v.begin() + std::ptrdiff_t(o * chunk), c.v.begin() + std::ptrdiff_t((o + 1) * chunk));
      }
  } else if (op_ == "Cast") {
    if (auto st = check_attrs({"to", "saturate"}); !st.ok()) return st;
    if (auto st = need(1); !st.ok()) return st;
    auto to = attr_int("to", 1);
    if (!to.ok()) return to.error();
    out = in[0];
    switch (*to) {
      case onnx::TensorProto::FLOAT:
        out.integer = false;
        for (double& x : out.v) x = double(float(x));
        break;
      case onnx::TensorProto::DOUBLE:
        out.integer = false;
        break;
      case onnx::TensorProto::INT64:
      case onnx::TensorProto::INT32:
        out.integer = true;
        for (double& x : out.v) {
          if (!std::isfinite(x) || std::abs(x) > 9e18) return node_error("value out of the integer range");
          x = std::trunc(x);
        }
        break;
      case onnx::TensorProto::BOOL:
        out.integer = true;
        for (double& x : out.v) x = x != 0;
        break;
      default:
        return node_error("Cast to ONNX type " + std::to_string(*to) + " is not supported");
    }
  } else if (op_ == "Slice") {
    if (auto st = check_attrs({"starts", "ends", "axes"}); !st.ok()) return st;
    if (auto st = need(1); !st.ok()) return st;
    const Const& data = in[0];
    if (data.dims.size() != 1) return node_error("constant Slice is supported on 1-D tensors only");
    Dims starts, ends;
    std::int64_t step = 1;
    if (in.size() >= 3) {
      if (in[1].v.size() != 1 || in[2].v.size() != 1) return node_error("starts and ends must have one value");
      if (in.size() >= 4 && !in[3].v.empty() && (in[3].v.size() != 1 || (in[3].v[0] != 0 && in[3].v[0] != -1)))
        return node_error("axes must be [0]");
      if (in.size() >= 5 && !in[4].v.empty()) {
        if (in[4].v.size() != 1 || in[4].v[0] < 1) return node_error("only positive steps are supported");
        step = std::int64_t(std::min(in[4].v[0], 1e12));
      }
      starts = {std::int64_t(std::clamp(in[1].v[0], -9e18, 9e18))};
      ends = {std::int64_t(std::clamp(in[2].v[0], -9e18, 9e18))};
    } else {
      auto s = attr_ints("starts", {}), e = attr_ints("ends", {});
      if (!s.ok()) return s.error();
      if (!e.ok()) return e.error();
      if (s->size() != 1 || e->size() != 1) return node_error("starts and ends must have one value");
      starts = *s;
      ends = *e;
    }
    const std::int64_t n = data.dims[0];
    auto clampi = [n](std::int64_t a) { return std::clamp<std::int64_t>(a < 0 ? a + n : a, 0, n); };
    out.integer = data.integer;
    for (std::int64_t i = clampi(starts[0]); i < clampi(ends[0]); i += step) out.v.push_back(data.v[std::size_t(i)]);
    out.dims = {std::int64_t(out.v.size())};
  } else if (op_ == "ConstantOfShape") {
    if (auto st = check_attrs({"value"}); !st.ok()) return st;
    if (auto st = need(1); !st.ok()) return st;
    double value = 0;
    bool integer = false;
    if (const auto* a = attr("value")) {
      if (a->type() != onnx::AttributeProto::TENSOR) return node_error("value must be a tensor");
      auto t = to_const(a->t(), 1);
      if (!t.ok() || t->v.size() != 1) return node_error("value must be a one-element tensor");
      value = t->v[0];
      integer = t->integer;
    }
    for (double d : in[0].v) {
      if (d < 0 || d > double(opt_.max_tensor_elements)) return node_error("shape value out of range");
      out.dims.push_back(std::int64_t(d));
    }
    auto n = element_count(out.dims, opt_.max_tensor_elements);
    if (!n) return node_error("result too large");
    out.integer = integer;
    out.v.assign(*n, value);
  } else if (op_ == "Add" || op_ == "Sub" || op_ == "Mul" || op_ == "Div") {
    if (auto st = check_attrs({}); !st.ok()) return st;
    if (auto st = need(2); !st.ok()) return st;
    const Const &a = in[0], &b = in[1];
    const bool sa = a.v.size() == 1, sb = b.v.size() == 1;
    if (!(a.dims == b.dims || sa || sb))
      return node_error("constant operands of shapes " + dims_str(a.dims) + " and " + dims_str(b.dims) + " (only equal shapes or scalars)");
    out.dims = a.dims.size() >= b.dims.size() ? (sa && !sb ? b.dims : a.dims) : b.dims;
    out.integer = a.integer && b.integer;
    const std::size_t n = std::max(a.v.size(), b.v.size());
    for (std::size_t i = 0; i < n; ++i) {
      const double x = a.v[sa ? 0 : i], y = b.v[sb ? 0 : i];
      double r = op_ == "Add" ? x + y : op_ == "Sub" ? x - y : op_ == "Mul" ? x * y : 0;
      if (op_ == "Div") {
        if (out.integer && y == 0) return node_error("integer division by zero");
        r = out.integer ? std::trunc(x / y) : x / y;
      }
      out.v.push_back(r);
    }
  } else {
    return node_error("unsupported on constants");
  }
  return define(node_->output(0), std::move(out));
}

Status Importer::node() {
  if (!node_->domain().empty() && node_->domain() != "ai.onnx")
    return node_error("unsupported op (domain '" + node_->domain() + "')");
  if (node_->output_size() < 1 || node_->output(0).empty()) return node_error("the node has no output");
  const std::string& op = op_;
  // Constant folding: every data input is a constant.
  static constexpr const char* kFoldable[] = {"Gather", "Concat", "Cast",  "Slice", "ConstantOfShape", "Add",
                                              "Sub",    "Mul",    "Div",   "Reshape", "Flatten",       "Squeeze",
                                              "Unsqueeze"};
  bool foldable = false;
  for (const char* f : kFoldable) foldable = foldable || op == f;
  if (foldable) {
    bool all_const = node_->input_size() > 0;
    for (int i = 0; i < node_->input_size() && all_const; ++i) {
      if (node_->input(i).empty()) continue;
      auto it = values_.find(in_name(i));
      if (it == values_.end()) return node_error("input '" + node_->input(i) + "' is not defined before its use (is the graph sorted?)");
      all_const = std::holds_alternative<Const>(it->second);
    }
    if (all_const) {
      if (op == "Reshape") return op_reshape();
      if (op == "Flatten") return op_flatten();
      if (op == "Squeeze" || op == "Unsqueeze") return op_squeeze_unsqueeze();
      return op_fold();
    }
  }
  if (op == "Conv") return op_conv();
  if (op == "Gemm") return op_gemm();
  if (op == "MatMul") return op_matmul();
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return op_binary();
  if (op == "BatchNormalization") return op_batchnorm();
  if (op == "Relu" || op == "Clip") return op_activation();
  if (op == "MaxPool" || op == "AveragePool") return op_pool();
  if (op == "GlobalAveragePool") return op_global_pool();
  if (op == "ReduceMean") return op_reduce_mean();
  if (op == "Flatten") return op_flatten();
  if (op == "Reshape") return op_reshape();
  if (op == "Squeeze" || op == "Unsqueeze") return op_squeeze_unsqueeze();
  if (op == "Shape") return op_shape();
  if (op == "Constant") return op_constant();
  if (foldable) return node_error("is supported on constant inputs only");
  return node_error("unsupported op");
}

// Drops layers (and tensors) that do not lead to the output, renumbering tensors.
void Importer::prune() {
  std::vector<bool> needed_tensor(m_.tensors.size(), false), needed_layer(m_.layers.size(), false);
  needed_tensor[m_.output] = true;
  for (std::size_t i = m_.layers.size(); i-- > 0;) {
    if (!needed_tensor[m_.layers[i].output]) continue;
    needed_layer[i] = true;
    for (std::uint32_t in : m_.layers[i].inputs) needed_tensor[in] = true;
  }
  needed_tensor[m_.input] = true;
  std::vector<std::uint32_t> remap(m_.tensors.size(), 0);
  FloatModel out;
  out.name = m_.name;
  for (std::size_t t = 0; t < m_.tensors.size(); ++t)
    if (needed_tensor[t]) {
      remap[t] = std::uint32_t(out.tensors.size());
      out.tensors.push_back(std::move(m_.tensors[t]));
    }
  for (std::size_t i = 0; i < m_.layers.size(); ++i) {
    if (!needed_layer[i]) continue;
    FloatLayer l = std::move(m_.layers[i]);
    for (std::uint32_t& in : l.inputs) in = remap[in];
    l.output = remap[l.output];
    out.layers.push_back(std::move(l));
  }
  out.input = remap[m_.input];
  out.output = remap[m_.output];
  m_ = std::move(out);
}

Result<FloatModel> Importer::run() {
  for (const auto& o : mp_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  if (opset_ == 0) return Error{"the model declares no ONNX opset (not an ONNX model?)"};
  if (opset_ < 7 || opset_ > 21) return Error{"ONNX opset " + std::to_string(opset_) + " is not supported (7 to 21)"};
  if (g_.node_size() == 0) return Error{"the ONNX graph has no nodes"};
  m_.name = g_.name();
  // Initializers.
  for (const auto& t : g_.initializer()) {
    auto c = to_const(t, opt_.max_tensor_elements);
    if (!c.ok()) return c.error().context("initializer");
    if (t.name().empty() || values_.count(t.name())) return Error{"initializer '" + t.name() + "' is unnamed or repeated"};
    values_.emplace(t.name(), std::move(*c));
  }
  // The image input: the one graph input that is not an initializer.
  const onnx::ValueInfoProto* image = nullptr;
  int n_inputs = 0;
  for (const auto& in : g_.input()) {
    if (values_.count(in.name())) continue;
    ++n_inputs;
    image = &in;
  }
  if (n_inputs != 1)
    return Error{"the graph has " + std::to_string(n_inputs) + " inputs besides its initializers; a verdict model takes one image"};
  if (!image->type().has_tensor_type() || image->type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    return Error{"input '" + image->name() + "' must be a float tensor"};
  if (!image->type().tensor_type().has_shape()) return Error{"input '" + image->name() + "' has no shape"};
  Dims in_dims;
  for (const auto& d : image->type().tensor_type().shape().dim()) {
    if (d.has_dim_value() && d.dim_value() > 0)
      in_dims.push_back(d.dim_value());
    else if (in_dims.empty())
      in_dims.push_back(1);  // a symbolic (or unset) batch dimension
    else
      return Error{"input '" + image->name() + "' has a dynamic or non-positive dimension (static shapes only)"};
  }
  node_name_ = "(graph input)";
  op_ = "input";
  auto input_tensor = add_tensor(image->name(), in_dims);
  if (!input_tensor.ok()) return Error{"input '" + image->name() + "': " + input_tensor.error().message};
  m_.input = *input_tensor;
  values_.emplace(image->name(), Dyn{*input_tensor, in_dims});
  if (g_.output_size() != 1)
    return Error{"the graph has " + std::to_string(g_.output_size()) + " outputs; a verdict model has one"};
  // Aliases (Identity, Dropout) and consumer counts, on canonical names.
  for (const auto& n : g_.node()) {
    if ((n.op_type() == "Identity" || n.op_type() == "Dropout") && n.input_size() >= 1 && n.output_size() >= 1 &&
        !n.output(0).empty())
      alias_all_[n.output(0)] = canon_all(n.input(0));
  }
  for (const auto& n : g_.node()) {
    if (n.op_type() == "Identity" || n.op_type() == "Dropout" || n.op_type() == "Shape") continue;
    for (const auto& in : n.input())
      if (!in.empty()) ++uses_[canon_all(in)];
  }
  ++uses_[canon_all(g_.output(0).name())];
  // Nodes, in order.
  for (int i = 0; i < g_.node_size(); ++i) {
    node_ = &g_.node(i);
    op_ = node_->op_type();
    node_name_ = node_->name().empty() ? op_ + "_" + std::to_string(i) : node_->name();
    if (op_ == "Identity" || op_ == "Dropout") {
      if (op_ == "Dropout") {
        if (auto st = check_attrs({"ratio", "seed", "is_test"}); !st.ok()) return st.error();
        if (auto st = only_first_output(); !st.ok()) return st.error();
        if (has_input(2)) {  // training_mode
          auto tm = const_input(2, "training_mode");
          if (!tm.ok()) return tm.error();
          if (tm->v.size() != 1 || tm->v[0] != 0) return node_error("training_mode must be false");
        }
      } else if (auto st = check_attrs({}); !st.ok()) {
        return st.error();
      }
      if (node_->input_size() < 1 || node_->output_size() < 1 || node_->output(0).empty())
        return node_error("expects an input and an output");
      if (!values_.count(canon(node_->input(0))))
        return node_error("input '" + node_->input(0) + "' is not defined before its use (is the graph sorted?)");
      if (values_.count(node_->output(0)) || alias_.count(node_->output(0)))
        return node_error("value '" + node_->output(0) + "' is defined twice");
      alias_[node_->output(0)] = canon(node_->input(0));
      continue;
    }
    if (auto st = node(); !st.ok()) return st.error();
  }
  node_name_ = "(graph output)";
  op_ = "output";
  auto out = values_.find(canon(g_.output(0).name()));
  if (out == values_.end()) return Error{"the graph output '" + g_.output(0).name() + "' is never computed"};
  if (!std::holds_alternative<Dyn>(out->second))
    return Error{"the graph output '" + g_.output(0).name() + "' is a constant"};
  m_.output = std::get<Dyn>(out->second).tensor;
  if (m_.output == m_.input) return Error{"the model computes nothing (its output is its input)"};
  prune();
  if (auto st = m_.validate(); !st.ok()) return st.error().context("imported model");
  return std::move(m_);
}

}  // namespace

Result<FloatModel> import_onnx_bytes(std::span<const std::uint8_t> bytes, const ImportOptions& options) {
  if (bytes.size() > options.max_file_bytes || bytes.size() > std::size_t(std::numeric_limits<int>::max()))
    return Error{"ONNX model of " + std::to_string(bytes.size()) + " bytes is above the limit"};
  onnx::ModelProto mp;
  if (!mp.ParseFromArray(bytes.data(), int(bytes.size())))
    return Error{"not an ONNX model: the protobuf does not parse (truncated or corrupted file?)"};
  if (!mp.has_graph()) return Error{"not an ONNX model: no graph"};
  return Importer(mp, options).run();
}

Result<FloatModel> import_onnx(const std::filesystem::path& path, const ImportOptions& options) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{"cannot read " + path.string() + ": " + ec.message()};
  if (size > options.max_file_bytes) return Error{path.string() + ": file of " + std::to_string(size) + " bytes is above the limit"};
  std::ifstream f(path, std::ios::binary);
  std::vector<std::uint8_t> bytes(size);
  if (!f || !f.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
    return Error{"cannot read " + path.string()};
  auto m = import_onnx_bytes(bytes, options);
  if (!m.ok()) return m.error().context(path.string());
  return m;
}

}  // namespace verdict::nn
