#include "base/vector_files.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace verdict {

std::filesystem::path vectors_directory(const std::string& fallback) {
  if (const char* env = std::getenv("VERDICT_VECTORS"); env && *env) return env;
  return fallback;
}

Result<std::vector<std::filesystem::path>> find_files(const std::filesystem::path& root, const std::string& pattern) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return Error{"not a directory: " + root.string()};
  std::vector<std::filesystem::path> out;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) out.push_back(it->path());
  }
  if (ec) return Error{"walking " + root.string() + ": " + ec.message()};
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open " + path.string()};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{"error reading " + path.string()};
  return ss.str();
}

}  // namespace verdict
