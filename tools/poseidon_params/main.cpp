// poseidon_params: derives circomlib's Poseidon constants for BN254 (t = 2..7) from the
// Grain LFSR and writes snark/hash/poseidon_constants_bn254.hpp.
//
//   poseidon_params <output.hpp>    write the header
//   poseidon_params                 print it on stdout
//
// Not run by the build; the target regenerate_poseidon_constants runs it on the
// committed header, and poseidon_params_test checks the committed header is current.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "tools/poseidon_params/poseidon_params.hpp"

int main(int argc, char** argv) {
  using namespace verdict::poseidon_params;
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [output.hpp]\n", argv[0]);
    return 2;
  }
  std::vector<PoseidonConstants> sets;
  for (const PoseidonInstance& instance : kCircomlibInstances) {
    sets.push_back(derive_poseidon_constants(instance));
    const PoseidonConstants& s = sets.back();
    std::fprintf(stderr, "t=%u R_F=%u R_P=%u: %zu round constants (%u samples >= r skipped), MDS from draw %u\n",
                 instance.width, instance.full_rounds, instance.partial_rounds, s.round_constants.size(),
                 s.rejected_samples, s.mds_draws);
  }
  const std::string text = emit_constants_header(sets);
  if (argc == 1) {
    std::cout << text;
    return std::cout ? 0 : 1;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
