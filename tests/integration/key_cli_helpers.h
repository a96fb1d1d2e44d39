// Helpers for the tests that run the built leea binary on key split/combine.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace leea::test {

inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

inline std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

inline unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

// Writes n pseudo-random bytes to p in 1 MiB pieces, so the test itself stays small.
inline void write_random_file(const std::filesystem::path& p, size_t n, unsigned seed) {
  std::ofstream f(p, std::ios::binary);
  for (size_t done = 0; done < n; done += 1u << 20) {
    std::string piece = random_bytes(std::min<size_t>(1u << 20, n - done), seed++);
    f.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
}

inline bool same_files(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1u << 20), bb(1u << 20);
  for (;;) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount()) return false;
    if (fa.gcount() == 0) return true;
    if (!std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
  }
}

}  // namespace leea::test
