#include "parties/cli/process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "base/hex.hpp"
#include "parties/cli/nn_files.hpp"
#include "snark/nn/model_circuit.hpp"

namespace verdict::cli {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string fixed1(double x) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << x;
  return s.str();
}


Result<std::shared_ptr<const commit::Srs>> load_srs(const std::string& path, unsigned k, Rng& rng) {
  auto srs = commit::load_srs(path, {(std::size_t(1) << k) + 1, true}, rng);
  if (!srs.ok()) return srs.error().context(path);
  return std::make_shared<const commit::Srs>(std::move(srs).value());
}

Result<nn::ModelVerifyingKey> read_vk(const std::string& path) {
  auto b = read_bytes(path);
  if (!b.ok()) return b.error();
  auto vk = nn::ModelVerifyingKey::from_bytes(*b);
  if (!vk.ok()) return vk.error().context(path);
  return vk;
}

std::vector<int> free_ports(int n) {
  std::vector<int> fds, ports;
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      if (fd >= 0) ::close(fd);
      continue;
    }
    fds.push_back(fd);
    ports.push_back(ntohs(a.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

// Starts this very binary with `args`; stdout and stderr to `log` if not empty.
pid_t spawn_self(const std::vector<std::string>& args, const std::string& log) {
  std::cout << std::flush;
  std::cerr << std::flush;
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (!log.empty()) {
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      ::dup2(::fileno(f), 1);
      ::dup2(::fileno(f), 2);
    }
  }
  std::vector<char*> argv;
  std::string self = "verdict";
  argv.push_back(self.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv("/proc/self/exe", argv.data());
  std::_Exit(127);
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::map<std::string, std::string> read_result(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream f(path);
  std::string k, v;
  while (f >> k >> v) out[k] = v;
  return out;
}

Result<nn::ModelProvingKey> read_pk(const nn::Model& model, const std::string& pk_path, const std::string& srs_path,
                                    Rng& rng) {
  auto k = nn::circuit_k(model, nn::CircuitOptions{nn::InputVisibility::kHidden});
  if (!k.ok()) return k.error();
  auto srs = load_srs(srs_path, *k, rng);
  if (!srs.ok()) return srs.error();
  auto bytes = read_bytes(pk_path);
  if (!bytes.ok()) return bytes.error();
  auto pk = nn::ModelProvingKey::from_bytes(*bytes, *srs);
  if (!pk.ok()) return pk.error().context(pk_path);
  return pk;
}

std::vector<bool> verify_logged(const nn::ModelVerifyingKey& vk, const std::vector<nn::ModelProof>& proofs,
                                const std::function<void(const std::string&)>& log) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<bool> valid;
  std::size_t bad = 0;
  for (const auto& p : proofs) {
    valid.push_back(nn::verify(vk, p).ok());
    bad += valid.back() ? 0 : 1;
  }
  log("verified " + std::to_string(proofs.size()) + " proofs in " + fixed1(seconds_since(t0)) + " s: " +
      (bad ? std::to_string(bad) + " invalid" : std::string("all valid")));
  return valid;
}

Status make_dev_keys(std::string& model_path, const std::string& onnx, const std::string& w,
                     const std::function<void(const std::string&)>& say) {
  if (model_path.empty()) {
    model_path = w + "model.vnnm";
    say("importing " + onnx + " (quantized, calibrated on Fashion-MNIST training images)");
    if (int rc = wait_exit(spawn_self({"import", "--onnx", onnx, "--out", model_path}, w + "import.log")); rc != 0)
      return Error{"verdict import failed (log: " + w + "import.log)"};
  }
  auto model = read_model(model_path);
  if (!model.ok()) return model.error();
  auto k = nn::circuit_k(*model, nn::CircuitOptions{nn::InputVisibility::kHidden});
  if (!k.ok()) return k.error();
  say("model '" + model->name + "' (" + model_path + "): circuit domain 2^" + std::to_string(*k) +
      "; making a development SRS (INSECURE) and the keys");
  if (int rc = wait_exit(spawn_self({"srs", "dev", "--k", std::to_string(*k + 1), "--out", w + "dev.ptau"}, w + "srs.log"));
      rc != 0)
    return Error{"verdict srs dev failed (log: " + w + "srs.log)"};
  if (int rc = wait_exit(spawn_self({"setup", "--model", model_path, "--srs", w + "dev.ptau", "--insecure-dev-srs", "--pk",
                                     w + "model.pk", "--vk", w + "model.vk"},
                                    w + "setup.log"));
      rc != 0)
    return Error{"verdict setup failed (log: " + w + "setup.log)"};
  auto vk = read_vk(w + "model.vk");
  if (!vk.ok()) return vk.error();
  say("keys made; model commitment " + to_hex(vk->model_commitment()).substr(0, 16) + "...");
  return {};
}

}  // namespace verdict::cli
