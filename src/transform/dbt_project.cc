// LoadProject: dbt_project.yml of the root and of each package under
// dbt_packages/, discovery of the files under each resource path, macros and
// docs blocks by a lightweight scan, then property files, profiles and the
// final per-node config.
#include "transform/dbt_project.h"

#include <algorithm>
#include <regex>
#include <set>

#include "transform/dbt_internal.h"
#include "transform/dbt_scan.h"

namespace strata::transform {

using json = nlohmann::json;
using internal::LoadContext;

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column > 0 ? column : 1);
  out += IsError() ? ": error: " : ": warning: ";
  out += message;
  if (!node.empty()) out += " (node: " + node + ")";
  return out;
}

json DbtProject::VarsFor(const std::string& package) const {
  json out = json::object();
  std::set<std::string> package_names;
  for (const auto& p : packages) package_names.insert(p.name);
  for (const auto& [k, v] : vars.items()) {
    if (!package_names.count(k)) out[k] = v;
  }
  if (vars.contains(package) && vars[package].is_object()) {
    for (const auto& [k, v] : vars[package].items()) out[k] = v;
  }
  for (const auto& [k, v] : cli_vars.items()) out[k] = v;
  return out;
}

bool DbtProject::HasErrors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.IsError(); });
}

const Node* DbtProject::FindNode(const std::string& unique_id) const {
  auto it = nodes.find(unique_id);
  return it == nodes.end() ? nullptr : &it->second;
}

Status ProjectStatus(const DbtProject& project) {
  std::string message;
  int errors = 0;
  for (const auto& d : project.diagnostics) {
    if (!d.IsError()) continue;
    ++errors;
    message += "\n  " + d.ToString();
  }
  if (errors == 0) return Status::OK();
  return Status::InvalidArgument("dbt project '" + project.name + "' has " +
                                 std::to_string(errors) + (errors == 1 ? " error:" : " errors:") +
                                 message);
}

