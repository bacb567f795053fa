// XML: expat parses the file; each element at the record path becomes one
// JSON object written as a line of an NDJSON spool file, which is then staged
// like any NDJSON file (so nested elements become STRUCTs and repeated ones
// LISTs, by the same schema inference).
//
// Mapping (docs/INGEST.md): attributes and child elements become fields named
// as in the document (an attribute that collides with a child element is
// prefixed '@'); an element with neither attributes nor children is its text
// (empty text is null); text beside attributes or children goes to `_text`;
// a child element that occurs more than once becomes a list. All values are
// strings: XML has no types, so casting belongs to the silver models.
#include <expat.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ingest/file_formats.h"

namespace strata::ingest::files {
namespace {

struct XmlNode {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::unique_ptr<XmlNode>> children;
  std::string text;
};

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

nlohmann::ordered_json ToJson(const XmlNode& node) {
  const std::string text = Trim(node.text);
  if (node.attributes.empty() && node.children.empty()) {
    return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
  }
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  std::vector<std::string> child_names;
  for (const auto& child : node.children) child_names.push_back(child->name);
  for (const auto& [name, value] : node.attributes) {
    const bool collides =
        std::find(child_names.begin(), child_names.end(), name) != child_names.end();
    object[collides ? "@" + name : name] = value;
  }
  for (const auto& child : node.children) {
    size_t occurrences = std::count(child_names.begin(), child_names.end(), child->name);
    if (occurrences > 1) {
      if (!object.contains(child->name)) object[child->name] = nlohmann::ordered_json::array();
      object[child->name].push_back(ToJson(*child));
    } else {
      object[child->name] = ToJson(*child);
    }
  }
  if (!text.empty()) object["_text"] = text;
  return object;
}

std::vector<std::string> SplitRecordPath(const std::string& record_path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= record_path.size()) {
    size_t slash = record_path.find('/', start);
    if (slash == std::string::npos) slash = record_path.size();
    if (slash > start) parts.push_back(record_path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// The expat callbacks' state: the path of open elements, and the record being
// built when inside one.
class XmlRecordReader {
 public:
  explicit XmlRecordReader(std::vector<std::string> record_path)
      : record_path_(std::move(record_path)) {}

  // Parses `content`; records go to `ndjson` (one line each). Returns the
  // parse error, if any, with its line; records completed before it stay.
  std::optional<std::pair<int64_t, std::string>> Parse(const std::string& content,
                                                       std::string& ndjson) {
    ndjson_ = &ndjson;
    XML_Parser parser = XML_ParserCreate("UTF-8");
    parser_ = parser;
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, &XmlRecordReader::OnStart, &XmlRecordReader::OnEnd);
    XML_SetCharacterDataHandler(parser, &XmlRecordReader::OnText);
    std::optional<std::pair<int64_t, std::string>> error;
    // Fed in pieces: XML_Parse takes an int length.
    constexpr size_t kPiece = 1 << 24;
    size_t offset = 0;
    do {
      const size_t n = std::min(kPiece, content.size() - offset);
      const bool last = offset + n == content.size();
      if (XML_Parse(parser, content.data() + offset, static_cast<int>(n), last) != XML_STATUS_OK) {
        const int64_t line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser));
        const std::string why =
            too_deep_ ? "elements nested deeper than " + std::to_string(kMaxDepth) + " levels"
                      : XML_ErrorString(XML_GetErrorCode(parser));
        error = {line, "XML error at line " + std::to_string(line) + " column " +
                           std::to_string(XML_GetCurrentColumnNumber(parser)) + ": " + why};
        break;
      }
      offset += n;
    } while (offset < content.size());
    XML_ParserFree(parser);
    return error;
  }

  int64_t records() const { return records_; }

 private:
  bool AtRecordPath() const {
    if (record_path_.empty()) return path_.size() == 2;  // each child of the root
    if (path_.size() != record_path_.size()) return false;
    for (size_t i = 0; i < path_.size(); ++i) {
      if (record_path_[i] != "*" && record_path_[i] != path_[i]) return false;
    }
    return true;
  }

