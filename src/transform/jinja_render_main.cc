// jinja_render DIR: renders every DIR/*.jinja with Strata's Jinja engine and
// prints one JSON object per template on stdout:
//   {"name": "x.jinja", "ok": true, "output": "..."} or {..., "ok": false, "error": "..."}
// Optional companions: x.json (the context) and x.macros (a template whose
// macros become globals, as dbt's macro files do). Used by
// tests/jinja/run_corpus.py to compare with python3-jinja2.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "transform/jinja.h"

namespace fs = std::filesystem;
using strata::Result;
using strata::Status;
using namespace strata::transform;

namespace {

bool ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

Result<std::string> RenderOne(const fs::path& path) {
  // A fresh environment per template, so macros of one never leak into another.
  auto env = Environment::Create();
  std::string source;
  if (!ReadFile(path, &source)) return Status::IOError("cannot read " + path.string());
  Value context = Value::MakeDict();
  fs::path json_path = path;
  json_path.replace_extension(".json");
  std::string json;
  if (ReadFile(json_path, &json)) {
    STRATA_ASSIGN_OR_RETURN(context, ValueFromJson(json));
  }
  fs::path macros_path = path;
  macros_path.replace_extension(".macros");
  std::string macros_source;
  if (ReadFile(macros_path, &macros_source)) {
    STRATA_ASSIGN_OR_RETURN(auto macros_template,
                            env->Compile(macros_source, macros_path.filename().string()));
    STRATA_ASSIGN_OR_RETURN(auto macros, macros_template->Macros(context));
    for (auto& [name, macro] : macros) env->AddGlobal(name, macro);
  }
  STRATA_ASSIGN_OR_RETURN(auto tmpl, env->Compile(source, path.filename().string()));
  return tmpl->Render(context);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: jinja_render CORPUS_DIR\n";
    return 2;
  }
  std::vector<fs::path> templates;
  for (const auto& entry : fs::directory_iterator(argv[1])) {
    if (entry.path().extension() == ".jinja") templates.push_back(entry.path());
  }
  std::sort(templates.begin(), templates.end());
  for (const auto& path : templates) {
    Result<std::string> out = RenderOne(path);
    nlohmann::json line;
    line["name"] = path.filename().string();
    line["ok"] = out.ok();
    if (out.ok()) {
      line["output"] = *out;
    } else {
      line["error"] = out.status().message();
    }
    std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}
