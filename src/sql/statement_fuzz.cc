// Fuzzes the DDL/DML recognizer: any text must parse or fail with a Status.
#include <cstdint>
#include <string_view>

#include "sql/statement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto statement = strata::sql::ParseStatement(sql);
  if (statement.ok()) (void)statement->target.ToString();
  return 0;
}
