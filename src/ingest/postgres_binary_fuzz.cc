// Fuzzes the binary COPY parser with arbitrary bytes: header, tuples and
// numeric values must be refused with a Status, never crash or read past
// their input.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ingest/postgres_binary.h"
#include "ingest/postgres_copy_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::ingest;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // With the first byte odd, the input starts with a header.
  if (!in.empty() && (in[0] & 1) != 0) {
    in.remove_prefix(1);
    if (!ConsumePgCopyHeader(in).ok()) return 0;
  }
  std::vector<PgField> fields;
  std::vector<PgWire> wires;
  while (!in.empty()) {
    const size_t before = in.size();
    auto tuple = ConsumePgTuple(in, fields);
    if (!tuple.ok() || !*tuple) break;
    if (in.size() >= before) std::abort();  // every tuple consumes bytes
    for (const PgField& field : fields) {
      if (field.is_null) continue;
      if (field.bytes.data() < reinterpret_cast<const char*>(data) ||
          field.bytes.data() + field.bytes.size() > reinterpret_cast<const char*>(data) + size) {
        std::abort();
      }
      for (int precision : {4, 18, 38}) (void)DecodePgNumeric(field.bytes, precision, 2);
      wires.push_back(PgWire::kText);
    }
    (void)RenderPgTuple(fields, wires);
  }
  return 0;
}
