// Internal to src/demo: _manifest.json, the record of one generation run.
//
// The manifest is written last, after every data file, so its presence means
// the files it lists are complete. GenerateDemoData reuses the files when the
// manifest's key equals the requested one and every file still has its size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "demo/demo.h"

namespace strata::demo::internal {

inline constexpr std::string_view kManifestFileName = "_manifest.json";

// What determines the bytes of the generated files.
struct ManifestKey {
  int generator_version = 0;
  std::string duckdb_version;  // DuckDB's hash() may change between versions
  int scale = 0;
  uint64_t seed = 0;
  int64_t order_count = 0;

  friend bool operator==(const ManifestKey&, const ManifestKey&) = default;
};

struct Manifest {
  ManifestKey key;
  std::vector<DemoDataset> datasets;
};

// Pretty-printed JSON, stable key order.
std::string EncodeManifest(const Manifest& manifest);

// Corruption (naming what is wrong) when `json` is not a manifest this
// version wrote.
Result<Manifest> DecodeManifest(std::string_view json);

}  // namespace strata::demo::internal