namespace {

constexpr std::string_view kKnownProjectKeys[] = {"name",
                                                  "version",
                                                  "config-version",
                                                  "profile",
                                                  "model-paths",
                                                  "source-paths",
                                                  "seed-paths",
                                                  "data-paths",
                                                  "test-paths",
                                                  "analysis-paths",
                                                  "macro-paths",
                                                  "snapshot-paths",
                                                  "docs-paths",
                                                  "asset-paths",
                                                  "target-path",
                                                  "log-path",
                                                  "packages-install-path",
                                                  "clean-targets",
                                                  "quoting",
                                                  "models",
                                                  "seeds",
                                                  "snapshots",
                                                  "tests",
                                                  "data_tests",
                                                  "sources",
                                                  "exposures",
                                                  "metrics",
                                                  "semantic-models",
                                                  "saved-queries",
                                                  "unit_tests",
                                                  "vars",
                                                  "on-run-start",
                                                  "on-run-end",
                                                  "require-dbt-version",
                                                  "dispatch",
                                                  "restrict-access",
                                                  "query-comment",
                                                  "flags",
                                                  "dbt-cloud",
                                                  "analyses"};

struct PackageLayout {
  PackageInfo info;
  std::vector<std::string> model_paths, seed_paths, test_paths, analysis_paths, macro_paths,
      snapshot_paths, docs_paths;
};

std::vector<std::string> StringListOr(LoadContext* ctx, const YamlNode& root, const char* key,
                                      const std::string& file, std::vector<std::string> fallback) {
  const YamlNode* node = root.Find(key);
  if (node == nullptr || node->IsNull()) return fallback;
  std::vector<std::string> out;
  if (!node->AsStringList(&out)) {
    ctx->Error(file, node->line, node->column, "",
               std::string("'") + key + "' must be a list of strings");
    return fallback;
  }
  return out;
}

std::string StringOr(LoadContext* ctx, const YamlNode& root, const char* key,
                     const std::string& file, std::string fallback) {
  const YamlNode* node = root.Find(key);
  if (node == nullptr || node->IsNull()) return fallback;
  std::string out;
  if (!node->AsString(&out)) {
    ctx->Error(file, node->line, node->column, "", std::string("'") + key + "' must be a string");
    return fallback;
  }
  return out;
}

std::vector<std::string> HookStrings(const YamlNode* node) {
  std::vector<std::string> out;
  if (node == nullptr) return out;
  if (node->IsScalar()) out.push_back(node->scalar);
  for (const auto& e : node->elements) {
    if (e.IsScalar()) out.push_back(e.scalar);
  }
  return out;
}

// Reads <dir>/dbt_project.yml. Fatal problems (missing, not YAML, no name)
// are returned; others become diagnostics.
Result<PackageLayout> ReadProjectFile(LoadContext* ctx, const std::string& dir, bool is_root) {
  const std::string file = JoinPath(dir, "dbt_project.yml");
  auto text = ctx->fs.ReadFile(file);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("no dbt_project.yml in " + dir +
                              ": run from a dbt project directory or pass --project-dir");
    }
    return text.status();
  }
  STRATA_ASSIGN_OR_RETURN(YamlNode root, ParseYaml(*text, ctx->DisplayPath(file)));
  if (!root.IsMap()) {
    return Status::InvalidArgument(ctx->DisplayPath(file) + ":1:1: dbt_project.yml must be a map");
  }
  PackageLayout layout;
  layout.info.root_dir = dir;
  layout.info.is_root = is_root;
  layout.info.name = StringOr(ctx, root, "name", file, "");
  if (layout.info.name.empty()) {
    return Status::InvalidArgument(ctx->DisplayPath(file) + ":1:1: dbt_project.yml has no 'name'");
  }
  layout.info.version = StringOr(ctx, root, "version", file, "");
  for (const auto& [key, value] : root.entries) {
    if (std::find(std::begin(kKnownProjectKeys), std::end(kKnownProjectKeys), key) ==
        std::end(kKnownProjectKeys)) {
      // dbt validates dbt_project.yml against its schema and rejects extra keys.
      ctx->Error(
          file, value.key_line, value.key_column, "",
          "'" + key + "' is not a dbt_project.yml key (additional properties are not allowed)");
    }
  }
  layout.model_paths = StringListOr(ctx, root, "model-paths", file,
                                    StringListOr(ctx, root, "source-paths", file, {"models"}));
  layout.seed_paths = StringListOr(ctx, root, "seed-paths", file,
                                   StringListOr(ctx, root, "data-paths", file, {"seeds"}));
  layout.test_paths = StringListOr(ctx, root, "test-paths", file, {"tests"});
  layout.analysis_paths = StringListOr(ctx, root, "analysis-paths", file, {"analyses"});
  layout.macro_paths = StringListOr(ctx, root, "macro-paths", file, {"macros"});
  layout.snapshot_paths = StringListOr(ctx, root, "snapshot-paths", file, {"snapshots"});
  std::vector<std::string> all_paths;
  for (const auto* list : {&layout.model_paths, &layout.seed_paths, &layout.test_paths,
                           &layout.analysis_paths, &layout.macro_paths, &layout.snapshot_paths}) {
    all_paths.insert(all_paths.end(), list->begin(), list->end());
  }
  layout.docs_paths = StringListOr(ctx, root, "docs-paths", file, all_paths);

  if (is_root) {
    DbtProject* p = ctx->project;
    p->name = layout.info.name;
    p->version = layout.info.version;
    p->profile_name = StringOr(ctx, root, "profile", file, "");
    p->model_paths = layout.model_paths;
    p->seed_paths = layout.seed_paths;
    p->test_paths = layout.test_paths;
    p->analysis_paths = layout.analysis_paths;
    p->macro_paths = layout.macro_paths;
    p->snapshot_paths = layout.snapshot_paths;
    p->docs_paths = layout.docs_paths;
    p->target_path = StringOr(ctx, root, "target-path", file, "target");
    p->packages_install_path = StringOr(ctx, root, "packages-install-path", file, "dbt_packages");
    p->clean_targets = StringListOr(ctx, root, "clean-targets", file, {p->target_path});
    if (const YamlNode* vars = root.Find("vars"); vars != nullptr) {
      if (vars->IsMap()) {
        p->vars = vars->ToJson();
      } else if (!vars->IsNull()) {
        ctx->Error(file, vars->line, vars->column, "", "'vars' must be a map");
      }
    }
    if (const YamlNode* q = root.Find("quoting"); q != nullptr && q->IsMap())
      p->quoting = q->ToJson();
    p->on_run_start = HookStrings(root.Find("on-run-start"));
    p->on_run_end = HookStrings(root.Find("on-run-end"));
    if (const YamlNode* req = root.Find("require-dbt-version"); req != nullptr) {
      p->require_dbt_version =
          req->IsScalar()
              ? req->scalar
              : req->ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      ctx->Warning(file, req->line, req->column, "",
                   "'require-dbt-version' is recorded but not enforced: Strata is not dbt-core");
    }
  }
  ctx->project_yaml[layout.info.name] = std::move(root);
  return layout;
}

