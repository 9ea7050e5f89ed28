#pragma once
// Test support: small ONNX graphs built in C++ with the protobuf API (tests and the
// fuzzer's seed; not part of any library).

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace verdict::nn::testing {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::int64_t opset = 13) {
    model_.set_ir_version(7);
    model_.set_producer_name("verdict-test");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  onnx::GraphProto& graph() { return *model_.mutable_graph(); }
  onnx::ModelProto& model() { return model_; }

  // A float graph input; a negative dimension is symbolic ("batch").
  void input(const std::string& name, const std::vector<std::int64_t>& dims) {
    auto* in = graph().add_input();
    in->set_name(name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) {
      auto* dim = tt->mutable_shape()->add_dim();
      if (d < 0)
        dim->set_dim_param("batch");
      else
        dim->set_dim_value(d);
    }
  }

  void output(const std::string& name) {
    auto* out = graph().add_output();
    out->set_name(name);
    out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }

  static onnx::TensorProto tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                  const std::vector<float>& values, bool raw = true) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t.add_dims(d);
    if (raw)
      t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    else
      for (float v : values) t.add_float_data(v);
    return t;
  }

  static onnx::TensorProto tensor_i64(const std::string& name, const std::vector<std::int64_t>& dims,
                                      const std::vector<std::int64_t>& values) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::INT64);
    for (std::int64_t d : dims) t.add_dims(d);
    for (std::int64_t v : values) t.add_int64_data(v);
    return t;
  }

  const std::string& init(const std::string& name, const std::vector<std::int64_t>& dims,
                          const std::vector<float>& values) {
    *graph().add_initializer() = tensor(name, dims, values);
    return name;
  }

  const std::string& init_i64(const std::string& name, const std::vector<std::int64_t>& dims,
                              const std::vector<std::int64_t>& values) {
    *graph().add_initializer() = tensor_i64(name, dims, values);
    return name;
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(graph().node_size()) : name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  static void attr(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t x : v) a->add_ints(x);
  }
  static void attr_f(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr_s(onnx::NodeProto& n, const std::string& name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr_t(onnx::NodeProto& n, const std::string& name, const onnx::TensorProto& t) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::TENSOR);
    *a->mutable_t() = t;
  }

  std::vector<std::uint8_t> bytes() const {
    std::string s;
    model_.SerializeToString(&s);
    return {s.begin(), s.end()};
  }

 private:
  onnx::ModelProto model_;
};

}  // namespace verdict::nn::testing
