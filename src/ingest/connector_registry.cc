#include <algorithm>
#include <map>

#include "ingest/connector.h"

namespace strata::ingest {
namespace {

std::map<std::string, ConnectorFactory>& Registry() {
  static auto* registry = new std::map<std::string, ConnectorFactory>();
  return *registry;
}

}  // namespace

void RegisterConnector(const std::string& name, ConnectorFactory factory) {
  Registry()[name] = std::move(factory);
}

std::vector<std::string> ConnectorNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

Result<std::unique_ptr<Connector>> MakeConnector(const SourceConfig& source) {
  auto it = Registry().find(source.connector);
  if (it == Registry().end()) {
    std::string known;
    for (const std::string& name : ConnectorNames()) known += (known.empty() ? "" : ", ") + name;
    return Status::NotFound("source '" + source.name + "': no connector named '" +
                            source.connector + "' (known: " + known + ")");
  }
  return it->second(source);
}

}  // namespace strata::ingest
