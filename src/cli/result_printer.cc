#include "cli/result_printer.h"

#include <algorithm>
#include <memory>

namespace strata::cli {
namespace {

// Counts code points, so that UTF-8 text lines up in columns.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string Truncate(const std::string& s, size_t max_width) {
  if (max_width == 0 || DisplayWidth(s) <= max_width) return s;
  size_t width = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (width == max_width - 1) break;
      ++width;
    }
  }
  return s.substr(0, i) + "…";
}

// Control characters would break the table's lines; show them escaped.
std::string Printable(const std::string& s) {
  if (std::none_of(s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; })) {
    return s;
  }
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out;
}

class TablePrinter : public ResultPrinter {
 public:
  TablePrinter(std::ostream& out, PrinterOptions options) : out_(out), options_(options) {}

  void Begin(const std::vector<ColumnHeader>& columns) override { columns_ = columns; }

  void AddRow(const std::vector<Cell>& row) override {
    ++total_rows_;
    const int64_t half = options_.max_rows / 2;
    if (options_.max_rows == 0 || total_rows_ <= options_.max_rows - half) {
      head_.push_back(Render(row));
      return;
    }
    tail_.push_back(Render(row));
    if (static_cast<int64_t>(tail_.size()) > half) tail_.erase(tail_.begin());
  }

  void Finish() override {
    const size_t n = columns_.size();
    std::vector<size_t> widths(n, 0);
    std::vector<bool> right(n, false);
    for (size_t c = 0; c < n; ++c) {
      widths[c] = std::max(DisplayWidth(columns_[c].name), DisplayWidth(columns_[c].type));
    }
    auto measure = [&](const std::vector<RenderedRow>& rows) {
      for (const auto& row : rows) {
        for (size_t c = 0; c < n && c < row.size(); ++c) {
          widths[c] = std::max(widths[c], DisplayWidth(row[c].text));
          if (row[c].kind == Cell::Kind::kNumber) right[c] = true;
        }
      }
    };
    measure(head_);
    measure(tail_);

    auto rule = [&](const char* left, const char* mid, const char* right_edge) {
      out_ << left;
      for (size_t c = 0; c < n; ++c) {
        for (size_t i = 0; i < widths[c] + 2; ++i) out_ << "─";
        out_ << (c + 1 < n ? mid : right_edge);
      }
      out_ << '\n';
    };
    auto line = [&](const std::vector<std::string>& texts, const std::vector<bool>& align_right) {
      out_ << "│";
      for (size_t c = 0; c < n; ++c) {
        const size_t pad = widths[c] - DisplayWidth(texts[c]);
        out_ << ' ';
        if (align_right[c]) out_ << std::string(pad, ' ') << texts[c];
        else out_ << texts[c] << std::string(pad, ' ');
        out_ << " │";
      }
      out_ << '\n';
    };
    auto rows = [&](const std::vector<RenderedRow>& rendered) {
      for (const auto& row : rendered) {
        std::vector<std::string> texts;
        for (size_t c = 0; c < n; ++c) texts.push_back(c < row.size() ? row[c].text : "");
        line(texts, right);
      }
    };

    if (n == 0) return;  // a statement without a result (CREATE, SET, ...)
    std::vector<std::string> names, types;
    for (const auto& col : columns_) {
      names.push_back(col.name);
      types.push_back(col.type);
    }
    const std::vector<bool> left_aligned(n, false);
    rule("┌", "┬", "┐");
    line(names, left_aligned);
    // Summaries (e.g. `strata ingest`'s) have no column types: no blank line.
    if (std::any_of(types.begin(), types.end(), [](const std::string& t) { return !t.empty(); })) {
      line(types, left_aligned);
    }
    rule("├", "┼", "┤");
    rows(head_);
    const int64_t shown = static_cast<int64_t>(head_.size() + tail_.size());
    if (shown < total_rows_) {
      std::vector<std::string> dots(n, "·");
      line(dots, left_aligned);
    }
    rows(tail_);
    rule("└", "┴", "┘");
    out_ << total_rows_ << (total_rows_ == 1 ? " row" : " rows");
    if (shown < total_rows_) {
      out_ << " (" << shown << " shown; use --format csv|json or --output FILE for all)";
    }
    out_ << '\n';
  }

