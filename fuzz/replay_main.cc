// A stand-in for libFuzzer's main, so every fuzz target also runs in the
// ordinary test suite (built with g++): it feeds each seed file in the given
// directories, then deterministic mutations of each seed (bit flips,
// truncations, splices, byte repeats), to LLVMFuzzerTestOneInput. A crash or a
// sanitizer report fails the test; `make fuzz` does the real, open-ended
// fuzzing with clang.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Feed(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::vector<std::string> Mutations(const std::string& seed, std::mt19937_64& rng, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string m = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      if (m.empty()) {
        m.push_back(static_cast<char>(rng()));
        continue;
      }
      const size_t pos = rng() % m.size();
      switch (rng() % 5) {
        case 0: m[pos] = static_cast<char>(m[pos] ^ (1u << (rng() % 8))); break;
        case 1: m.resize(pos); break;
        case 2: m.insert(pos, m.substr(rng() % m.size(), 1 + rng() % 16)); break;
        case 3: m.erase(pos, 1 + rng() % 8); break;
        default: m.insert(pos, std::string(1 + rng() % 64, m[pos])); break;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds = {"", "\n", "{", "[", "\"", "\xff\xfe", std::string(1000, '{')};
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i], ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  std::mt19937_64 rng(20261121);
  size_t runs = 0;
  for (const std::string& seed : seeds) {
    Feed(seed);
    ++runs;
    for (const std::string& m : Mutations(seed, rng, 200)) {
      Feed(m);
      ++runs;
    }
  }
  std::printf("replayed %zu inputs from %zu seeds without a crash\n", runs, seeds.size());
  return 0;
}
