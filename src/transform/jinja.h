// Strata's Jinja engine: renders dbt-style Jinja templates the way Python's
// jinja2 does (with dbt's settings: the `do` and loop-control extensions,
// the default Undefined, no autoescape, trim_blocks/lstrip_blocks off, one
// trailing newline dropped), byte for byte.
//
// Typical use:
//   auto env = Environment::Create();
//   env->AddGlobal("ref", MakeFunction("ref", [](CallArgs& a) -> Result<Value> {...}));
//   STRATA_ASSIGN_OR_RETURN(auto macros, env->Compile(macro_source, "macros/util.sql"));
//   STRATA_ASSIGN_OR_RETURN(auto exported, macros->Macros(Value::MakeDict()));
//   for (auto& [name, macro] : exported) env->AddGlobal(name, macro);
//   STRATA_ASSIGN_OR_RETURN(auto model, env->Compile(model_source, "models/orders.sql"));
//   STRATA_ASSIGN_OR_RETURN(std::string sql, model->Render(context));
//
// Errors are returned, never thrown, as InvalidArgument with the message
// "models/orders.sql:12:5: 'foo' is undefined".
// See src/transform/README.md for what is supported and the differences.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "transform/jinja_value.h"

namespace strata::transform {

struct JinjaOptions {
  bool trim_blocks = false;            // drop the first newline after a block tag (dbt: off)
  bool keep_trailing_newline = false;  // dbt: off, so one trailing "\n" of the source is dropped
  // dbt's block tags, each defining a macro: {% test name(args) %} (test_name),
  // {% docs name %} (docs_name), {% materialization name, adapter='x' %}
  // (materialization_name_x; `default` for the default adapter).
  bool dbt_blocks = true;
  int max_parse_depth = 200;             // nesting of blocks and expressions
  int max_call_depth = 100;              // nested macro calls and recursive loops
  int64_t max_steps = 50'000'000;        // statements, loop iterations and calls per render
  size_t max_output_bytes = 256u << 20;  // any one string or output of a render
  Clock* clock = nullptr;  // for modules.datetime now(); nullptr means Clock::Default()
};

// A filter: `operand | name(args)`. Returns the result or an error message
// (the engine adds the location).
using FilterFunction = std::function<Result<Value>(const Value& operand, CallArgs& args)>;
// A test: `operand is name(args)`.
using TestFunction = std::function<Result<bool>(const Value& operand, CallArgs& args)>;

class Template;
struct EnvironmentData;

// Holds globals, filters, tests and options shared by the templates compiled
// from it. Configure it (Add*) before rendering; after that, Compile and
// Render may be called from several threads at once. Must outlive its
// templates.
class Environment {
 public:
  // Creates an environment with Jinja2's builtin filters, tests and globals
  // (range, dict, namespace, cycler, joiner, modules.re, modules.datetime,
  // return).
  static std::unique_ptr<Environment> Create(JinjaOptions options = {});
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  // Makes `value` visible to every template under `name`, below the render
  // context (a context value of the same name wins). Not thread-safe.
  void AddGlobal(const std::string& name, Value value);
  // Adds or replaces a filter / a test. Not thread-safe.
  void AddFilter(const std::string& name, FilterFunction filter);
  void AddTest(const std::string& name, TestFunction test);

  // Compiles `source`; `name` is used in error messages. Returns the template,
  // or InvalidArgument "<name>:<line>:<col>: <syntax error>".
  Result<std::shared_ptr<const Template>> Compile(std::string_view source, std::string name) const;

  const JinjaOptions& options() const;
  const EnvironmentData& data() const { return *data_; }

 private:
  explicit Environment(JinjaOptions options);
  std::unique_ptr<EnvironmentData> data_;
};

struct TemplateProgram;

// A compiled template: immutable, renders any number of times, from several
// threads at once (each render owns its values).
class Template {
 public:
  Template(const Environment* env, std::shared_ptr<const TemplateProgram> program);
  ~Template();

  // Renders with `context` (a dict Value; an Undefined or None means empty).
  // Returns the output, or InvalidArgument "<template>:<line>:<col>: <what>".
  Result<std::string> Render(const Value& context) const;

  // Runs the template's top level with `context` (discarding its output) and
  // returns its top-level macros by name, to be registered as globals of
  // other templates (dbt's macro files). The macros keep this template's
  // program alive; they may be called from any render of the same
  // environment.
  Result<std::vector<std::pair<std::string, Value>>> Macros(const Value& context) const;

  const std::string& name() const;

 private:
  const Environment* env_;
  std::shared_ptr<const TemplateProgram> program_;
};

// Converts JSON text to a Value (objects become dicts in key order, arrays
// lists). Returns InvalidArgument on malformed JSON.
Result<Value> ValueFromJson(std::string_view json);

// Python's json.dumps(value, sort_keys=True) as the tojson filter uses it.
Result<std::string> ValueToJson(const Value& value, int indent);

}  // namespace strata::transform
