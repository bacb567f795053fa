// Test helpers shared by the demo's *_test.cc files (not part of the library).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/temp_dir_testing.h"
#include "demo/demo.h"
#include "engine/engine.h"

namespace strata::demo::testing {

// Orders in the data set the tests share: enough for every dirty kind to
// appear, small enough to generate in well under a second.
inline constexpr int64_t kTestOrders = 10'000;

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir : public common::testing::TempDir {
 public:
  TempDir() : common::testing::TempDir("strata-demo-") {}
};

// An in-memory DuckDB with one connection.
struct Engine {
  std::unique_ptr<engine::Database> db;
  std::unique_ptr<engine::Connection> conn;

  Engine() {
    auto d = engine::Database::Open();
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return;
    db = std::move(d).value();
    auto c = engine::Connection::Open(*db);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) conn = std::move(c).value();
  }

  // Every row of `sql` as Values; an empty vector (and a test failure) on error.
  std::vector<std::vector<engine::Value>> Rows(const std::string& sql) {
    auto result = conn->Query(sql);
    EXPECT_TRUE(result.ok()) << sql << "\n" << result.status().ToString();
    if (!result.ok()) return {};
    auto rows = (*result)->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << sql << "\n" << rows.status().ToString();
    return rows.ok() ? std::move(rows).value() : std::vector<std::vector<engine::Value>>{};
  }

  // The single integer `sql` returns; -1 (and a test failure) on error.
  int64_t Int(const std::string& sql) {
    auto v = conn->QueryScalar(sql);
    EXPECT_TRUE(v.ok()) << sql << "\n" << v.status().ToString();
    return v.ok() && !v->IsNull() ? v->GetInt64() : -1;
  }
};

// One generated data set, made on first use and shared by every test of the
// process (generation is deterministic, so sharing hides nothing).
struct SharedDemo {
  TempDir dir;
  DemoDataSummary summary;
  Status status;

  SharedDemo() {
    Engine engine;
    DemoOptions options;
    options.output_dir = dir.path() + "/raw";
    options.order_count = kTestOrders;
    auto generated = GenerateDemoData(*engine.conn, options);
    status = generated.status();
    if (generated.ok()) summary = std::move(generated).value();
  }

  static SharedDemo& Get() {
    static SharedDemo demo;
    return demo;
  }
  const std::string& data_dir() const { return summary.output_dir; }
};

// The whole content of `path` ("" when it cannot be read).
inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A CSV file as text cells, split by this test code (quotes understood, no
// embedded newlines, which the demo never writes), so checks do not depend on
// DuckDB's reader.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // The index of column `name`; fails the test and returns 0 when absent.
  size_t Col(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

inline std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// Appends the rows of the CSV file at `path` to `table` (the header is taken
// from the first file).
inline void AppendCsv(const std::string& path, CsvTable& table) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      if (table.header.empty()) table.header = SplitCsvLine(line);
      first = false;
      continue;
    }
    table.rows.push_back(SplitCsvLine(line));
  }
}

// Parses "YYYY-MM-DD HH:MM:SS" strictly (real calendar dates only) into
// seconds since the epoch; false for anything else.
inline bool ParseTimestamp(const std::string& s, int64_t* seconds) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
      s[16] != ':') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int y = std::stoi(s.substr(0, 4));
  unsigned mo = std::stoul(s.substr(5, 2)), d = std::stoul(s.substr(8, 2));
  int64_t h = std::stoi(s.substr(11, 2)), mi = std::stoi(s.substr(14, 2)),
          se = std::stoi(s.substr(17, 2));
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                  std::chrono::day(d)};
  if (!ymd.ok() || y < 1900 || h > 23 || mi > 59 || se > 59) return false;
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  *seconds = days * 86400 + h * 3600 + mi * 60 + se;
  return true;
}

// "12.34" or "-5.00" as cents.
inline int64_t Cents(const std::string& s) {
  bool neg = !s.empty() && s[0] == '-';
  std::string t = neg ? s.substr(1) : s;
  size_t dot = t.find('.');
  int64_t whole = std::stoll(dot == std::string::npos ? t : t.substr(0, dot));
  int64_t frac = 0;
  if (dot != std::string::npos) {
    std::string f = (t.substr(dot + 1) + "00").substr(0, 2);
    frac = std::stoll(f);
  }
  return (neg ? -1 : 1) * (whole * 100 + frac);
}

// Every file of the shared data set, read by plain C++ (CSV split above, JSON
// by nlohmann), in file order.
struct LoadedDemo {
  CsvTable customers, orders, items;
  std::vector<nlohmann::json> products, payments, events;

  explicit LoadedDemo(const DemoDataSummary& summary) {
    const std::string& dir = summary.output_dir;
    for (const DemoDataset& ds : summary.datasets) {
      for (const DemoFile& f : ds.files) {
        std::string path = dir + "/" + f.path;
        if (ds.name == "customers") AppendCsv(path, customers);
        if (ds.name == "orders") AppendCsv(path, orders);
        if (ds.name == "order_items") AppendCsv(path, items);
        if (ds.format == "json") {
          nlohmann::json arr = nlohmann::json::parse(ReadAll(path));
          auto& into = ds.name == "products" ? products : payments;
          for (auto& e : arr) into.push_back(std::move(e));
        }
        if (ds.format == "ndjson") {
          std::ifstream in(path);
          std::string line;
          while (std::getline(in, line)) events.push_back(nlohmann::json::parse(line));
        }
      }
    }
  }

  static const LoadedDemo& Get() {
    static LoadedDemo loaded(SharedDemo::Get().summary);
    return loaded;
  }
};

}  // namespace strata::demo::testing