std::string Stem(const std::string& rel_path) {
  std::string base(BaseName(rel_path));
  size_t dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

std::string Extension(const std::string& rel_path) {
  size_t dot = rel_path.rfind('.');
  size_t slash = rel_path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = rel_path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext;
}

std::vector<std::string> DirParts(const std::string& rel_path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = rel_path.find('/', start);
    if (slash == std::string::npos) break;
    parts.push_back(rel_path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

class Loader {
 public:
  explicit Loader(LoadContext* ctx) : ctx_(ctx) {}

  void LoadPackage(const PackageLayout& layout) {
    const PackageInfo& pkg = layout.info;
    for (const auto& dir : layout.model_paths) LoadResourceDir(pkg, dir, "model");
    for (const auto& dir : layout.seed_paths) LoadResourceDir(pkg, dir, "seed");
    for (const auto& dir : layout.snapshot_paths) LoadResourceDir(pkg, dir, "snapshot");
    for (const auto& dir : layout.test_paths) LoadResourceDir(pkg, dir, "test");
    for (const auto& dir : layout.analysis_paths) LoadResourceDir(pkg, dir, "analysis");
    for (const auto& dir : layout.macro_paths) LoadResourceDir(pkg, dir, "macro");
    std::set<std::string> seen_md;
    for (const auto& dir : layout.docs_paths) {
      for (const auto& rel : internal::ListFilesRecursive(ctx_->fs, JoinPath(pkg.root_dir, dir))) {
        if (Extension(rel) != ".md") continue;
        std::string original = JoinPath(dir, rel);
        if (!seen_md.insert(original).second) continue;
        LoadDocsFile(pkg, original);
      }
    }
  }

  std::vector<std::pair<PackageInfo, std::string>>& property_files() { return property_files_; }

 private:
  void LoadResourceDir(const PackageInfo& pkg, const std::string& dir, const std::string& kind) {
    const std::string abs_dir = JoinPath(pkg.root_dir, dir);
    for (const auto& rel : internal::ListFilesRecursive(ctx_->fs, abs_dir)) {
      const std::string ext = Extension(rel);
      const std::string original = JoinPath(dir, rel);
      if (ext == ".yml" || ext == ".yaml") {
        property_files_.emplace_back(pkg, original);
        continue;
      }
      if (kind == "macro" && ext == ".sql") {
        LoadMacroFile(pkg, original);
      } else if (kind == "test" && ext == ".sql" && rel.rfind("generic/", 0) == 0) {
        LoadMacroFile(pkg, original);  // generic test definitions are macros
      } else if (kind == "seed" && ext == ".csv") {
        AddFileNode(pkg, dir, rel, "seed");
      } else if (kind == "snapshot" && ext == ".sql") {
        LoadSnapshotFile(pkg, dir, rel);
      } else if ((kind == "model" || kind == "test" || kind == "analysis") && ext == ".sql") {
        AddFileNode(pkg, dir, rel, kind);
      } else if (kind == "model" && ext == ".py") {
        AddFileNode(pkg, dir, rel, kind);
      }
    }
  }

  Result<std::string> Read(const PackageInfo& pkg, const std::string& original) {
    auto text = ctx_->fs.ReadFile(JoinPath(pkg.root_dir, original));
    if (!text.ok()) {
      ctx_->Error(JoinPath(pkg.root_dir, original), 0, 0, "",
                  "cannot read: " + text.status().message());
    }
    return text;
  }

  Node* AddNode(Node node, const std::string& abs_file) {
    // Models, seeds, snapshots and analyses share ref()'s namespace.
    const std::string key =
        node.package_name + "\x1f" + (node.IsTest() ? "test" : "refable") + "\x1f" + node.name;
    auto [it, inserted] = names_.emplace(key, node.original_file_path);
    if (!inserted) {
      ctx_->Error(abs_file, node.line, node.column, node.unique_id,
                  "dbt found two resources with the name '" + node.name + "' in package '" +
                      node.package_name + "': " + it->second + " and " + node.original_file_path +
                      "; rename one of them");
      return nullptr;
    }
    auto [pos, ok] = ctx_->project->nodes.emplace(node.unique_id, std::move(node));
    if (!ok) return nullptr;
    return &pos->second;
  }

  Node MakeFileNode(const PackageInfo& pkg, const std::string& dir, const std::string& rel,
                    const std::string& type, const std::string& name, const std::string& text) {
    Node node;
    node.resource_type = type;
    node.name = name;
    node.package_name = pkg.name;
    node.package_root = pkg.root_dir;
    node.unique_id = type + "." + pkg.name + "." + name;
    node.path = rel;
    node.original_file_path = JoinPath(dir, rel);
    node.raw_code = text;
    node.checksum = {{"name", "sha256"}, {"checksum", internal::Sha256Hex(text)}};
    node.fqn.push_back(pkg.name);
    if (type == "analysis") node.fqn.push_back("analysis");
    for (auto& part : DirParts(rel)) node.fqn.push_back(part);
    if (type == "snapshot") node.fqn.push_back(Stem(rel));
    node.fqn.push_back(name);
    return node;
  }

  void AddFileNode(const PackageInfo& pkg, const std::string& dir, const std::string& rel,
                   const std::string& type) {
    const std::string original = JoinPath(dir, rel);
    auto text = Read(pkg, original);
    if (!text.ok()) return;
    Node node = MakeFileNode(pkg, dir, rel, type, Stem(rel), type == "seed" ? "" : *text);
    if (type == "seed") {
      node.checksum = {{"name", "sha256"}, {"checksum", internal::Sha256Hex(*text)}};
    }
    if (Extension(rel) == ".py") {
      node.language = "python";
      node.unsupported = true;
      node.unsupported_reason =
          "Python models are not supported by Strata; this model is skipped and the rest of "
          "the project runs";
      ctx_->Warning(JoinPath(pkg.root_dir, original), 0, 0, node.unique_id,
                    node.unsupported_reason);
    }
    AddNode(std::move(node), JoinPath(pkg.root_dir, original));
  }

  void LoadSnapshotFile(const PackageInfo& pkg, const std::string& dir, const std::string& rel) {
    const std::string original = JoinPath(dir, rel);
    auto text = Read(pkg, original);
    if (!text.ok()) return;
    static const std::regex kOpen(R"(\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\})");
    static const std::regex kClose(R"(\{%-?\s*endsnapshot\s*-?%\})");
    const std::string& s = *text;
    auto begin = std::sregex_iterator(s.begin(), s.end(), kOpen);
    bool any = false;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      any = true;
      const std::smatch& m = *it;
      size_t body_start = m.position(0) + m.length(0);
      std::smatch close;
      auto [line, col] = internal::LineColumnAt(s, m.position(0));
      if (!std::regex_search(s.begin() + body_start, s.end(), close, kClose)) {
        ctx_->Error(JoinPath(pkg.root_dir, original), line, col, m[1].str(),
                    "snapshot block '" + m[1].str() + "' has no {% endsnapshot %}");
        continue;
      }
      std::string body = s.substr(body_start, close.position(0));
      Node node = MakeFileNode(pkg, dir, rel, "snapshot", m[1].str(), body);
      node.checksum = {{"name", "sha256"}, {"checksum", internal::Sha256Hex(s)}};
      node.line = line;
      node.column = col;
      AddNode(std::move(node), JoinPath(pkg.root_dir, original));
    }
    if (!any) {
      ctx_->Warning(JoinPath(pkg.root_dir, original), 0, 0, "",
                    "no {% snapshot name %} block found; the file is ignored");
    }
  }

  void LoadMacroFile(const PackageInfo& pkg, const std::string& original) {
    auto text = Read(pkg, original);
    if (!text.ok()) return;
    const std::string& s = *text;
    // {% macro name(...) %}, {% test name(...) %} (macro "test_<name>") and
    // {% materialization name, adapter='x' %} ("materialization_<name>_<adapter>").
    static const std::regex kOpen(
        R"(\{%-?\s*(macro|test|materialization)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\(|,\s*(?:adapter\s*=\s*)?['"]([A-Za-z0-9_]+)['"]|-?%\}))");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), kOpen); it != std::sregex_iterator();
         ++it) {
      const std::smatch& m = *it;
      const std::string kind = m[1].str();
      std::string name = m[2].str();
      if (kind == "test") name = "test_" + name;
      if (kind == "materialization") {
        name = "materialization_" + name + "_" + (m[4].matched ? m[4].str() : "default");
      }
      const std::regex close("\\{%-?\\s*end" + kind + "\\s*-?%\\}");
      std::smatch end;
      auto [line, col] = internal::LineColumnAt(s, m.position(0));
      Macro macro;
      macro.name = name;
      macro.package_name = pkg.name;
      macro.unique_id = "macro." + pkg.name + "." + name;
      macro.path = original;
      macro.original_file_path = original;
      macro.line = line;
      macro.column = col;
      if (std::regex_search(s.begin() + m.position(0), s.end(), end, close)) {
        macro.macro_sql = s.substr(m.position(0), end.position(0) + end.length(0));
      } else {
        ctx_->Error(JoinPath(pkg.root_dir, original), line, col, macro.unique_id,
                    "{% " + kind + " " + m[2].str() + " %} has no {% end" + kind + " %}");
        macro.macro_sql = s.substr(m.position(0));
      }
      auto [pos, inserted] = ctx_->project->macros.emplace(macro.unique_id, macro);
      if (!inserted) {
        ctx_->Error(JoinPath(pkg.root_dir, original), line, col, macro.unique_id,
                    "dbt found two macros named '" + name + "' in package '" + pkg.name +
                        "': " + pos->second.original_file_path + " and " + original);
      }
    }
  }

  void LoadDocsFile(const PackageInfo& pkg, const std::string& original) {
    auto text = Read(pkg, original);
    if (!text.ok()) return;
    const std::string& s = *text;
    static const std::regex kOpen(R"(\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\})");
    static const std::regex kClose(R"(\{%-?\s*enddocs\s*-?%\})");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), kOpen); it != std::sregex_iterator();
         ++it) {
      const std::smatch& m = *it;
      size_t body_start = m.position(0) + m.length(0);
      std::smatch close;
      auto [line, col] = internal::LineColumnAt(s, m.position(0));
      if (!std::regex_search(s.begin() + body_start, s.end(), close, kClose)) {
        ctx_->Error(JoinPath(pkg.root_dir, original), line, col, m[1].str(),
                    "docs block '" + m[1].str() + "' has no {% enddocs %}");
        continue;
      }
      std::string body = s.substr(body_start, close.position(0));
      // dbt strips the block's surrounding whitespace.
      size_t first = body.find_first_not_of(" \t\r\n");
      size_t last = body.find_last_not_of(" \t\r\n");
      body = first == std::string::npos ? "" : body.substr(first, last - first + 1);
      DocBlock doc{
          "doc." + pkg.name + "." + m[1].str(), m[1].str(), pkg.name, original, original, body};
      auto [pos, inserted] = ctx_->project->docs.emplace(doc.unique_id, doc);
      if (!inserted) {
        ctx_->Error(JoinPath(pkg.root_dir, original), line, col, doc.unique_id,
                    "dbt found two docs blocks named '" + doc.name +
                        "': " + pos->second.original_file_path + " and " + original);
      }
    }
  }

  LoadContext* ctx_;
  std::map<std::string, std::string> names_;  // package/namespace/name -> file
  std::vector<std::pair<PackageInfo, std::string>> property_files_;
};

