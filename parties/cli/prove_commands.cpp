// verdict setup | prove | verify | commit | inspect: proofs of a quantized model's
// inference with hidden weights (docs/nn.md; formats in docs/formats.md).
#include <chrono>
#include <iostream>
#include <memory>

#include "base/hex.hpp"
#include "base/rng.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "snark/commit/srs.hpp"
#include "snark/nn/inspect.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::cli {

namespace po = boost::program_options;

namespace {

using field::Fr;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}


nn::Progress progress_to_stderr(const std::string& cmd) {
  auto t0 = std::chrono::steady_clock::now();
  return [cmd, t0](const std::string& step) {
    std::cerr << cmd << ": [" << std::fixed;
    std::cerr.precision(1);
    std::cerr << seconds_since(t0) << " s] " << step << "\n";
    std::cerr << std::defaultfloat;
  };
}

void add_srs_options(po::options_description& desc) {
  desc.add_options()("srs", po::value<std::string>()->required(),
                     ".ptau file with more than 2^k powers (k from `verdict inspect`)")  //
      ("insecure-dev-srs", "accept a development SRS made by `verdict srs dev` (tests only)");
}

Result<std::shared_ptr<const commit::Srs>> load_srs_for(const po::variables_map& vm, unsigned k, Rng& rng) {
  auto srs = commit::load_srs(vm["srs"].as<std::string>(), {(std::size_t(1) << k) + 1, vm.count("insecure-dev-srs") > 0}, rng);
  if (!srs.ok()) return srs.error().context(vm["srs"].as<std::string>());
  return std::make_shared<const commit::Srs>(std::move(srs).value());
}

void add_input_options(po::options_description& desc) {
  desc.add_options()("input", po::value<std::string>(), "raw uint8 input: C*H*W bytes, channel-major")  //
      ("input-json", po::value<std::string>(), "JSON input: an array of C*H*W integers in [0, 255] (or {\"input\": [...]})")  //
      ("test-image", po::value<std::size_t>(), "Fashion-MNIST test image N as the input")  //
      ("dataset", po::value<std::string>(), "Fashion-MNIST directory (default $VERDICT_FASHION_MNIST or /usr/share/datasets/fashion-mnist)");
}

Result<Fr> parse_salt(const std::string& text) {
  auto b = from_hex(text);
  if (!b.ok()) return b.error().context("--salt");
  if (b->size() != 32) return Error{"--salt must be 32 bytes (64 hex digits), got " + std::to_string(b->size())};
  auto f = Fr::from_bytes_be(*b);
  if (!f.ok()) return f.error().context("--salt");
  return f;
}

std::string fr_hex(const Fr& f) { return to_hex(f.to_bytes_be()); }

void print_values(const nn::PublicValues& v, const nn::ModelVerifyingKey* key) {
  std::cout << "model commitment: " << to_hex(v.model_commitment) << "\n";
  if (v.input == nn::InputVisibility::kHidden) std::cout << "input:            hidden, commitment " << fr_hex(v.input_commitment) << "\n";
  else std::cout << "input:            public, " << v.input_bytes.size() << " bytes\n";
  std::cout << "output (uint8):  ";
  for (auto b : v.output) std::cout << " " << int(b);
  std::size_t top = 0;
  for (std::size_t i = 1; i < v.output.size(); ++i)
    if (v.output[i] > v.output[top]) top = i;
  std::cout << "\nargmax:           " << top;
  if (key) {
    std::cout << " (real value " << key->output_scale * (int(v.output[top]) - key->output_zero_point) << ")";
  }
  std::cout << "\n";
}

