#pragma once
// What the commands that run several processes share (verdict demo, verdict retrieval-demo)
// and the key loading the agents share.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "snark/commit/srs.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::cli {

double seconds_since(std::chrono::steady_clock::time_point t0);
std::string fixed1(double x);  // one decimal

// The SRS for a circuit of 2^k rows (a dev SRS accepted), and a verifying key file.
Result<std::shared_ptr<const commit::Srs>> load_srs(const std::string& path, unsigned k, Rng& rng);
Result<nn::ModelVerifyingKey> read_vk(const std::string& path);
// A model's proving key (its circuit size picks how much of the SRS to load).
Result<nn::ModelProvingKey> read_pk(const nn::Model& model, const std::string& pk_path, const std::string& srs_path,
                                    Rng& rng);
// nn::verify on each proof, one flag per proof; logs the count, time and invalid ones.
std::vector<bool> verify_logged(const nn::ModelVerifyingKey& vk, const std::vector<nn::ModelProof>& proofs,
                                const std::function<void(const std::string&)>& log);

// n free loopback TCP ports (fewer if the system has none).
std::vector<int> free_ports(int n);
// Starts this very binary with `args`; stdout and stderr to `log` if not empty.
pid_t spawn_self(const std::vector<std::string>& args, const std::string& log = "");
// The exit code of a child (128 + signal if killed).
int wait_exit(pid_t pid);
// An agent's --result file: "key value" lines.
std::map<std::string, std::string> read_result(const std::string& path);

// The demos' model and keys in workdir `w` (ending in '/'): imports `onnx` unless
// `model_path` names a quantized model (set to the imported file), makes a development SRS
// (INSECURE) and runs setup: w + "model.pk", w + "model.vk", w + "dev.ptau".
Status make_dev_keys(std::string& model_path, const std::string& onnx, const std::string& w,
                     const std::function<void(const std::string&)>& say);

}  // namespace verdict::cli