 private:
  struct RenderedCell {
    Cell::Kind kind;
    std::string text;
  };
  using RenderedRow = std::vector<RenderedCell>;

  RenderedRow Render(const std::vector<Cell>& row) const {
    RenderedRow out;
    out.reserve(row.size());
    for (const Cell& cell : row) {
      if (cell.kind == Cell::Kind::kNull) {
        out.push_back({cell.kind, "NULL"});
      } else {
        const std::string& text = cell.display.empty() ? cell.text : cell.display;
        out.push_back({cell.kind, Truncate(Printable(text), options_.max_width)});
      }
    }
    return out;
  }

  std::ostream& out_;
  PrinterOptions options_;
  std::vector<ColumnHeader> columns_;
  std::vector<RenderedRow> head_;
  std::vector<RenderedRow> tail_;
  int64_t total_rows_ = 0;
};

// RFC 4180: quote a field when it holds a delimiter, quote or line break.
class CsvPrinter : public ResultPrinter {
 public:
  explicit CsvPrinter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<ColumnHeader>& columns) override {
    if (columns.empty()) return;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c) out_ << ',';
      Field(columns[c].name);
    }
    out_ << '\n';
  }
  void AddRow(const std::vector<Cell>& row) override {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out_ << ',';
      if (row[c].kind == Cell::Kind::kNull) continue;
      Field(row[c].display.empty() ? row[c].text : row[c].display);
    }
    out_ << '\n';
  }
  void Finish() override { out_.flush(); }

 private:
  void Field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
      out_ << s;
      return;
    }
    out_ << '"';
    for (char c : s) {
      if (c == '"') out_ << '"';
      out_ << c;
    }
    out_ << '"';
  }
  std::ostream& out_;
};

// One JSON object per line (NDJSON), keys in column order.
class JsonPrinter : public ResultPrinter {
 public:
  explicit JsonPrinter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<ColumnHeader>& columns) override {
    for (const auto& col : columns) keys_.push_back(JsonQuote(col.name));
  }
  void AddRow(const std::vector<Cell>& row) override {
    out_ << '{';
    for (size_t c = 0; c < row.size() && c < keys_.size(); ++c) {
      if (c) out_ << ',';
      out_ << keys_[c] << ':';
      const Cell& cell = row[c];
      switch (cell.kind) {
        case Cell::Kind::kNull: out_ << "null"; break;
        case Cell::Kind::kNumber: WriteNumber(cell.text); break;
        case Cell::Kind::kBool:
        case Cell::Kind::kJson: out_ << cell.text; break;
        case Cell::Kind::kString: out_ << JsonQuote(cell.text); break;
      }
    }
    out_ << "}\n";
  }
  void Finish() override { out_.flush(); }

 private:
  // JSON has no NaN or infinity; such values travel as strings.
  void WriteNumber(const std::string& text) {
    const bool finite = !text.empty() && text.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (finite) out_ << text;
    else out_ << JsonQuote(text);
  }
  std::ostream& out_;
  std::vector<std::string> keys_;
};

}  // namespace

Result<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  return Status::InvalidArgument("unknown format '" + name + "' (use table, csv or json)");
}

std::unique_ptr<ResultPrinter> MakeResultPrinter(OutputFormat format, std::ostream& out,
                                                 const PrinterOptions& options) {
  switch (format) {
    case OutputFormat::kCsv: return std::make_unique<CsvPrinter>(out);
    case OutputFormat::kJson: return std::make_unique<JsonPrinter>(out);
    case OutputFormat::kTable: break;
  }
  return std::make_unique<TablePrinter>(out, options);
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace strata::cli