int setup_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict setup";
  po::options_description desc("verdict setup: model + SRS -> proving key, verifying key, model commitment");
  std::string model_path, pk_path, vk_path;
  desc.add_options()("help,h", "show this help")                                                      //
      ("model", po::value<std::string>(&model_path)->required(), "the quantized model (verdict import)")  //
      ("pk", po::value<std::string>(&pk_path)->required(), "write the proving key here (the prover's)")   //
      ("vk", po::value<std::string>(&vk_path)->required(), "write the verifying key here (public)")       //
      ("public-input", "prove with the input public (default: hidden behind a Poseidon commitment)");
  add_srs_options(desc);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  auto model = read_model(model_path);
  if (!model.ok()) return fail(cmd, model.error().message);
  const nn::CircuitOptions options{vm.count("public-input") ? nn::InputVisibility::kPublic : nn::InputVisibility::kHidden};
  auto k = nn::circuit_k(*model, options);
  if (!k.ok()) return fail(cmd, k.error().message);
  OsRng rng;
  const auto t0 = std::chrono::steady_clock::now();
  auto progress = progress_to_stderr(cmd);
  progress("loading the SRS (2^" + std::to_string(*k) + " + 1 powers)");
  auto srs = load_srs_for(vm, *k, rng);
  if (!srs.ok()) return fail(cmd, srs.error().message);
  auto key = nn::setup(*model, options, *srs, rng, progress);
  if (!key.ok()) return fail(cmd, key.error().message);
  progress("writing the keys");
  if (auto st = write_bytes(pk_path, key->to_bytes()); !st.ok()) return fail(cmd, st.error().message);
  if (auto st = write_bytes(vk_path, key->mvk.to_bytes()); !st.ok()) return fail(cmd, st.error().message);
  std::cout << "model commitment: " << to_hex(key->mvk.model_commitment()) << "\n"
            << "domain 2^" << *k << ", input " << (options.input == nn::InputVisibility::kHidden ? "hidden" : "public")
            << "; wrote " << pk_path << " and " << vk_path << " in " << seconds_since(t0) << " s\n";
  return kExitOk;
}

int prove_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict prove";
  po::options_description desc("verdict prove: a proof of the model's output on one input, with its public values");
  std::string model_path, pk_path, out_path, salt_hex, salt_out;
  desc.add_options()("help,h", "show this help")                                                      //
      ("model", po::value<std::string>(&model_path)->required(), "the quantized model (its weights)")    //
      ("pk", po::value<std::string>(&pk_path)->required(), "the proving key (verdict setup)")            //
      ("out,o", po::value<std::string>(&out_path)->required(), "write the proof here")                   //
      ("salt", po::value<std::string>(&salt_hex), "the input commitment's salt, 64 hex digits (default: fresh from the OS)")  //
      ("salt-out", po::value<std::string>(&salt_out), "write the salt (hex) here, for whoever must recompute the commitment");
  add_srs_options(desc);
  add_input_options(desc);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  auto model = read_model(model_path);
  if (!model.ok()) return fail(cmd, model.error().message);
  auto input = read_model_input(vm, model->tensors[model->input].shape);
  if (!input.ok()) return fail(cmd, input.error().message);
  OsRng rng;
  Fr salt = Fr::random(rng);
  if (vm.count("salt")) {
    auto s = parse_salt(salt_hex);
    if (!s.ok()) return fail(cmd, s.error().message);
    salt = *s;
  }
  auto pkb = read_bytes(pk_path);
  if (!pkb.ok()) return fail(cmd, pkb.error().message);
  const auto t0 = std::chrono::steady_clock::now();
  auto progress = progress_to_stderr(cmd);
  // The key's domain decides the SRS size.
  auto mvk = nn::ModelProvingKey::verifying_key_of(*pkb);
  if (!mvk.ok()) return fail(cmd, pk_path + ": " + mvk.error().message);
  progress("loading the SRS and the proving key");
  auto srs = load_srs_for(vm, mvk->vk.k, rng);
  if (!srs.ok()) return fail(cmd, srs.error().message);
  auto key = nn::ModelProvingKey::from_bytes(*pkb, *srs);
  if (!key.ok()) return fail(cmd, pk_path + ": " + key.error().message);
  plonk::ProverStats stats;
  auto proof = nn::prove(*key, *model, *input, salt, rng, &stats, progress);
  if (!proof.ok()) return fail(cmd, proof.error().message);
  const auto bytes = proof->to_bytes();
  if (auto st = write_bytes(out_path, bytes); !st.ok()) return fail(cmd, st.error().message);
  if (vm.count("salt-out") && key->mvk.input == nn::InputVisibility::kHidden) {
    const std::string hex = fr_hex(salt) + "\n";
    if (auto st = write_bytes(salt_out, std::vector<std::uint8_t>(hex.begin(), hex.end())); !st.ok())
      return fail(cmd, st.error().message);
  }
  print_values(proof->values, &key->mvk);
  std::cout << "proof: " << bytes.size() << " bytes, written to " << out_path << "; proved in " << stats.total << " s ("
            << seconds_since(t0) << " s with loading)\n";
  return kExitOk;
}