std::string AbsoluteDir(const std::string& dir) {
  if (!dir.empty() && dir[0] == '/') return dir;
  char buf[4096];
  if (getcwd(buf, sizeof buf) == nullptr) return dir;
  std::string cwd(buf);
  if (dir.empty() || dir == ".") return cwd;
  return JoinPath(cwd, dir);
}

// Resolves configs after the property files, moves disabled nodes aside and
// scans dependencies.
// dbt renders descriptions with `doc()`: each `{{ doc('name') }}` or
// `{{ doc('package', 'name') }}` becomes that docs block's text. An unknown
// block is an error naming the node, as in dbt.
std::string RenderDocCalls(LoadContext* ctx, const Node& node, const std::string& text) {
  if (text.find("doc(") == std::string::npos) return text;
  const DbtProject& p = *ctx->project;
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    std::string inner = text.substr(open + 2, close - open - 2);
    auto trim = [](std::string v) {
      const size_t b = v.find_first_not_of(" \t\n-");
      const size_t e = v.find_last_not_of(" \t\n-");
      return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
    };
    inner = trim(inner);
    std::vector<std::string> args;
    bool is_doc = inner.rfind("doc(", 0) == 0 && inner.back() == ')';
    if (is_doc) {
      const std::string body = inner.substr(4, inner.size() - 5);
      size_t i = 0;
      while (i < body.size()) {
        while (i < body.size() && (body[i] == ' ' || body[i] == ',')) ++i;
        if (i >= body.size()) break;
        const char quote = body[i];
        if (quote != '\'' && quote != '"') {
          is_doc = false;
          break;
        }
        const size_t end = body.find(quote, i + 1);
        if (end == std::string::npos) {
          is_doc = false;
          break;
        }
        args.push_back(body.substr(i + 1, end - i - 1));
        i = end + 1;
      }
      if (args.empty() || args.size() > 2) is_doc = false;
    }
    out += text.substr(pos, open - pos);
    if (!is_doc) {
      out += text.substr(open, close + 2 - open);
    } else {
      const std::string name = args.back();
      std::vector<std::string> candidates;
      if (args.size() == 2) {
        candidates.push_back("doc." + args[0] + "." + name);
      } else {
        candidates.push_back("doc." + node.package_name + "." + name);
        candidates.push_back("doc." + p.name + "." + name);
        for (const auto& package : p.packages)
          candidates.push_back("doc." + package.name + "." + name);
      }
      const DocBlock* found = nullptr;
      for (const auto& id : candidates) {
        auto it = p.docs.find(id);
        if (it != p.docs.end()) {
          found = &it->second;
          break;
        }
      }
      if (found) {
        out += found->block_contents;
      } else {
        ctx->Error(node.original_file_path, node.line, node.column, node.unique_id,
                   "documentation for '" + name + "' not found (no {% docs " + name + " %} block)");
        out += text.substr(open, close + 2 - open);
      }
    }
    pos = close + 2;
  }
  out += text.substr(pos);
  return out;
}

