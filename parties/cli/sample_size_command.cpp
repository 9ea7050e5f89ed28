// verdict sample-size: how many samples an audit needs (protocols/sizing, docs/protocols.md).
//   --p P            zero-failure audit: N such that N clean samples bound the failure
//                    (tampering) rate below P (paper Table 3; default two-sided CP)
//   --eps E          accuracy test: N such that the estimate is within E (paper Table 4;
//                    default one-sided Hoeffding)
//   --successes K --trials N
//                    the confidence interval for K successes out of N
//   --tables         the paper's Tables 3 and 4 beside the recomputed values
// Exit codes: 0 answered, 2 bad usage or an argument out of range.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include "parties/cli/commands.hpp"
#include "parties/cli/options.hpp"
#include "protocols/sizing/clopper_pearson.hpp"
#include "protocols/sizing/hoeffding.hpp"
#include "protocols/sizing/paper_tables.hpp"

namespace verdict::cli {

namespace {

namespace po = boost::program_options;
using sizing::Sides;

constexpr const char* kUsage = "verdict sample-size";

enum class Method { kHoeffding, kClopperPearson };

const char* method_name(Method m) { return m == Method::kHoeffding ? "Hoeffding" : "Clopper-Pearson"; }

int fail(const std::string& message) {
  std::cerr << kUsage << ": " << message << "\n";
  return kExitUsage;
}

struct Query {
  double delta = sizing::kPaperDelta;
  Sides sides = Sides::kTwo;
  Method method = Method::kClopperPearson;
  double cost_per_proof = sizing::kPaperCostPerProof;
};

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

void print_cost(std::uint64_t n, double cost_per_proof) {
  std::printf("cost at $%g per proof: $%.2f\n", cost_per_proof, double(n) * cost_per_proof);
}

int zero_failure(double p, const Query& q) {
  auto n = q.method == Method::kClopperPearson ? sizing::zero_failure_sample_size(p, q.delta, q.sides)
                                               : sizing::hoeffding_sample_size(p, q.delta, q.sides);
  if (!n) return fail(n.error().message);
  std::printf("zero-failure audit: p = %g, delta = %g, %s, %s\n", p, q.delta, std::string(to_string(q.sides)).c_str(),
              method_name(q.method));
  std::printf("N = %llu\n", static_cast<unsigned long long>(*n));
  const double tail = sizing::tail_delta(q.delta, q.sides);
  std::printf("if the failure rate were >= %g, all %llu samples would pass with probability <= %g", p,
              static_cast<unsigned long long>(*n), tail);
  if (auto bound = sizing::clopper_pearson_upper(0, *n, q.delta, q.sides); bound.ok()) {
    std::printf(" (Clopper-Pearson bound after 0 failures: %.4f%%)", 100 * *bound);
  }
  std::printf("\n");
  print_cost(*n, q.cost_per_proof);
  return kExitOk;
}

int accuracy(double eps, const Query& q) {
  auto n = q.method == Method::kHoeffding ? sizing::hoeffding_sample_size(eps, q.delta, q.sides)
                                          : sizing::clopper_pearson_sample_size(eps, q.delta, q.sides);
  if (!n) return fail(n.error().message);
  std::printf("accuracy test: eps = %g, delta = %g, %s, %s\n", eps, q.delta, std::string(to_string(q.sides)).c_str(),
              method_name(q.method));
  std::printf("N = %llu\n", static_cast<unsigned long long>(*n));
  if (q.sides == Sides::kOne) {
    std::printf("the estimate overshoots the true accuracy by more than %g with probability <= %g\n", eps, q.delta);
  } else {
    std::printf("the estimate misses the true accuracy by more than %g (either way) with probability <= %g\n", eps,
                q.delta);
  }
  print_cost(*n, q.cost_per_proof);
  return kExitOk;
}

int interval(std::uint64_t k, std::uint64_t n, const Query& q) {
  double lower = 0, upper = 1;
  if (q.method == Method::kClopperPearson) {
    auto l = sizing::clopper_pearson_lower(k, n, q.delta, q.sides);
    if (!l) return fail(l.error().message);
    auto u = sizing::clopper_pearson_upper(k, n, q.delta, q.sides);
    if (!u) return fail(u.error().message);
    lower = *l;
    upper = *u;
  } else {
    if (k > n) return fail("--successes exceeds --trials");
    auto m = sizing::hoeffding_margin(n, q.delta, q.sides);
    if (!m) return fail(m.error().message);
    const double estimate = double(k) / double(n);
    lower = std::max(0.0, estimate - *m);
    upper = std::min(1.0, estimate + *m);
  }
  std::printf("%llu successes in %llu trials: estimate %.6f, delta = %g, %s, %s\n", static_cast<unsigned long long>(k),
              static_cast<unsigned long long>(n), double(k) / double(n), q.delta,
              std::string(to_string(q.sides)).c_str(), method_name(q.method));
  if (q.sides == Sides::kTwo) {
    std::printf("interval [%.6f, %.6f] at confidence %g\n", lower, upper, 1 - q.delta);
  } else {
    std::printf("lower bound %.6f at confidence %g; upper bound %.6f at confidence %g (each on its own)\n", lower,
                1 - q.delta, upper, 1 - q.delta);
  }
  return kExitOk;
}

int tables(double cost_per_proof) {
  const double delta = sizing::kPaperDelta;
  std::printf("Paper Table 3: zero-failure audit (delta = %g, two-sided Clopper-Pearson), $%g per proof\n", delta,
              cost_per_proof);
  std::printf("  %6s %8s %9s | %8s %8s %10s %12s  %s\n", "p", "paper N", "paper $", "N 2-side", "N 1-side",
              "$ (2-side)", "U(0,paper N)", "check");
  for (const auto& row : sizing::recompute_table3()) {
    const double p = row.paper.parameter;
    std::string check = "ok";
    if (row.paper.n > row.two_sided) {
      check = "PAPER OFF: " + std::to_string(row.paper.n) + " bounds the rate at " +
              fixed(100 * row.bound_at_paper_n, 4) + "%, " + std::to_string(row.paper.n - row.two_sided) +
              " samples more than needed";
    } else if (row.paper.n < row.two_sided) {
      check = "PAPER OFF: " + std::to_string(row.paper.n) + " bounds only " + fixed(100 * row.bound_at_paper_n, 4) +
              "% > " + fixed(100 * p, 1) + "%, " + std::to_string(row.two_sided - row.paper.n) + " short";
    }
    std::printf("  %5.1f%% %8llu %9.2f | %8llu %8llu %10.2f %11.4f%%  %s\n", 100 * p,
                static_cast<unsigned long long>(row.paper.n), row.paper.cost_dollars,
                static_cast<unsigned long long>(row.two_sided), static_cast<unsigned long long>(row.one_sided),
                double(row.two_sided) * cost_per_proof, 100 * row.bound_at_paper_n, check.c_str());
  }
  std::printf("\nPaper Table 4: accuracy test (delta = %g, one-sided Hoeffding), $%g per proof\n", delta,
              cost_per_proof);
  std::printf("  %6s %8s %9s | %8s %8s %10s %8s %10s  %s\n", "eps", "paper N", "paper $", "N 1-side", "N 2-side",
              "$ (1-side)", "exact CP", "delta(N)", "check");
  for (const auto& row : sizing::recompute_table4()) {
    const double eps = row.paper.parameter;
    auto exact = sizing::clopper_pearson_sample_size(eps, delta, Sides::kOne);
    const std::string exact_n = exact ? std::to_string(*exact) : "-";
    std::string check = "ok";
    if (row.paper.n < row.one_sided) {
      check = "PAPER OFF: " + std::to_string(row.one_sided - row.paper.n) + " short, the printed N gives delta " +
              fixed(row.delta_at_paper_n, 5) + " > " + fixed(delta, 2);
    } else if (row.paper.n > row.one_sided) {
      check = "PAPER OFF: " + std::to_string(row.paper.n - row.one_sided) + " samples more than needed";
    }
    std::printf("  %5.1f%% %8llu %9.2f | %8llu %8llu %10.2f %8s %10.5f  %s\n", 100 * eps,
                static_cast<unsigned long long>(row.paper.n), row.paper.cost_dollars,
                static_cast<unsigned long long>(row.one_sided), static_cast<unsigned long long>(row.two_sided),
                double(row.one_sided) * cost_per_proof, exact_n.c_str(), row.delta_at_paper_n, check.c_str());
  }
  std::printf(
      "\nThe paper's $ columns are its printed N times one proof's cost, which they pin to [0.1061806,\n"
      "0.1061853) dollars ($%g to five places; 72 * 0.10618 = 7.645 shows as 7.64). 'exact CP' is the\n"
      "one-sided Clopper-Pearson N for the same guarantee (--eps E --method clopper-pearson).\n"
      "docs/protocols.md, \"Sample sizing\".\n",
      sizing::kPaperCostPerProof);
  return kExitOk;
}

int sample_size(const std::vector<std::string>& args) {
  po::options_description desc(
      "verdict sample-size: samples needed for an audit (zero failures, accuracy within eps) and exact intervals");
  double p = 0, eps = 0, delta = 0, cost_per_proof = 0;
  std::int64_t successes = 0, trials = 0;
  std::string method;
  desc.add_options()("help,h", "show this help")(
      "p", po::value<double>(&p), "zero-failure audit: bound the failure (tampering) rate below p (paper Table 3)")(
      "eps", po::value<double>(&eps), "accuracy test: estimate within eps of the true accuracy (paper Table 4)")(
      "successes", po::value<std::int64_t>(&successes), "with --trials: the interval for this many successes")(
      "trials", po::value<std::int64_t>(&trials), "number of trials for --successes")(
      "tables", "print the paper's Tables 3 and 4 beside the recomputed values (delta = 0.05)")(
      "delta", po::value<double>(&delta)->default_value(sizing::kPaperDelta), "1 - confidence, in (0, 1)")(
      "one-sided", "one-sided guarantee (default for --eps, as the paper's Table 4)")(
      "two-sided", "two-sided, delta/2 per tail (default for --p and --successes, as the paper's Table 3)")(
      "method", po::value<std::string>(&method),
      "hoeffding | clopper-pearson (default: clopper-pearson for --p and --successes, hoeffding for --eps)")(
      "cost-per-proof", po::value<double>(&cost_per_proof)->default_value(sizing::kPaperCostPerProof),
      "dollars per proved sample (default: the paper's MobileNet v2 (0.35, 96) figure)");
  po::variables_map vm;
  if (int rc = parse_options(args, desc, vm, kUsage); rc >= 0) return rc;

  const int modes = int(vm.count("p")) + int(vm.count("eps")) + int(vm.count("successes") || vm.count("trials")) +
                    int(vm.count("tables"));
  if (modes != 1) return fail("give exactly one of --p, --eps, --successes with --trials, --tables");
  if (!(std::isfinite(cost_per_proof) && cost_per_proof >= 0)) return fail("--cost-per-proof must be >= 0");
  if (vm.count("one-sided") && vm.count("two-sided")) return fail("--one-sided and --two-sided exclude each other");
  if (vm.count("tables")) {
    if (!vm["delta"].defaulted() || vm.count("method") || vm.count("one-sided") || vm.count("two-sided")) {
      return fail("--tables recomputes the paper's settings (delta = 0.05); it takes only --cost-per-proof");
    }
    return tables(cost_per_proof);
  }

  Query q;
  q.delta = delta;
  q.cost_per_proof = cost_per_proof;
  const bool accuracy_mode = vm.count("eps") > 0;
  q.sides = vm.count("one-sided")   ? Sides::kOne
            : vm.count("two-sided") ? Sides::kTwo
            : accuracy_mode         ? Sides::kOne
                                    : Sides::kTwo;
  if (!vm.count("method")) {
    q.method = accuracy_mode ? Method::kHoeffding : Method::kClopperPearson;
  } else if (method == "hoeffding") {
    q.method = Method::kHoeffding;
  } else if (method == "clopper-pearson") {
    q.method = Method::kClopperPearson;
  } else {
    return fail("--method must be hoeffding or clopper-pearson, got '" + method + "'");
  }

  if (vm.count("p")) return zero_failure(p, q);
  if (accuracy_mode) return accuracy(eps, q);
  if (!vm.count("successes") || !vm.count("trials")) return fail("--successes and --trials go together");
  if (successes < 0 || trials < 0) return fail("--successes and --trials must be non-negative");
  return interval(std::uint64_t(successes), std::uint64_t(trials), q);
}

}  // namespace

Command sample_size_command() {
  return {"sample-size",
          "Sample sizes for audits (Hoeffding, Clopper-Pearson; the paper's Tables 3 and 4)",
          sample_size,
          {}};
}

}  // namespace verdict::cli
