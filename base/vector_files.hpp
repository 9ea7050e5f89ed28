#pragma once
// Locating external test vectors. Vector tests read the directory named by the
// environment variable VERDICT_VECTORS when it is set, else the build's default
// (../shared/vectors next to the checkout), and test every file found under it,
// recursively, whose name matches a shell pattern — so new files of a known format
// are picked up without code changes.

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace verdict {

// `fallback` is the build-time default directory.
std::filesystem::path vectors_directory(const std::string& fallback);

// Regular files under `root` (recursively) whose file name matches the fnmatch(3)
// pattern, sorted by path. An Error if root is not a readable directory.
Result<std::vector<std::filesystem::path>> find_files(const std::filesystem::path& root, const std::string& pattern);

// The whole file as a string, or an Error naming the path.
Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace verdict