void RenderDescriptions(LoadContext* ctx) {
  for (auto& [id, node] : ctx->project->nodes) {
    node.description = RenderDocCalls(ctx, node, node.description);
    node.source_description = RenderDocCalls(ctx, node, node.source_description);
    for (auto& column : node.columns)
      column.description = RenderDocCalls(ctx, node, column.description);
  }
}

void Finalize(LoadContext* ctx) {
  DbtProject* p = ctx->project;
  const std::string schema = p->target ? p->target->schema : "main";
  const std::string database = p->target ? p->target->database : "";
  std::vector<std::string> disabled_ids;
  for (auto& [id, node] : p->nodes) {
    const bool generic_test = !node.test_metadata.is_null();
    if (!node.IsSource() && node.resource_type != "exposure" && !generic_test &&
        node.language == "sql") {
      ctx->scanner->Scan(&node, &p->diagnostics);
      // In-file config() wins over YAML and dbt_project.yml.
      // Macro calls: `pkg.name(` in that package; `name(` in the node's
      // package, then the root project, then dbt's own and any package.
      for (const auto& [pkg, name] : internal::ScanCalls(node.raw_code)) {
        std::vector<std::string> candidates;
        if (!pkg.empty()) {
          candidates = {"macro." + pkg + "." + name};
        } else {
          candidates = {"macro." + node.package_name + "." + name, "macro." + p->name + "." + name};
          for (const auto& package : p->packages)
            candidates.push_back("macro." + package.name + "." + name);
        }
        for (const auto& id : candidates) {
          if (p->macros.count(id)) {
            if (std::find(node.depends_on_macros.begin(), node.depends_on_macros.end(), id) ==
                node.depends_on_macros.end()) {
              node.depends_on_macros.push_back(id);
            }
            break;
          }
        }
      }
      const json in_file = internal::ExtractStaticConfig(node.raw_code);
      for (const auto& [k, v] : in_file.items()) {
        internal::MergeConfigKey(&node.config, k, v);
      }
    }
    if (node.IsSource() || node.resource_type == "exposure") {
      if (node.identifier.empty() && node.IsSource()) node.identifier = node.name;
    } else {
      internal::ApplyConfigToNodeFields(&node, schema);
    }
    if (node.database.empty()) node.database = database;
    if (node.config.contains("enabled") && node.config["enabled"] == false) {
      disabled_ids.push_back(id);
    }
  }
  for (const auto& id : disabled_ids) {
    auto it = p->nodes.find(id);
    p->disabled[id].push_back(std::move(it->second));
    p->nodes.erase(it);
  }
}

}  // namespace

