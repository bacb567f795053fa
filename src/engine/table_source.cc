#include "engine/table_source.h"

#include <map>
#include <mutex>

#include "engine/duckdb_bridge.h"
#include "engine/engine.h"

namespace strata::engine {

namespace internal {

// The sources registered on one database, by token. DuckDB's table function
// holds a shared_ptr to it as its extra info, so it lives as long as either
// the database or a registration.
struct TableSourceRegistry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<TableSource>> sources;
  uint64_t next_token = 1;
};

}  // namespace internal

namespace {

constexpr const char* kFunctionName = "strata_source";

// What a bound query holds: the source and its column types.
struct BindData {
  std::shared_ptr<TableSource> source;
  std::vector<LogicalType> types;
};

void DeleteRegistry(void* p) {
  delete static_cast<std::shared_ptr<internal::TableSourceRegistry>*>(p);
}
void DeleteBindData(void* p) { delete static_cast<BindData*>(p); }

void Bind(duckdb_bind_info info) {
  auto& registry = **static_cast<std::shared_ptr<internal::TableSourceRegistry>*>(
      duckdb_bind_get_extra_info(info));
  internal::OwnedValue token_value(duckdb_bind_get_parameter(info, 0));
  char* token_text = duckdb_get_varchar(token_value.get());
  std::string token = token_text == nullptr ? "" : token_text;
  duckdb_free(token_text);
  std::shared_ptr<TableSource> source;
  {
    std::lock_guard<std::mutex> lock(registry.mu);
    auto it = registry.sources.find(token);
    if (it != registry.sources.end()) source = it->second;
  }
  if (source == nullptr) {
    std::string message = std::string(kFunctionName) + "('" + token +
                          "'): no such source (its registration has ended)";
    duckdb_bind_set_error(info, message.c_str());
    return;
  }
  auto data = std::make_unique<BindData>();
  for (const auto& [name, type] : source->columns()) {
    Result<internal::OwnedLogicalType> duck_type = internal::TypeToDuckDB(type);
    if (!duck_type.ok()) {
      std::string message = "column '" + name + "': " + duck_type.status().message();
      duckdb_bind_set_error(info, message.c_str());
      return;
    }
    duckdb_bind_add_result_column(info, name.c_str(), duck_type->get());
    data->types.push_back(type);
  }
  data->source = std::move(source);
  duckdb_bind_set_bind_data(info, data.release(), DeleteBindData);
}

void Init(duckdb_init_info info) { duckdb_init_set_max_threads(info, 1); }

void Scan(duckdb_function_info info, duckdb_data_chunk chunk) {
  auto& data = *static_cast<BindData*>(duckdb_function_get_bind_data(info));
  // Exceptions must not cross DuckDB's C boundary.
  try {
    OutputChunk out(chunk, data.types);
    Status status = data.source->Fill(out);
    if (!status.ok()) {
      duckdb_data_chunk_set_size(chunk, 0);
      duckdb_function_set_error(info, status.message().c_str());
    }
  } catch (const std::exception& e) {
    duckdb_data_chunk_set_size(chunk, 0);
    duckdb_function_set_error(info, e.what());
  }
}

// Registers DuckDB's `strata_source(token)` table function on the database
// behind `conn`, once; returns the database's registry.
Result<std::shared_ptr<internal::TableSourceRegistry>> Registry(internal::ConnectionState& conn) {
  internal::DatabaseHandle& db = *conn.db;
  std::lock_guard<std::mutex> lock(db.table_sources_mu);
  if (db.table_sources != nullptr) return db.table_sources;
  auto registry = std::make_shared<internal::TableSourceRegistry>();
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, kFunctionName);
  internal::OwnedLogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  duckdb_table_function_add_parameter(function, varchar.get());
  duckdb_table_function_set_extra_info(
      function, new std::shared_ptr<internal::TableSourceRegistry>(registry), DeleteRegistry);
  duckdb_table_function_set_bind(function, Bind);
  duckdb_table_function_set_init(function, Init);
  duckdb_table_function_set_function(function, Scan);
  ++conn.generation;
  duckdb_state state = duckdb_register_table_function(conn.conn, function);
  duckdb_destroy_table_function(&function);
  if (state != DuckDBSuccess) {
    return Status::Internal(std::string("could not register DuckDB table function ") +
                            kFunctionName);
  }
  db.table_sources = registry;
  return registry;
}

}  // namespace