  static void OnStart(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto* self = static_cast<XmlRecordReader*>(data);
    if (self->path_.size() >= kMaxDepth) {
      // ToJson recurses over a record's elements: bound the depth.
      self->too_deep_ = true;
      XML_StopParser(self->parser_, XML_FALSE);
      return;
    }
    self->path_.emplace_back(name);
    if (self->open_.empty() && !self->AtRecordPath()) return;
    auto node = std::make_unique<XmlNode>();
    node->name = name;
    for (int i = 0; attributes[i] != nullptr; i += 2) {
      node->attributes.emplace_back(attributes[i], attributes[i + 1]);
    }
    XmlNode* raw = node.get();
    if (self->open_.empty()) {
      self->record_ = std::move(node);
    } else {
      self->open_.back()->children.push_back(std::move(node));
    }
    self->open_.push_back(raw);
  }

  static void OnEnd(void* data, const XML_Char* /*name*/) {
    auto* self = static_cast<XmlRecordReader*>(data);
    if (!self->path_.empty()) self->path_.pop_back();
    if (self->open_.empty()) return;
    self->open_.pop_back();
    if (self->open_.empty()) {
      nlohmann::ordered_json record = ToJson(*self->record_);
      if (!record.is_object()) {
        nlohmann::ordered_json wrapped = nlohmann::ordered_json::object();
        wrapped[self->record_->name] = record;
        record = wrapped;
      }
      *self->ndjson_ +=
          record.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
      ++self->records_;
      self->record_.reset();
    }
  }

  static void OnText(void* data, const XML_Char* text, int length) {
    auto* self = static_cast<XmlRecordReader*>(data);
    if (!self->open_.empty()) self->open_.back()->text.append(text, static_cast<size_t>(length));
  }

  static constexpr size_t kMaxDepth = 256;

  std::vector<std::string> record_path_;
  XML_Parser parser_ = nullptr;
  bool too_deep_ = false;
  std::vector<std::string> path_;
  std::unique_ptr<XmlNode> record_;
  std::vector<XmlNode*> open_;
  std::string* ndjson_ = nullptr;
  int64_t records_ = 0;
};

std::string LineOf(const std::string& content, int64_t line) {
  size_t start = 0;
  for (int64_t i = 1; i < line && start != std::string::npos; ++i) {
    start = content.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return "";
  const size_t end = content.find('\n', start);
  return content.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

XmlRecords XmlToNdjson(const std::string& content, const std::string& record_path) {
  XmlRecordReader reader(SplitRecordPath(record_path));
  XmlRecords out;
  out.error = reader.Parse(content, out.ndjson);
  out.records = reader.records();
  return out;
}

Result<StagedFile> StageXml(engine::Connection& conn, FileSystem& fs, const std::string& path,
                            const std::string& label, const ReadOptions& options,
                            const std::string& staging_dir, int slot) {
  STRATA_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
  XmlRecords parsed = XmlToNdjson(content, options.record_path);
  std::string& ndjson = parsed.ndjson;
  std::optional<std::pair<int64_t, std::string>>& error = parsed.error;
  std::vector<BadRecord> bad;
  if (error.has_value()) {
    // The rest of the file after a syntax error cannot be read reliably; the
    // records completed before it still load.
    bad.push_back(
        {"", label, error->first, TruncateRaw(LineOf(content, error->first)), error->second});
  }
  StagedFile staged;
  if (parsed.records == 0) {
    staged.has_rows = false;
    if (bad.empty()) {
      bad.push_back(
          {"", label, 0, "",
           "no element at record path '" +
               (options.record_path.empty() ? std::string("/<root>/*") : options.record_path) +
               "'"});
    }
    staged.bad_records = std::move(bad);
    return staged;
  }
  const std::string spool = JoinPath(staging_dir, "xml_" + std::to_string(slot) + ".ndjson");
  STRATA_RETURN_IF_ERROR(FileSystem::Default()->WriteFileAtomic(spool, ndjson));
  STRATA_ASSIGN_OR_RETURN(staged, StageNdjson(conn, spool, label, slot, /*field_types=*/nullptr));
  staged.spool_files.push_back(spool);
  for (BadRecord& record : bad) staged.bad_records.push_back(std::move(record));
  return staged;
}

}  // namespace strata::ingest::files
