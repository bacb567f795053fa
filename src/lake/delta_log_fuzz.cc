// libFuzzer target: feeds arbitrary bytes to the Delta commit parser and, when
// they parse, through serialization and back. Any crash, sanitizer report or
// round-trip mismatch, or a disagreement between the add/remove fast path
// and the DOM parser, is a bug; a Corruption status is the expected outcome
// for garbage. Built only with -DSTRATA_BUILD_FUZZ=ON (clang).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lake/action_scanner.h"
#include "lake/actions.h"
#include "lake/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The add/remove fast path must never answer differently from the DOM.
  if (auto fast = strata::lake::ScanFileActionLine(input)) {
    auto dom = strata::lake::ParseActionLineWithDom(input);
    if (!dom.ok() || !dom->has_value() || !(**dom == *fast)) std::abort();
  }
  auto actions = strata::lake::ParseCommit(input);
  if (!actions.ok()) {
    if (actions.status().code() != strata::StatusCode::kCorruption) std::abort();
    return 0;
  }
  auto again = strata::lake::ParseCommit(strata::lake::SerializeCommit(*actions));
  if (!again.ok() || again->size() != actions->size()) std::abort();
  for (const auto& action : *actions) {
    if (const auto* m = std::get_if<strata::lake::Metadata>(&action)) {
      (void)strata::lake::ParseSchema(m->schema_string);
    }
  }
  return 0;
}
