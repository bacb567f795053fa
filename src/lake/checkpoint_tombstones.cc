#include "lake/checkpoint_tombstones.h"

#include <sstream>
#include <string>
#include <variant>

#include "lake/checkpoint_reader.h"

namespace strata::lake {
namespace {

// The checkpoint's lines that may hold a remove action, as JSON commit lines.
Result<std::vector<std::string>> TombstoneLines(const CheckpointFiles& cp, FileSystem& fs,
                                                engine::Connection& conn) {
  std::vector<std::string> lines;
  if (cp.is_json) {
    STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(cp.paths.front()));
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string list;
  for (const std::string& p : cp.paths)
    list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
  const std::string parquet = "read_parquet([" + list + "], union_by_name = true)";
  STRATA_ASSIGN_OR_RETURN(auto columns,
                          QueryStrings(conn, "SELECT column_name FROM (DESCRIBE SELECT * FROM " +
                                                 parquet + ") WHERE column_name = 'remove'"));
  if (columns.empty()) return lines;  // a checkpoint without any tombstone
  STRATA_ASSIGN_OR_RETURN(auto rows, QueryStrings(conn,
                                                  "SELECT '{\"remove\":' || CAST(to_json(remove) "
                                                  "AS VARCHAR) || '}' FROM " +
                                                      parquet + " WHERE remove IS NOT NULL"));
  for (const auto& row : rows) {
    if (row[0]) lines.push_back(*row[0]);
  }
  return lines;
}

}  // namespace

Result<std::vector<RemoveFile>> ReadCheckpointTombstones(const CheckpointFiles& checkpoint,
                                                         FileSystem& fs, engine::Connection& conn,
                                                         BadTombstone on_bad) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> lines, TombstoneLines(checkpoint, fs, conn));
  std::vector<RemoveFile> removes;
  for (const std::string& line : lines) {
    if (line.find("\"remove\"") == std::string::npos) continue;
    auto action = ParseActionLine(line);
    if (!action.ok()) {
      if (on_bad == BadTombstone::kFail) return action.status();
      continue;
    }
    if (!action->has_value()) continue;
    if (auto* remove = std::get_if<RemoveFile>(&**action)) removes.push_back(std::move(*remove));
  }
  return removes;
}

}  // namespace strata::lake
