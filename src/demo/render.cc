// Plain-text rendering of the demo's summary and answers. Kept apart from the
// CLI's own result printer on purpose: the demo needs only aligned columns.
#include <fmt/format.h>

#include <algorithm>

#include "common/progress.h"
#include "demo/demo.h"

namespace strata::demo {
namespace {

// Display width in a terminal: UTF-8 code points (names like "München"),
// counting every code point as one column.
size_t DisplayWidth(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// "1,234", "-5.5", "12.5%", "3.2 MiB": numbers as the tables print them.
bool LooksNumeric(std::string_view s) {
  for (std::string_view unit : {" B", " KiB", " MiB", " GiB", " TiB", "%", "s"}) {
    if (s.size() > unit.size() && s.ends_with(unit)) {
      s.remove_suffix(unit.size());
      break;
    }
  }
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  bool digit = false;
  bool dot = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else if (c != ',') {
      return false;
    }
  }
  return digit;
}

void Pad(std::string& out, std::string_view cell, size_t width, bool right) {
  size_t fill = width - std::min(width, DisplayWidth(cell));
  if (right) out.append(fill, ' ');
  out.append(cell);
  if (!right) out.append(fill, ' ');
}

// `text` broken at spaces into lines of at most ~96 columns, each indented.
std::string Wrap(std::string_view text, std::string_view indent) {
  constexpr size_t kWidth = 96;
  std::string out;
  std::string line(indent);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    if (line.size() > indent.size() && DisplayWidth(line) + 1 + DisplayWidth(word) > kWidth) {
      out += line + "\n";
      line = std::string(indent);
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    pos = end + 1;
  }
  return out + line + "\n";
}

std::string Count(int64_t n) {
  return n < 0 ? "-" + FormatWithCommas(static_cast<uint64_t>(-n))
               : FormatWithCommas(static_cast<uint64_t>(n));
}

}  // namespace

std::string RenderTable(const std::vector<std::string>& columns,
                        const std::vector<std::vector<std::string>>& rows) {
  const size_t n = columns.size();
  std::vector<size_t> width(n);
  std::vector<bool> right(n, true);
  std::vector<bool> any(n, false);
  for (size_t c = 0; c < n; ++c) width[c] = DisplayWidth(columns[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < n && c < row.size(); ++c) {
      width[c] = std::max(width[c], DisplayWidth(row[c]));
      if (row[c].empty()) continue;
      any[c] = true;
      if (!LooksNumeric(row[c])) right[c] = false;
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    out += "  ";
    for (size_t c = 0; c < n; ++c) {
      if (c > 0) out += "  ";
      std::string_view cell = c < cells.size() ? std::string_view(cells[c]) : "";
      // The last column is not padded on the left unless it is numeric, so
      // lines carry no trailing blanks.
      bool align_right = right[c] && any[c];
      if (c + 1 == n && !align_right) {
        out.append(cell);
      } else {
        Pad(out, cell, width[c], align_right);
      }
    }
    out += "\n";
  };
  line(columns);
  std::vector<std::string> rule(n);
  for (size_t c = 0; c < n; ++c) rule[c] = std::string(width[c], '-');
  line(rule);
  for (const auto& row : rows) line(row);
  return out;
}

std::string RenderSummary(const DemoDataSummary& summary) {
  std::string out = fmt::format(
      "Demo data in {} (scale {}, seed {}, {} orders): {} in {}\n\n", summary.output_dir,
      summary.scale, summary.seed, Count(summary.order_count),
      summary.reused ? "reused, nothing rewritten" : "generated", FormatDuration(summary.seconds));
  std::vector<std::vector<std::string>> rows;
  int64_t files = 0, total_rows = 0, bytes = 0, dirty = 0;
  for (const DemoDataset& ds : summary.datasets) {
    std::string where = ds.files.size() == 1 ? ds.files[0].path : ds.name + "/";
    rows.push_back({ds.name, where, ds.format, Count(static_cast<int64_t>(ds.files.size())),
                    Count(ds.Rows()), FormatBytes(static_cast<double>(ds.Bytes())),
                    Count(ds.DirtyRows())});
    files += static_cast<int64_t>(ds.files.size());
    total_rows += ds.Rows();
    bytes += ds.Bytes();
    dirty += ds.DirtyRows();
  }
  rows.push_back({"total", "", "", Count(files), Count(total_rows),
                  FormatBytes(static_cast<double>(bytes)), Count(dirty)});
  out += RenderTable({"data set", "path", "format", "files", "rows", "size", "dirty rows"}, rows);

  out += "\nDirty rows, made on purpose (the SQL of the answers copes with each):\n";
  rows.clear();
  for (const DemoDataset& ds : summary.datasets) {
    for (const DemoDirtyCount& d : ds.dirty) {
      rows.push_back({ds.name, d.kind, Count(d.rows), d.description});
    }
  }
  out += RenderTable({"data set", "kind", "rows", "what it looks like"}, rows);
  return out;
}

std::string RenderAnswers(const std::vector<DemoAnswer>& answers, bool with_sql) {
  std::string out;
  int number = 0;
  for (const DemoAnswer& a : answers) {
    ++number;
    out += fmt::format("{}{}. {}\n", number == 1 ? "" : "\n", number, a.title);
    out += Wrap(a.question, "   ");
    if (!a.notes.empty()) out += Wrap("(" + a.notes + ")", "   ");
    if (with_sql) {
      out += "\n";
      size_t pos = 0;
      while (pos <= a.sql.size()) {
        size_t end = a.sql.find('\n', pos);
        if (end == std::string::npos) end = a.sql.size();
        out += end > pos ? "    " + a.sql.substr(pos, end - pos) + "\n" : "\n";
        pos = end + 1;
      }
    }
    out += "\n" + RenderTable(a.columns, a.rows);
  }
  return out;
}

}  // namespace strata::demo
