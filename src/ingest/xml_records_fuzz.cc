// Fuzzes the XML-to-NDJSON conversion of the files connector with arbitrary
// documents: it must never crash, and every line it writes must be one JSON
// object (that is what the NDJSON stage relies on).
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "ingest/file_formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The first line, when it starts with '/', is the record path.
  std::string record_path;
  std::string content = text;
  if (!text.empty() && text[0] == '/') {
    const size_t newline = text.find('\n');
    record_path = text.substr(0, newline);
    content = newline == std::string::npos ? "" : text.substr(newline + 1);
  }
  const auto parsed = strata::ingest::files::XmlToNdjson(content, record_path);
  int64_t lines = 0;
  size_t start = 0;
  while (start < parsed.ndjson.size()) {
    size_t end = parsed.ndjson.find('\n', start);
    if (end == std::string::npos) std::abort();  // every record ends its line
    auto record = nlohmann::json::parse(parsed.ndjson.substr(start, end - start), nullptr, false);
    if (record.is_discarded() || !record.is_object()) std::abort();
    ++lines;
    start = end + 1;
  }
  if (lines != parsed.records) std::abort();
  return 0;
}
