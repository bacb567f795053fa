// Helpers shared by the ratio benchmarks in bench/: fatal errors, clocks,
// medians and percentiles, flags, temp directories, back-to-back pairs, and a
// Google Benchmark reporter that keeps every repetition's time.
//
// A benchmark fails loudly (exit 1) on any error: a number measured on a
// broken run is worse than no number.
#pragma once

#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace strata::bench {

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "error: %s\n", what.c_str());
  std::exit(1);
}

inline void CheckOk(const Status& status, const std::string& doing) {
  if (!status.ok()) Die(doing + ": " + status.ToString());
}

template <typename T>
T ValueOrDie(Result<T> result, const std::string& doing) {
  if (!result.ok()) Die(doing + ": " + result.status().ToString());
  return std::move(result).value();
}

// CPU time of all threads of the process: on a shared, loaded machine wall
// time mostly measures how long the process waited for a core.
inline double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline double WallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Both clocks at once, so a phase can be reported in either.
struct Stopwatch {
  double cpu_start = ProcessCpuSeconds();
  double wall_start = WallSeconds();
  double Cpu() const { return ProcessCpuSeconds() - cpu_start; }
  double Wall() const { return WallSeconds() - wall_start; }
};

// Nearest-rank percentile, p in [0, 100]. Precondition: !v.empty().
inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
inline double Max(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

// Parses "--name=value" into *out; true when `arg` is that flag.
inline bool IntFlag(const char* arg, const char* name, int64_t* out) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, "--", 2) != 0 || std::strncmp(arg + 2, name, n) != 0 || arg[2 + n] != '=') {
    return false;
  }
  char* end = nullptr;
  long long v = std::strtoll(arg + 3 + n, &end, 10);
  if (end == arg + 3 + n || *end != '\0') Die(std::string("bad value in ") + arg);
  *out = v;
  return true;
}

inline bool StringFlag(const char* arg, const char* name, std::string* out) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, "--", 2) != 0 || std::strncmp(arg + 2, name, n) != 0 || arg[2 + n] != '=') {
    return false;
  }
  *out = arg + 3 + n;
  return true;
}

// The synthetic sales table of the lake benchmarks: the Delta schema of its
// columns (id long, amount double, category string, day date)...
inline constexpr const char* kSalesSchemaJson = R"({"type":"struct","fields":[
    {"name":"id","type":"long","nullable":true,"metadata":{}},
    {"name":"amount","type":"double","nullable":true,"metadata":{}},
    {"name":"category","type":"string","nullable":true,"metadata":{}},
    {"name":"day","type":"date","nullable":true,"metadata":{}}]})";

// ...and its rows [begin, end) as a DuckDB query: amounts spread by a hash,
// 40 categories, 4 years of days. Row i is the same in every call.
inline std::string SalesRowsQuery(int64_t begin, int64_t end) {
  return "SELECT range AS id, CAST(hash(range) % 10000000 AS DOUBLE) / 100 AS amount, "
         "'category_' || CAST(hash(range + 1) % 40 AS VARCHAR) AS category, "
         "DATE '2020-01-01' + CAST(range % 1461 AS INTEGER) AS day FROM range(" +
         std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// A fresh directory under $TMPDIR (or /tmp), deleted with everything in it
// when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + "_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp " + tmpl + " failed");
    path_ = tmpl;
  }
  ~TempDir() { (void)FileSystem::Default()->DeleteRecursively(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Seconds of one pass of each side of a comparison.
struct PairTimes {
  std::vector<double> a_cpu, b_cpu, a_wall, b_wall;
};

// Runs `pairs` back-to-back pairs of `a` and `b`, alternating which goes
// first, so the two passes of a pair see the same machine load. `between`
// (optional) runs untimed after every pass, e.g. to delete what it wrote.
inline PairTimes RunPairs(int pairs, const std::function<void()>& a, const std::function<void()>& b,
                          const std::function<void()>& between = nullptr) {
  PairTimes t;
  for (int i = 0; i < pairs; ++i) {
    for (int pass = 0; pass < 2; ++pass) {
      bool run_a = (pass == 0) == (i % 2 == 0);
      Stopwatch sw;
      (run_a ? a : b)();
      double cpu = sw.Cpu(), wall = sw.Wall();
      (run_a ? t.a_cpu : t.b_cpu).push_back(cpu);
      (run_a ? t.a_wall : t.b_wall).push_back(wall);
      if (between) between();
    }
  }
  return t;
}

// Per-pair numerator[i] / denominator[i].
inline std::vector<double> PairRatios(const std::vector<double>& numerator,
                                      const std::vector<double>& denominator) {
  std::vector<double> r;
  for (size_t i = 0; i < numerator.size() && i < denominator.size(); ++i) {
    r.push_back(numerator[i] / denominator[i]);
  }
  return r;
}

// Records every repetition so that main can compare the benchmarks after all
// of them ran.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        times_[run.run_name.function_name].push_back(run.GetAdjustedCPUTime());
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, std::vector<double>>& times() const { return times_; }

 private:
  std::map<std::string, std::vector<double>> times_;
};

// Initializes Google Benchmark with `args` (the flags main did not consume),
// adding interleaved repetitions unless the caller chose otherwise.
inline void InitGoogleBenchmark(const std::vector<char*>& given, int repetitions) {
  // Google Benchmark may keep pointers into argv, so everything stays alive.
  static std::vector<char*> args;
  static std::string reps, interleave;
  args = given;
  bool reps_given = false, interleave_given = false;
  for (char* a : args) {
    if (std::strncmp(a, "--benchmark_repetitions", 23) == 0) reps_given = true;
    if (std::strncmp(a, "--benchmark_enable_random_interleaving", 38) == 0) interleave_given = true;
  }
  reps = "--benchmark_repetitions=" + std::to_string(repetitions);
  interleave = "--benchmark_enable_random_interleaving=true";
  if (!reps_given) args.push_back(reps.data());
  if (!interleave_given) args.push_back(interleave.data());
  int argc = static_cast<int>(args.size());
  benchmark::Initialize(&argc, args.data());
}

}  // namespace strata::bench
