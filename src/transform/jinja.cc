#include "transform/jinja.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "transform/jinja_internal.h"
#include "transform/jinja_parser.h"

namespace strata::transform {

Environment::Environment(JinjaOptions options) : data_(std::make_unique<EnvironmentData>()) {
  data_->options = options;
  RegisterFilters(data_.get());
  RegisterTests(data_.get());
  RegisterGlobals(data_.get());
}

Environment::~Environment() = default;

std::unique_ptr<Environment> Environment::Create(JinjaOptions options) {
  return std::unique_ptr<Environment>(new Environment(options));
}

void Environment::AddGlobal(const std::string& name, Value value) {
  data_->globals[name] = std::move(value);
}
void Environment::AddFilter(const std::string& name, FilterFunction filter) {
  data_->filters[name] = std::move(filter);
}
void Environment::AddTest(const std::string& name, TestFunction test) {
  data_->tests[name] = std::move(test);
}
const JinjaOptions& Environment::options() const { return data_->options; }

Result<std::shared_ptr<const Template>> Environment::Compile(std::string_view source,
                                                             std::string name) const {
  LexerOptions lexer_options;
  lexer_options.trim_blocks = data_->options.trim_blocks;
  lexer_options.keep_trailing_newline = data_->options.keep_trailing_newline;
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source, name, lexer_options));
  auto program = std::make_shared<TemplateProgram>();
  program->name = std::move(name);
  STRATA_ASSIGN_OR_RETURN(
      program->nodes,
      Parse(tokens, program->name, data_->options.max_parse_depth, data_->options.dbt_blocks));
  return std::make_shared<const Template>(this, std::move(program));
}

Template::Template(const Environment* env, std::shared_ptr<const TemplateProgram> program)
    : env_(env), program_(std::move(program)) {}
Template::~Template() = default;

const std::string& Template::name() const { return program_->name; }

namespace {
// The context's values live in their own frame; the template's top level
// (its sets and macros) in a child of it. Macros of other templates fall
// back to the context frame of the render that calls them, as dbt gives
// every macro the calling node's context (this, model, config, ...).
Result<FramePtr> ContextFrame(const Value& context) {
  auto frame = std::make_shared<Frame>(nullptr);
  if (context.is_dict()) {
    for (const auto& [k, v] : context.as_dict()->items()) frame->vars[k.Str()] = v;
  } else if (!context.is_undefined() && !context.is_none()) {
    return Status::InvalidArgument("the render context must be a dict");
  }
  return frame;
}
}  // namespace

Result<std::string> Template::Render(const Value& context) const {
  STRATA_ASSIGN_OR_RETURN(FramePtr context_frame, ContextFrame(context));
  auto root = std::make_shared<Frame>(context_frame);
  Renderer renderer(env_->data(), context_frame);
  std::string out;
  STRATA_RETURN_IF_ERROR(renderer.RenderProgram(program_, root, &out));
  return out;
}

Result<std::vector<std::pair<std::string, Value>>> Template::Macros(const Value& context) const {
  STRATA_ASSIGN_OR_RETURN(FramePtr context_frame, ContextFrame(context));
  auto root = std::make_shared<Frame>(context_frame);
  Renderer renderer(env_->data(), context_frame);
  std::string ignored;
  STRATA_RETURN_IF_ERROR(renderer.RenderProgram(program_, root, &ignored));
  std::vector<std::pair<std::string, Value>> macros;
  for (const auto& node : program_->nodes) {
    if (node->kind != Stmt::Kind::kMacro) continue;
    auto it = root->vars.find(node->macro->name);
    if (it == root->vars.end() || !it->second.is_callable()) continue;
    macros.emplace_back(node->macro->name, ExportMacro(it->second, root));
  }
  return macros;
}

namespace {

Value FromJson(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::None();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List items;
      for (const auto& item : j) items.push_back(FromJson(item));
      return Value::MakeList(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Value dict = Value::MakeDict();
      for (const auto& [k, v] : j.items()) dict.as_dict()->Set(k, FromJson(v));
      return dict;
    }
    default:
      return Value::None();
  }
}

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    if (c < 0x80) {
      switch (c) {
        case '"':
          *out += "\\\"";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        case '\b':
          *out += "\\b";
          break;
        case '\f':
          *out += "\\f";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            *out += buf;
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // ensure_ascii: decode UTF-8 and write \uXXXX (surrogate pairs above U+FFFF).
    size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : len == 4 ? (c & 0x07) : c;
    for (size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
    }
    *out += buf;
  }
  out->push_back('"');
}

Status AppendJson(const Value& v, int indent, int level, std::string* out) {
  if (level > 200) return Status::InvalidArgument("Circular reference detected");
  auto newline = [&](int lvl) {
    if (indent < 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * lvl), ' ');
  };
  const char* item_sep = indent < 0 ? ", " : ",";
  switch (v.kind()) {
    case Value::Kind::kNone:
      *out += "null";
      return Status::OK();
    case Value::Kind::kBool:
      *out += v.as_bool() ? "true" : "false";
      return Status::OK();
    case Value::Kind::kInt:
      *out += std::to_string(v.as_int());
      return Status::OK();
    case Value::Kind::kFloat: {
      double d = v.as_double();
      if (std::isnan(d))
        *out += "NaN";
      else if (std::isinf(d))
        *out += d < 0 ? "-Infinity" : "Infinity";
      else
        *out += FormatPythonFloat(d);
      return Status::OK();
    }
    case Value::Kind::kString:
      AppendJsonString(v.as_string(), out);
      return Status::OK();
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      const List& items = *v.as_list();
      if (items.empty()) {
        *out += "[]";
        return Status::OK();
      }
      out->push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) *out += item_sep;
        newline(level + 1);
        STRATA_RETURN_IF_ERROR(AppendJson(items[i], indent, level + 1, out));
      }
      newline(level);
      out->push_back(']');
      return Status::OK();
    }
    case Value::Kind::kDict: {
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& [k, val] : v.as_dict()->items()) {
        std::string key;
        if (k.is_string())
          key = k.as_string();
        else if (k.is_bool())
          key = k.as_bool() ? "true" : "false";
        else if (k.is_none())
          key = "null";
        else if (k.is_number())
          key = k.Str();
        else
          return Status::InvalidArgument("keys must be str, int, float, bool or None, not " +
                                         k.TypeName());
        entries.emplace_back(key, &val);
      }
      // sort_keys=True (mixed key types would be a TypeError in Python; they are strings here).
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      if (entries.empty()) {
        *out += "{}";
        return Status::OK();
      }
      out->push_back('{');
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) *out += item_sep;
        newline(level + 1);
        AppendJsonString(entries[i].first, out);
        *out += ": ";
        STRATA_RETURN_IF_ERROR(AppendJson(*entries[i].second, indent, level + 1, out));
      }
      newline(level);
      out->push_back('}');
      return Status::OK();
    }
    case Value::Kind::kUndefined:
      return UndefinedError(v);
    default:
      return Status::InvalidArgument("Object of type " + v.TypeName() +
                                     " is not JSON serializable");
  }
}

}  // namespace

Result<Value> ValueFromJson(std::string_view json) {
  try {
    return FromJson(nlohmann::ordered_json::parse(json));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
}

Result<std::string> ValueToJson(const Value& value, int indent) {
  std::string out;
  STRATA_RETURN_IF_ERROR(AppendJson(value, indent, 0, &out));
  return out;
}

}  // namespace strata::transform
