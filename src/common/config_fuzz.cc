// libFuzzer target for the YAML config loader: any input must yield a value or
// a Status, never a crash, hang or exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config.h"

namespace {

// Reads every node every way the typed API allows, to reach the converters.
void Walk(const strata::ConfigNode& node, int depth) {
  if (depth > 64) return;
  (void)node.Location();
  (void)node.As<std::string>();
  (void)node.As<bool>();
  (void)node.As<int64_t>();
  (void)node.As<double>();
  (void)node.As<std::vector<std::string>>();
  (void)node.As<std::map<std::string, std::string>>();
  (void)node.CheckKnownKeys({"name", "path", "warehouse"});
  if (auto entries = node.Entries(); entries.ok()) {
    for (const auto& [key, child] : *entries) Walk(child, depth + 1);
  }
  if (auto elements = node.Elements(); elements.ok()) {
    for (const auto& child : *elements) Walk(child, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  strata::ConfigOptions options;
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SET") return std::string("value");
    return std::nullopt;
  };
  auto doc = strata::ParseConfig(text, "fuzz.yml", options);
  if (doc.ok()) Walk(doc->root(), 0);
  return 0;
}