namespace {

Result<DbtProject> LoadProjectUnguarded(FileSystem& fs, const LoadOptions& options) {
  DbtProject project;
  project.root_dir = AbsoluteDir(options.project_dir);
  project.cli_vars = options.cli_vars.is_object() ? options.cli_vars : json::object();
  LoadContext ctx{
      fs, options, &project, options.scanner ? options.scanner : &DependencyScanner::Static(), {}};
  STRATA_ASSIGN_OR_RETURN(PackageLayout root, ReadProjectFile(&ctx, project.root_dir, true));
  std::vector<PackageLayout> layouts = {root};
  project.packages.push_back(root.info);
  const std::string packages_dir = JoinPath(project.root_dir, project.packages_install_path);
  if (auto listing = fs.ListDirectory(packages_dir); listing.ok()) {
    for (const FileInfo& entry : *listing) {
      if (!entry.is_directory) continue;
      std::string dir = JoinPath(packages_dir, std::string(BaseName(entry.path)));
      auto exists = fs.Exists(JoinPath(dir, "dbt_project.yml"));
      if (!exists.ok() || !*exists) continue;
      auto layout = ReadProjectFile(&ctx, dir, false);
      if (!layout.ok()) {
        ctx.Error(JoinPath(dir, "dbt_project.yml"), 0, 0, "", layout.status().message());
        continue;
      }
      if (layout->info.name == project.name) {
        ctx.Error(JoinPath(dir, "dbt_project.yml"), 0, 0, "",
                  "package '" + layout->info.name + "' has the root project's name");
        continue;
      }
      if (std::any_of(project.packages.begin(), project.packages.end(),
                      [&](const PackageInfo& p) { return p.name == layout->info.name; })) {
        ctx.Error(JoinPath(dir, "dbt_project.yml"), 0, 0, "",
                  "two packages are named '" + layout->info.name + "'");
        continue;
      }
      project.packages.push_back(layout->info);
      layouts.push_back(std::move(*layout));
    }
  }
  if (options.load_profile) internal::LoadProfile(&ctx);

  Loader loader(&ctx);
  for (const auto& layout : layouts) loader.LoadPackage(layout);
  // Project-level config for every file node, before YAML configs apply.
  for (auto& [id, node] : project.nodes) {
    node.config = internal::ResolveProjectConfig(ctx, node.resource_type, node.fqn);
  }
  internal::LoadPropertyFiles(&ctx, loader.property_files());
  Finalize(&ctx);
  RenderDescriptions(&ctx);
  return project;
}

}  // namespace

Result<DbtProject> LoadProject(FileSystem& fs, const LoadOptions& options) {
  // The loader reads user YAML into JSON values; a type it did not expect
  // must become an error, never an exception leaving the subsystem.
  try {
    return LoadProjectUnguarded(fs, options);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("loading the dbt project failed unexpectedly: ") +
                            e.what());
  }
}

}  // namespace strata::transform
