// verdict sim: the economic simulator (sim/, docs/simulator.md).
//   verdict sim --scenario FILE [--runs N] [--seed S] [--threads T] [--out DIR]
//               [--sweep PARAM=V1,V2,...]... [--no-sweep]
//               [--real-proofs --model FILE [--srs FILE.ptau] [--dataset DIR]]
// --real-proofs (at most 100 runs per case): real SNARKs of the model on Fashion-MNIST
// test images (sim/real_proofs.hpp), with keys made here from the .ptau
// given, or from an in-memory development SRS (INSECURE: its tau is known to this
// process; fine for a simulation, never for deployment).
// Runs every case of the scenario (and its sweep grid) through the protocol's machines
// and the real escrow ledger, prints the text report, and writes every report file
// (report.txt, report.json, cases.csv, closed_forms.csv, tables.csv, sweep.csv,
// plots/*.svg) into DIR when --out is given. The rate (runs per second) goes to stderr:
// it is the only thing that depends on the machine, so reports stay byte-identical.
// Exit codes: 0 done, 2 bad usage, a bad scenario, or a run that broke an invariant.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/rng.hpp"
#include "parties/cli/commands.hpp"
#include "parties/cli/nn_files.hpp"
#include "parties/cli/options.hpp"
#include "snark/commit/srs.hpp"
#include "snark/nn/fashion_mnist.hpp"
#include "sim/report.hpp"
#include "sim/scenario.hpp"
#include "sim/sweep.hpp"