OutputChunk::OutputChunk(_duckdb_data_chunk* chunk, const std::vector<LogicalType>& types)
    : chunk_(chunk), types_(types), capacity_(duckdb_vector_size()) {
  data_.resize(types.size());
  vectors_.resize(types.size());
  validity_.assign(types.size(), nullptr);
  for (size_t i = 0; i < types.size(); ++i) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, i);
    vectors_[i] = vector;
    data_[i] = duckdb_vector_get_data(vector);
  }
}

void OutputChunk::SetNull(size_t column, size_t row) {
  if (validity_[column] == nullptr) {
    auto vector = static_cast<duckdb_vector>(vectors_[column]);
    duckdb_vector_ensure_validity_writable(vector);
    validity_[column] = duckdb_vector_get_validity(vector);
  }
  duckdb_validity_set_row_invalid(validity_[column], row);
}

void OutputChunk::SetValid(size_t column, size_t row) {
  if (validity_[column] != nullptr) duckdb_validity_set_row_valid(validity_[column], row);
}

void OutputChunk::SetString(size_t column, size_t row, std::string_view bytes) {
  duckdb_vector_assign_string_element_len(static_cast<duckdb_vector>(vectors_[column]), row,
                                          bytes.data(), bytes.size());
}

void OutputChunk::SetDecimal(size_t column, size_t row, HugeInt scaled) {
  const uint8_t width = types_[column].decimal_width();
  const auto v = scaled.ToInt128();
  if (width <= 4) {
    MutableData<int16_t>(column)[row] = static_cast<int16_t>(v);
  } else if (width <= 9) {
    MutableData<int32_t>(column)[row] = static_cast<int32_t>(v);
  } else if (width <= 18) {
    MutableData<int64_t>(column)[row] = static_cast<int64_t>(v);
  } else {
    MutableData<HugeInt>(column)[row] = scaled;
  }
}

void OutputChunk::SetSize(size_t rows) { duckdb_data_chunk_set_size(chunk_, rows); }

TableSourceRegistration::TableSourceRegistration(
    std::shared_ptr<internal::TableSourceRegistry> registry, std::string token)
    : registry_(std::move(registry)), token_(std::move(token)) {}

TableSourceRegistration::~TableSourceRegistration() {
  std::lock_guard<std::mutex> lock(registry_->mu);
  registry_->sources.erase(token_);
}

std::string TableSourceRegistration::sql() const {
  return std::string(kFunctionName) + "('" + token_ + "')";
}

Result<std::unique_ptr<TableSourceRegistration>> Connection::RegisterTableSource(
    std::shared_ptr<TableSource> source) {
  if (source == nullptr) return Status::InvalidArgument("RegisterTableSource: no source");
  for (const auto& [name, type] : source->columns()) {
    if (type.IsNested() || type.id() == TypeId::kUnsupported || type.id() == TypeId::kInvalid) {
      return Status::InvalidArgument("table source column '" + name + "' has type " +
                                     type.ToString() + ": only flat types can be written");
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<internal::TableSourceRegistry> registry,
                          Registry(*state_));
  std::string token;
  {
    std::lock_guard<std::mutex> lock(registry->mu);
    token = std::to_string(registry->next_token++);
    registry->sources[token] = std::move(source);
  }
  return std::make_unique<TableSourceRegistration>(std::move(registry), std::move(token));
}

}  // namespace strata::engine
