// profiles.yml: found as dbt finds it, the selected target of the project's
// profile read into a ProfileTarget, its strings rendered by the runner's
// Jinja hook or by the literal-only env_var() substitution below.
#include <cstdlib>
#include <regex>

#include "transform/dbt_internal.h"

namespace strata::transform {

using json = nlohmann::json;

Result<std::string> RenderEnvVarLiterals(
    std::string_view text,
    const std::function<std::optional<std::string>(const std::string&)>& env) {
  static const std::regex kCall(
      R"(^\s*env_var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?\)\s*(?:\|\s*(int|as_number|as_text|as_bool|as_native|string)\s*)?$)");
  std::string out;
  size_t pos = 0;
  const std::string s(text);
  if (s.find("{%") != std::string::npos) {
    return Status::InvalidArgument("'" + s + "' needs the Jinja renderer ({% %} tags)");
  }
  while (true) {
    size_t open = s.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = s.find("}}", open + 2);
    if (close == std::string::npos) {
      return Status::InvalidArgument("'" + s + "': '{{' without '}}'");
    }
    out.append(s, pos, open - pos);
    std::string inner = s.substr(open + 2, close - open - 2);
    std::smatch m;
    if (!std::regex_match(inner, m, kCall)) {
      return Status::InvalidArgument("'{{" + inner +
                                     "}}' needs the Jinja renderer: only env_var('NAME') and "
                                     "env_var('NAME', 'default') with literal arguments are "
                                     "substituted without it");
    }
    std::optional<std::string> value = env ? env(m[2].str()) : std::nullopt;
    if (!env) {
      const char* raw = std::getenv(m[2].str().c_str());
      if (raw != nullptr) value = raw;
    }
    if (!value.has_value()) {
      if (!m[3].matched) {
        return Status::InvalidArgument("env var required but not provided: '" + m[2].str() + "'");
      }
      value = m[4].str();
    }
    out += *value;
    pos = close + 2;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

namespace internal {
namespace {

std::optional<std::string> GetEnv(const LoadContext& ctx, const std::string& name) {
  if (ctx.options.env) return ctx.options.env(name);
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<std::string> RenderString(const LoadContext& ctx, const std::string& text) {
  if (text.find("{{") == std::string::npos && text.find("{%") == std::string::npos) return text;
  if (ctx.options.render) return ctx.options.render(text);
  return RenderEnvVarLiterals(text, [&ctx](const std::string& name) { return GetEnv(ctx, name); });
}

// Renders every string in `value`; the first failure is returned.
Status RenderAll(const LoadContext& ctx, json* value) {
  if (value->is_string()) {
    STRATA_ASSIGN_OR_RETURN(std::string rendered, RenderString(ctx, value->get<std::string>()));
    *value = rendered;
  } else if (value->is_structured()) {
    for (auto& child : *value) STRATA_RETURN_IF_ERROR(RenderAll(ctx, &child));
  }
  return Status::OK();
}

std::string FindProfilesDir(const LoadContext& ctx) {
  if (!ctx.options.profiles_dir.empty()) return ctx.options.profiles_dir;
  if (auto dir = GetEnv(ctx, "DBT_PROFILES_DIR"); dir.has_value() && !dir->empty()) return *dir;
  auto here = ctx.fs.Exists(JoinPath(ctx.project->root_dir, "profiles.yml"));
  if (here.ok() && *here) return ctx.project->root_dir;
  if (auto home = GetEnv(ctx, "HOME"); home.has_value()) return JoinPath(*home, ".dbt");
  return ".dbt";
}

}  // namespace

void LoadProfile(LoadContext* ctx) {
  DbtProject* p = ctx->project;
  const std::string file = JoinPath(FindProfilesDir(*ctx), "profiles.yml");
  auto text = ctx->fs.ReadFile(file);
  if (!text.ok()) {
    ctx->Warning(file, 0, 0, "",
                 "no profiles.yml found (looked in --profiles-dir, DBT_PROFILES_DIR, the project "
                 "directory and ~/.dbt); commands that run SQL need one");
    return;
  }
  auto root = ParseYaml(*text, ctx->DisplayPath(file));
  if (!root.ok()) {
    ReportYamlError(ctx, file, root.status());
    return;
  }
  const std::string profile_name = p->profile_name.empty() ? p->name : p->profile_name;
  const YamlNode* profile = root->Find(profile_name);
  if (profile == nullptr || !profile->IsMap()) {
    ctx->Error(file, 1, 1, "",
               "profile '" + profile_name + "' (named in dbt_project.yml) is not in profiles.yml");
    return;
  }
  std::string target_name = ctx->options.target;
  if (target_name.empty()) {
    const YamlNode* t = profile->Find("target");
    if (t != nullptr && t->IsScalar()) {
      auto rendered = RenderString(*ctx, t->scalar);
      if (!rendered.ok()) {
        ctx->Error(file, t->line, t->column, "", rendered.status().message());
        return;
      }
      target_name = *rendered;
    } else {
      target_name = "default";
    }
  }
  const YamlNode* outputs = profile->Find("outputs");
  const YamlNode* target = outputs ? outputs->Find(target_name) : nullptr;
  if (target == nullptr || !target->IsMap()) {
    std::string known;
    if (outputs != nullptr) {
      for (const auto& [k, v] : outputs->entries) known += (known.empty() ? "" : ", ") + k;
    }
    ctx->Error(file, profile->line, profile->column, "",
               "target '" + target_name + "' is not in profile '" + profile_name +
                   "' (targets: " + (known.empty() ? "none" : known) + ")");
    return;
  }
  ProfileTarget out;
  out.profile_name = profile_name;
  out.target_name = target_name;
  out.raw = target->ToJson();
  out.rendered = out.raw;
  if (Status s = RenderAll(*ctx, &out.rendered); !s.ok()) {
    ctx->Error(file, target->line, target->column, "", s.message());
    return;
  }
  const json& r = out.rendered;
  out.type = r.contains("type") && r["type"].is_string() ? r["type"].get<std::string>() : "";
  if (out.type != "duckdb") {
    ctx->Error(file, target->line, target->column, "",
               "target '" + target_name + "' has type '" + out.type +
                   "'; Strata runs duckdb targets only");
  }
  auto str = [&r](const char* key, std::string fallback) {
    if (!r.contains(key) || r[key].is_null()) return fallback;
    return r[key].is_string()
               ? r[key].get<std::string>()
               : r[key].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  out.path = str("path", ":memory:");
  out.schema = str("schema", "main");
  std::string stem(BaseName(out.path));
  if (size_t dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
  out.database = str("database", out.path == ":memory:" || out.path.empty() ? "memory" : stem);
  const json threads = r.value("threads", json(1));
  if (threads.is_number_integer()) {
    out.threads = threads.get<int>();
  } else if (threads.is_string()) {
    out.threads = std::atoi(threads.get<std::string>().c_str());
  }
  if (out.threads < 1) out.threads = 1;
  if (r.contains("extensions") && r["extensions"].is_array()) {
    for (const auto& e : r["extensions"]) {
      if (e.is_string()) out.extensions.push_back(e.get<std::string>());
      if (e.is_object() && e.contains("name") && e["name"].is_string()) {
        out.extensions.push_back(e["name"].get<std::string>());
      }
    }
  }
  if (r.contains("settings") && r["settings"].is_object()) out.settings = r["settings"];
  p->target = std::move(out);
}

}  // namespace internal
}  // namespace strata::transform
