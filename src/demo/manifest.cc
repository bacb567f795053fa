#include "demo/manifest.h"

#include <exception>
#include <nlohmann/json.hpp>

namespace strata::demo::internal {

using nlohmann::ordered_json;

std::string EncodeManifest(const Manifest& manifest) {
  ordered_json j;
  j["generator"] = "strata demo";
  j["generator_version"] = manifest.key.generator_version;
  j["duckdb_version"] = manifest.key.duckdb_version;
  j["scale"] = manifest.key.scale;
  j["seed"] = manifest.key.seed;
  j["order_count"] = manifest.key.order_count;
  ordered_json datasets = ordered_json::array();
  for (const DemoDataset& ds : manifest.datasets) {
    ordered_json files = ordered_json::array();
    for (const DemoFile& f : ds.files) {
      files.push_back({{"path", f.path}, {"rows", f.rows}, {"bytes", f.bytes}});
    }
    ordered_json dirty = ordered_json::array();
    for (const DemoDirtyCount& d : ds.dirty) {
      dirty.push_back({{"kind", d.kind}, {"description", d.description}, {"rows", d.rows}});
    }
    datasets.push_back(
        {{"name", ds.name}, {"format", ds.format}, {"files", files}, {"dirty", dirty}});
  }
  j["datasets"] = datasets;
  return j.dump(2) + "\n";
}

Result<Manifest> DecodeManifest(std::string_view json) {
  // nlohmann reports a wrong type or a missing key by throwing; both mean the
  // file is not ours (or was edited), which the caller treats as "regenerate".
  try {
    ordered_json j = ordered_json::parse(json);
    Manifest m;
    m.key.generator_version = j.at("generator_version").get<int>();
    m.key.duckdb_version = j.at("duckdb_version").get<std::string>();
    m.key.scale = j.at("scale").get<int>();
    m.key.seed = j.at("seed").get<uint64_t>();
    m.key.order_count = j.at("order_count").get<int64_t>();
    for (const ordered_json& d : j.at("datasets")) {
      DemoDataset ds;
      ds.name = d.at("name").get<std::string>();
      ds.format = d.at("format").get<std::string>();
      for (const ordered_json& f : d.at("files")) {
        ds.files.push_back({f.at("path").get<std::string>(), f.at("rows").get<int64_t>(),
                            f.at("bytes").get<int64_t>()});
      }
      for (const ordered_json& k : d.at("dirty")) {
        ds.dirty.push_back({k.at("kind").get<std::string>(), k.at("description").get<std::string>(),
                            k.at("rows").get<int64_t>()});
      }
      m.datasets.push_back(std::move(ds));
    }
    return m;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("demo manifest is not readable: ") + e.what());
  }
}

}  // namespace strata::demo::internal