namespace verdict::cli {
namespace {

namespace po = boost::program_options;
constexpr const char* kUsage = "verdict sim";

Result<sim::Sweep> parse_sweep_flag(const std::string& flag) {
  const auto eq = flag.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size())
    return Error{"--sweep: expected PARAM=V1,V2,..., got '" + flag + "'"};
  sim::Sweep axis{flag.substr(0, eq), {}};
  std::string rest = flag.substr(eq + 1);
  std::size_t start = 0;
  for (;;) {
    const auto comma = rest.find(',', start);
    const std::string v = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (v.empty()) return Error{"--sweep " + axis.param + ": an empty value"};
    // A number if it parses as one entirely, else a string ("cost", "n1p").
    nlohmann::json j = nlohmann::json::parse(v, nullptr, false);
    axis.values.push_back(j.is_number() ? j : nlohmann::json(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

// The model, its keys (setup here) and the dataset's first `examples` test images.
Result<std::shared_ptr<const sim::RealProofs>> load_real_proofs(const std::string& model_path,
                                                               const std::string& srs_path,
                                                               const std::string& dataset, std::size_t examples) {
  auto model = read_model(model_path);
  if (!model.ok()) return model.error();
  const nn::CircuitOptions options{nn::InputVisibility::kHidden};
  auto k = nn::circuit_k(*model, options);
  if (!k.ok()) return k.error();
  OsRng rng;
  std::shared_ptr<const commit::Srs> srs;
  if (!srs_path.empty()) {
    auto loaded = commit::load_srs(srs_path, {(std::size_t{1} << *k) + 1, true}, rng);
    if (!loaded.ok()) return loaded.error().context(srs_path);
    srs = std::make_shared<const commit::Srs>(std::move(*loaded));
  } else {
    std::fprintf(stderr, "verdict sim: real proofs with an in-memory development SRS (INSECURE: tau known here)\n");
    srs = std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau((std::size_t{1} << *k) + 1,
                                                                            field::Fr::random(rng)));
  }
  auto key = nn::setup(*model, options, srs, rng);
  if (!key.ok()) return key.error().context("setup");
  auto images = nn::load_fashion_mnist(dataset, nn::Split::kTest, examples);
  if (!images.ok()) return images.error();
  if (images->size() < examples)
    return Error{"the dataset has " + std::to_string(images->size()) + " test images, " + std::to_string(examples) +
                 " needed"};
  auto real = std::make_shared<sim::RealProofs>();
  real->model = std::make_shared<const nn::Model>(std::move(*model));
  real->key = std::make_shared<const nn::ModelProvingKey>(std::move(*key));
  for (std::size_t i = 0; i < images->size(); ++i) {
    real->inputs.push_back(images->image_vector(i));
    real->labels.push_back(images->labels[i]);
  }
  return std::shared_ptr<const sim::RealProofs>(std::move(real));
}

int run_sim(const std::vector<std::string>& args) {
  po::options_description desc(
      "verdict sim --scenario FILE [--runs N] [--seed S] [--threads T] [--out DIR] [--sweep PARAM=V1,V2,...]");
  std::string scenario_path, out_dir;
  std::vector<std::string> sweeps;
  desc.add_options()("help,h", "show this help")("scenario", po::value(&scenario_path),
                                                 "scenario file (sim/scenarios/*.json)")(
      "runs", po::value<std::uint64_t>(), "runs per case (default: the scenario's)")(
      "seed", po::value<std::uint64_t>(), "Monte Carlo seed (default: the scenario's)")(
      "threads", po::value<unsigned>(), "worker threads (default: all hardware threads)")(
      "out", po::value(&out_dir), "write the report files into this directory")(
      "sweep", po::value(&sweeps), "sweep a parameter over values (repeat for a grid); replaces the scenario's sweep")(
      "no-sweep", "ignore the scenario's sweep")(
      "real-proofs", "real SNARKs of a real model (at most 100 runs per case)")(
      "model", po::value<std::string>(), "with --real-proofs: the quantized model (verdict import)")(
      "srs", po::value<std::string>(), "with --real-proofs: a .ptau file (default: an in-memory development SRS)")(
      "dataset", po::value<std::string>(), "with --real-proofs: the Fashion-MNIST directory");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, kUsage); rc >= 0) return rc;
  if (scenario_path.empty()) return fail(kUsage, "--scenario is required");
  // With real proofs the cases are checked once they carry them (below).
  const bool real_proofs = vm.count("real-proofs") > 0;
  auto scenario = sim::load_scenario(
      scenario_path, real_proofs ? sim::CaseChecks::kStructureOnly : sim::CaseChecks::kChecked);
  if (!scenario.ok()) return fail(kUsage, scenario.error().message);
  sim::MonteCarloOptions options{scenario->runs, scenario->seed, 0};
  if (vm.count("runs")) {
    const std::uint64_t n = vm["runs"].as<std::uint64_t>();
    if (n == 0 || n > sim::kMaxRuns) return fail(kUsage, "--runs: 1 to " + std::to_string(sim::kMaxRuns));
    options.runs = n;
  }
  if (vm.count("seed")) options.seed = scenario->seed = vm["seed"].as<std::uint64_t>();
  if (vm.count("threads")) {
    options.threads = vm["threads"].as<unsigned>();
    if (options.threads == 0 || options.threads > 256) return fail(kUsage, "--threads: 1 to 256");
  }
  if (vm.count("no-sweep") || !sweeps.empty()) scenario->sweep.clear();
  for (const std::string& flag : sweeps) {
    auto axis = parse_sweep_flag(flag);
    if (!axis.ok()) return fail(kUsage, axis.error().message);
    if (Status s = sim::add_sweep_axis(*scenario, std::move(*axis)); !s.ok()) return fail(kUsage, s.error().message);
  }
  std::shared_ptr<const sim::RealProofs> real;
  if (real_proofs) {
    auto info = sim::protocol_info(scenario->protocol);
    if (!info.ok()) return fail(kUsage, info.error().message);
    if (!info->real_examples)
      return fail(kUsage, "--real-proofs: the " + scenario->protocol + " protocol has no real-proof mode");
    if (!vm.count("model")) return fail(kUsage, "--real-proofs needs --model (a file from verdict import)");
    if (options.runs > sim::kMaxRealProofRuns)
      return fail(kUsage, "--real-proofs: at most " + std::to_string(sim::kMaxRealProofRuns) +
                              " runs per case (give --runs)");
    if (!scenario->sweep.empty()) return fail(kUsage, "--real-proofs: no sweep (give --no-sweep)");
    std::size_t examples = 0;
    for (const sim::CaseSpec& c : scenario->cases) examples = std::max(examples, info->real_examples(c));
    const std::string dataset =
        vm.count("dataset") ? vm["dataset"].as<std::string>() : nn::fashion_mnist_dir().string();
    auto loaded = load_real_proofs(vm["model"].as<std::string>(), vm.count("srs") ? vm["srs"].as<std::string>() : "",
                                   dataset, examples);
    if (!loaded.ok()) return fail(kUsage, "--real-proofs: " + loaded.error().message);
    real = *loaded;
    for (sim::CaseSpec& c : scenario->cases) {
      c.real = real;
      if (Status s = sim::check_case(*info, c, scenario->cost); !s.ok()) return fail(kUsage, s.error().message);
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto result = sim::run_scenario(*scenario, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!result.ok()) return fail(kUsage, result.error().message);
  std::cout << sim::text_report(*result);
  if (!out_dir.empty()) {
    if (Status s = sim::write_reports(*result, out_dir); !s.ok()) return fail(kUsage, s.error().message);
  }
  if (real) {
    const sim::RealProofStats& st = *real->stats;
    std::fprintf(stderr, "verdict sim: real proofs: %llu made (%.2f s each), %llu verified (%.1f ms each), %llu invalid\n",
                 static_cast<unsigned long long>(st.proofs.load()),
                 st.proofs ? static_cast<double>(st.prove_us) / 1e6 / static_cast<double>(st.proofs) : 0.0,
                 static_cast<unsigned long long>(st.verifications.load()),
                 st.verifications ? static_cast<double>(st.verify_us) / 1e3 / static_cast<double>(st.verifications) : 0.0,
                 static_cast<unsigned long long>(st.invalid.load()));
  }
  std::fprintf(stderr, "verdict sim: %llu runs in %.2f s: %.4g runs/s\n",
               static_cast<unsigned long long>(result->total_runs), seconds,
               static_cast<double>(result->total_runs) / seconds);
  return kExitOk;
}

}  // namespace

Command sim_command() { return {"sim", "Economic simulator: strategies, Monte Carlo, closed forms, reports", run_sim, {}}; }

}  // namespace verdict::cli
