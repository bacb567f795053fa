#include "ingest/csv_spool.h"

#include "ingest/postgres_types.h"

namespace strata::ingest {
namespace {
constexpr size_t kWriteBuffer = 1 << 20;
}  // namespace

Result<std::unique_ptr<CsvSpoolFile>> CsvSpoolFile::Create(FileSystem& fs, std::string path) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.OpenForWrite(path));
  return std::unique_ptr<CsvSpoolFile>(new CsvSpoolFile(std::move(file), std::move(path)));
}

Status CsvSpoolFile::AppendRow(std::string_view row) {
  if (file_ == nullptr) return Status::Internal("spool file " + path_ + " is closed");
  buffer_.append(row);
  ++rows_;
  bytes_ += static_cast<int64_t>(row.size());
  if (buffer_.size() >= kWriteBuffer) {
    STRATA_RETURN_IF_ERROR(file_->Append(buffer_));
    buffer_.clear();
  }
  return Status::OK();
}

Status CsvSpoolFile::Close() {
  if (file_ == nullptr) return Status::OK();
  if (!buffer_.empty()) STRATA_RETURN_IF_ERROR(file_->Append(buffer_));
  buffer_.clear();
  buffer_.shrink_to_fit();
  Status status = file_->Close();
  file_.reset();
  return status;
}

void AppendCsvField(std::string& row, std::string_view value) {
  bool quote = value.empty() || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    row.append(value);
    return;
  }
  row.push_back('"');
  for (char c : value) {
    if (c == '"') row.push_back('"');
    row.push_back(c);
  }
  row.push_back('"');
}

std::string DuckIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string DuckLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string SpoolSelect(const std::string& path, const std::vector<SpoolColumn>& columns,
                        int skip_fields) {
  std::string select = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) select += ", ";
    if (path.empty()) {
      select += "CAST(NULL AS " + columns[i].duck_type + ")";
    } else {
      select += ExpandColumnTemplate(columns[i].duck_expr, "c" + std::to_string(i));
    }
    select += " AS " + DuckIdentifier(columns[i].name);
  }
  if (path.empty()) return select + " WHERE false";
  std::string types;
  for (int i = 0; i < skip_fields; ++i) {
    types += (types.empty() ? "" : ", ") + DuckLiteral("skip" + std::to_string(i)) + ": 'VARCHAR'";
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    types += (types.empty() ? "" : ", ") + DuckLiteral("c" + std::to_string(i)) + ": " +
             DuckLiteral(columns[i].csv_type);
  }
  // allow_quoted_nulls=false: "" is an empty string, only an unquoted empty
  // field is NULL (PostgreSQL's CSV convention).
  return select + " FROM read_csv(" + DuckLiteral(path) + ", columns = {" + types +
         "}, header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
         "nullstr = '', allow_quoted_nulls = false, max_line_size = 67108864)";
}

std::string FirstCsvField(std::string_view row) {
  std::string field;
  if (row.empty() || row[0] != '"') {
    size_t end = row.find_first_of(",\r\n");
    return std::string(row.substr(0, end));
  }
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '"') {
      if (i + 1 < row.size() && row[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else {
        break;
      }
    } else {
      field.push_back(row[i]);
    }
  }
  return field;
}

std::function<Status(SpoolBatch)> CommitSpooledBatches(BatchSink& sink,
                                                       std::vector<SpoolColumn> columns,
                                                       int skip_fields, bool full_refresh) {
  return [&sink, columns = std::move(columns), skip_fields, full_refresh,
          committed_any = false](SpoolBatch spooled) mutable -> Status {
    StagedBatch batch;
    if (!spooled.path.empty()) {
      batch.query = SpoolSelect(spooled.path, columns, skip_fields);
      batch.spool_files.push_back(spooled.path);
    } else {
      batch.query = SpoolSelect("", columns);
    }
    batch.source_bytes = spooled.bytes;
    batch.state_after = std::move(spooled.state_after);
    batch.replace_table = full_refresh && !committed_any;
    committed_any = true;
    STRATA_RETURN_IF_ERROR(sink.Commit(std::move(batch)));
    sink.Progress(spooled.total_rows, spooled.total_bytes);
    if (sink.Cancelled()) return Status::Aborted("cancelled");
    return Status::OK();
  };
}

}  // namespace strata::ingest