int verify_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict verify";
  po::options_description desc("verdict verify: check a model proof against the verifying key (exit 0 valid, 1 invalid, 2 bad input)");
  std::string vk_path, proof_path, commitment;
  desc.add_options()("help,h", "show this help")                                                      //
      ("vk", po::value<std::string>(&vk_path)->required(), "the verifying key (verdict setup)")            //
      ("proof", po::value<std::string>(&proof_path)->required(), "the proof (verdict prove)")          //
      ("model-commitment", po::value<std::string>(&commitment), "also require this model commitment (hex)")  //
      ("input-commitment", po::value<std::string>(), "also require this input commitment (hex, verdict commit)");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  auto vkb = read_bytes(vk_path);
  if (!vkb.ok()) return fail(cmd, vkb.error().message);
  auto key = nn::ModelVerifyingKey::from_bytes(*vkb);
  if (!key.ok()) return fail(cmd, vk_path + ": " + key.error().message);
  auto pb = read_bytes(proof_path);
  if (!pb.ok()) return fail(cmd, pb.error().message);
  auto proof = nn::ModelProof::from_bytes(*pb);
  if (!proof.ok()) return fail(cmd, proof_path + ": " + proof.error().message);
  if (vm.count("model-commitment")) {
    auto c = from_hex(commitment);
    if (!c.ok() || c->size() != 32) return fail(cmd, "--model-commitment must be 64 hex digits");
    if (!std::equal(c->begin(), c->end(), key->model_commitment().begin()))
      return fail(cmd, "REJECTED: the verifying key's model commitment is not " + commitment, kExitRejected);
  }
  if (vm.count("input-commitment")) {
    auto c = parse_salt(vm["input-commitment"].as<std::string>());
    if (!c.ok()) return fail(cmd, "--input-commitment must be a field element in 64 hex digits");
    if (proof->values.input != nn::InputVisibility::kHidden || !(proof->values.input_commitment == *c))
      return fail(cmd, "REJECTED: the proof's input commitment is not " + vm["input-commitment"].as<std::string>(), kExitRejected);
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto st = nn::verify(*key, *proof);
  const double ms = seconds_since(t0) * 1e3;
  if (!st.ok()) return fail(cmd, "REJECTED: " + st.error().message, kExitRejected);
  print_values(proof->values, &*key);
  std::cout << "VALID (" << ms << " ms)\n";
  return kExitOk;
}

int commit_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict commit";
  po::options_description desc("verdict commit: the Poseidon commitment to an input and its salt (as in a hidden-input proof)");
  std::string salt_hex;
  std::string shape_text;
  desc.add_options()("help,h", "show this help")                                                      //
      ("salt", po::value<std::string>(&salt_hex)->required(), "the salt, 64 hex digits (verdict prove --salt-out)")  //
      ("model", po::value<std::string>(), "take the input shape from this model (default [1, 28, 28])");
  add_input_options(desc);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  nn::Shape shape{1, 28, 28};
  if (vm.count("model")) {
    auto m = read_model(vm["model"].as<std::string>());
    if (!m.ok()) return fail(cmd, m.error().message);
    shape = m->tensors[m->input].shape;
  }
  auto input = read_model_input(vm, shape);
  if (!input.ok()) return fail(cmd, input.error().message);
  auto salt = parse_salt(salt_hex);
  if (!salt.ok()) return fail(cmd, salt.error().message);
  std::cout << fr_hex(nn::input_commitment(*input, *salt)) << "\n";
  return kExitOk;
}

int inspect_main(const std::vector<std::string>& args) {
  const std::string cmd = "verdict inspect";
  po::options_description desc("verdict inspect: the model's circuit, layer by layer (rows, copies, lookups)");
  std::string model_path;
  desc.add_options()("help,h", "show this help")                                                      //
      ("model", po::value<std::string>(&model_path)->required(), "the quantized model")                  //
      ("public-input", "lay out the circuit for a public input");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, cmd); rc >= 0) return rc;
  auto model = read_model(model_path);
  if (!model.ok()) return fail(cmd, model.error().message);
  auto layout = nn::detail::plan_layout(
      *model, {vm.count("public-input") ? nn::InputVisibility::kPublic : nn::InputVisibility::kHidden});
  if (!layout.ok()) return fail(cmd, layout.error().message);
  std::cout << nn::layout_table(*model, *layout);
  return kExitOk;
}

}  // namespace

Command setup_command() { return {"setup", "Model + SRS -> proving key, verifying key, model commitment", setup_main, {}}; }
Command prove_command() { return {"prove", "Prove the model's output on an input (weights hidden)", prove_main, {}}; }
Command verify_command() { return {"verify", "Verify a model proof", verify_main, {}}; }
Command commit_command() { return {"commit", "The Poseidon commitment to an input and salt", commit_main, {}}; }
Command inspect_command() { return {"inspect", "Per-layer table of a model's circuit", inspect_main, {}}; }

}  // namespace verdict::cli
