// verdict srs dev | info | check: the structured reference string.
#include <chrono>
#include <iostream>

#include "parties/cli/commands.hpp"
#include "parties/cli/options.hpp"
#include "snark/commit/ptau.hpp"
#include "snark/commit/srs.hpp"

namespace verdict::cli {

namespace po = boost::program_options;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int srs_dev(const std::vector<std::string>& args) {
  po::options_description desc("verdict srs dev: write an INSECURE development SRS (.ptau) for tests");
  unsigned k = 0;
  std::string out;
  std::uint64_t seed = 0;
  desc.add_options()("help,h", "show this help")("k", po::value<unsigned>(&k)->required(), "log2 of N (1..28): 2N-1 G1 and N G2 powers")(
      "out,o", po::value<std::string>(&out)->required(), "output .ptau path")(
      "seed", po::value<std::uint64_t>(&seed), "derive tau from this seed (reproducible); default: OS randomness");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, "verdict srs dev"); rc >= 0) return rc;
  if (k < 1 || k > commit::kPtauMaxPower) {
    std::cerr << "verdict srs dev: --k must be in [1, 28], got " << k << "\n";
    return kExitUsage;
  }
  auto t0 = std::chrono::steady_clock::now();
  std::string note;
  Status st;
  if (vm.count("seed")) {
    ChaChaRng rng(seed);
    note = "tau derived from seed " + std::to_string(seed) + " with verdict's ChaCha20 generator";
    st = commit::write_dev_ptau(out, k, rng, note);
  } else {
    OsRng rng;
    note = "tau drawn from OS randomness and discarded (still unfit for production: nobody attested it)";
    st = commit::write_dev_ptau(out, k, rng, note);
  }
  if (!st.ok()) {
    std::cerr << "verdict srs dev: " << st.error().message << "\n";
    return kExitUsage;
  }
  std::cout << "wrote " << out << ": INSECURE development SRS, power " << k << " (" << ((2u << k) - 1)
            << " G1 powers), in " << seconds_since(t0) << " s\n"
            << "  " << note << "\n"
            << "  loaders refuse it unless asked for with --insecure-dev-srs\n";
  return kExitOk;
}

int srs_info(const std::vector<std::string>& args) {
  po::options_description desc("verdict srs info: describe a .ptau file (no point validation)");
  std::string file;
  desc.add_options()("help,h", "show this help")("file", po::value<std::string>(&file)->required(), ".ptau path");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, "verdict srs info", &pos); rc >= 0) return rc;
  auto src = FileByteSource::open(file);
  if (!src.ok()) {
    std::cerr << "verdict srs info: " << src.error().message << "\n";
    return kExitUsage;
  }
  auto layout = commit::read_ptau_layout(**src);
  if (!layout.ok()) {
    std::cerr << "verdict srs info: " << layout.error().message << "\n";
    return kExitRejected;
  }
  std::cout << file << "\n  power " << layout->power << " (ceremony power " << layout->ceremony_power << "): "
            << layout->num_g1_powers() << " G1 powers, " << layout->num_g2_powers() << " G2 powers\n  sections:";
  for (const auto& [id, sec] : layout->sections) std::cout << " " << id << "(" << sec.length << " B)";
  std::cout << "\n  contributions: " << layout->contributions;
  for (const auto& name : layout->contributor_names) std::cout << " [" << name << "]";
  std::cout << "\n";
  if (layout->insecure_dev) std::cout << "  INSECURE development SRS: " << layout->insecure_dev_note << "\n";
  return kExitOk;
}

int srs_check(const std::vector<std::string>& args) {
  po::options_description desc("verdict srs check: load and validate the tau powers of a .ptau file");
  std::string file;
  unsigned k = 0;
  desc.add_options()("help,h", "show this help")("file", po::value<std::string>(&file)->required(), ".ptau path")(
      "k", po::value<unsigned>(&k), "validate 2^k G1 powers (default: N = 2^power)")(
      "insecure-dev-srs", "accept a development SRS made by `verdict srs dev`");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, "verdict srs check", &pos); rc >= 0) return rc;
  if (vm.count("k") && (k < 1 || k > commit::kPtauMaxPower + 1)) {
    std::cerr << "verdict srs check: --k must be in [1, 29]\n";
    return kExitUsage;
  }
  commit::SrsLoadOptions options;
  options.num_g1_powers = vm.count("k") ? std::size_t(1) << k : 0;
  options.allow_insecure_dev = vm.count("insecure-dev-srs") > 0;
  OsRng rng;
  auto t0 = std::chrono::steady_clock::now();
  auto srs = commit::load_srs(file, options, rng);
  if (!srs.ok()) {
    std::cerr << "verdict srs check: " << srs.error().message << "\n";
    return kExitRejected;
  }
  std::cout << file << ": " << srs->size() << " G1 powers and [1]_2, [tau]_2 valid (on curve, in subgroup, "
            << "consistent powers) in " << seconds_since(t0) << " s" << (srs->insecure_dev ? " [INSECURE dev SRS]" : "")
            << "\n";
  return kExitOk;
}

}  // namespace

Command srs_command() {
  return {"srs",
          "Structured reference strings (.ptau): dev generation, inspection, validation",
          nullptr,
          {
              {"dev", "Write an INSECURE development SRS for tests", srs_dev, {}},
              {"info", "Describe a .ptau file", srs_info, {}},
              {"check", "Load and validate the tau powers of a .ptau file", srs_check, {}},
          }};
}

}  // namespace verdict::cli
