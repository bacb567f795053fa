// Unit tests of the Jinja engine through its public API. Byte-for-byte
// agreement with python3-jinja2 is checked by the differential corpus
// (tests/jinja/corpus, CTest jinja.corpus); these tests cover the embedding
// API, error locations and the limits.
#include "transform/jinja.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/clock.h"

namespace strata::transform {
namespace {

class JinjaTest : public ::testing::Test {
 protected:
  std::string Render(const std::string& source, const Value& context = Value::MakeDict()) {
    auto tmpl = env_->Compile(source, "t.sql");
    if (!tmpl.ok()) return "COMPILE ERROR: " + tmpl.status().message();
    auto out = (*tmpl)->Render(context);
    if (!out.ok()) return "RENDER ERROR: " + out.status().message();
    return *out;
  }
  Status RenderError(const std::string& source, const std::string& name = "models/orders.sql") {
    auto tmpl = env_->Compile(source, name);
    if (!tmpl.ok()) return tmpl.status();
    auto out = (*tmpl)->Render(Value::MakeDict());
    if (out.ok()) return Status::OK();
    return out.status();
  }
  std::unique_ptr<Environment> env_ = Environment::Create();
};

Value Ctx(const std::string& json) { return *ValueFromJson(json); }

TEST_F(JinjaTest, PrintsValuesLikePythonStr) {
  EXPECT_EQ(Render("{{ 1 }}|{{ 1.0 }}|{{ 0.1 }}|{{ 1e20 }}|{{ none }}|{{ true }}"),
            "1|1.0|0.1|1e+20|None|True");
  EXPECT_EQ(Render("{{ ['a', 1] }}|{{ {'a': 1} }}|{{ (1,) }}"), "['a', 1]|{'a': 1}|(1,)");
}

TEST_F(JinjaTest, FloatReprBoundaries) {
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatPythonFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatPythonFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatPythonFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatPythonFloat(1.0 / 0.0), "inf");
  EXPECT_EQ(FormatPythonFloat(2.5e-7), "2.5e-07");
}

TEST_F(JinjaTest, PythonArithmetic) {
  EXPECT_EQ(
      Render("{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7.5 // 2 }}"),
      "-4 2 3.5 1024 0.5 3.0");
  EXPECT_EQ(Render("{{ 'a' ~ 1 ~ none }} {{ 'ab' * 2 }}"), "a1None abab");
}

TEST_F(JinjaTest, UndefinedPrintsEmptyButAttributeAccessFails) {
  EXPECT_EQ(Render("[{{ missing }}]{{ missing is defined }}"), "[]False");
  Status s = RenderError("select 1\n\n  {{ foo.bar }}");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "models/orders.sql:3:6: 'foo' is undefined");
}

TEST_F(JinjaTest, SyntaxErrorsCarryLineAndColumn) {
  Status s = RenderError("line one\n{% if x %}\n  {% endfor %}");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.message().rfind("models/orders.sql:3:", 0) == 0) << s.message();
  s = RenderError("{{ 1 +* 2 }}");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.message().rfind("models/orders.sql:1:7:", 0) == 0) << s.message();
  s = RenderError("{% frobnicate %}");
  EXPECT_EQ(s.message(), "models/orders.sql:1:4: Encountered unknown tag 'frobnicate'.");
}

TEST_F(JinjaTest, RuntimeErrorsPointAtTheExpression) {
  Status s = RenderError("a\nb {{ 1 // 0 }}");
  EXPECT_EQ(s.message(), "models/orders.sql:2:8: integer division or modulo by zero");
  s = RenderError("{{ [1]|nosuch }}");
  EXPECT_EQ(s.message(), "models/orders.sql:1:8: No filter named 'nosuch'.");
}

TEST_F(JinjaTest, ErrorsInsideMacrosNameTheMacroFile) {
  auto macros = env_->Compile("{% macro boom() %}\n  {{ undefined_thing.x }}\n{% endmacro %}",
                              "macros/boom.sql");
  ASSERT_TRUE(macros.ok());
  auto exported = (*macros)->Macros(Value::MakeDict());
  ASSERT_TRUE(exported.ok());
  for (auto& [name, macro] : *exported) env_->AddGlobal(name, macro);
  Status s = RenderError("select {{ boom() }}");
  EXPECT_EQ(s.message(), "macros/boom.sql:2:6: 'undefined_thing' is undefined");
}

TEST_F(JinjaTest, CompileOnceRenderManyWithDifferentContexts) {
  auto tmpl =
      env_->Compile("select * from {{ t }}{% if lim %} limit {{ lim }}{% endif %}", "m.sql");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_EQ(*(*tmpl)->Render(Ctx(R"({"t": "a"})")), "select * from a");
  EXPECT_EQ(*(*tmpl)->Render(Ctx(R"({"t": "b", "lim": 5})")), "select * from b limit 5");
}

TEST_F(JinjaTest, NativeCallablesGetPositionalAndKeywordArguments) {
  env_->AddGlobal("ref", MakeFunction("ref", [](CallArgs& args) -> Result<Value> {
                    if (args.positional.empty())
                      return Status::InvalidArgument("ref() needs a model name");
                    std::string out = "\"main\".\"" + args.positional.back().Str() + "\"";
                    if (const Value* v = args.Keyword("version")) out += "_v" + v->Str();
                    return Value::String(out);
                  }));
  EXPECT_EQ(Render("{{ ref('orders') }} {{ ref('pkg', 'users', version=2) }}"),
            "\"main\".\"orders\" \"main\".\"users\"_v2");
  Status s = RenderError("\n  {{ ref() }}");
  EXPECT_EQ(s.message(), "models/orders.sql:2:6: ref() needs a model name");
}

TEST_F(JinjaTest, EmbedderObjectsExposeAttributes) {
  auto attrs = std::make_shared<Dict>();
  attrs->Set("name", Value::String("dev"));
  attrs->Set("threads", Value::Int(4));
  env_->AddGlobal("target", Value::FromObject(std::make_shared<AttributeObject>("Target", attrs)));
  EXPECT_EQ(Render("{{ target.name }}/{{ target.threads + 1 }}/[{{ target.nope }}]"), "dev/5/[]");
}

TEST_F(JinjaTest, ContextOverridesGlobals) {
  env_->AddGlobal("x", Value::Int(1));
  EXPECT_EQ(Render("{{ x }}"), "1");
  EXPECT_EQ(Render("{{ x }}", Ctx(R"({"x": 2})")), "2");
}

TEST_F(JinjaTest, MacrosFromOneTemplateCallableFromAnotherWithCaller) {
  auto lib = env_->Compile(
      "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}"
      "{% macro twice(x) %}{{ helper(x) }}{{ helper(x) }}{% endmacro %}"
      "{% macro helper(x) %}{{ x }}{% endmacro %}",
      "macros/lib.sql");
  ASSERT_TRUE(lib.ok());
  auto macros = (*lib)->Macros(Value::MakeDict());
  ASSERT_TRUE(macros.ok());
  ASSERT_EQ(macros->size(), 3u);
  for (auto& [name, macro] : *macros) env_->AddGlobal(name, macro);
  lib->reset();  // the macros keep their template alive
  EXPECT_EQ(Render("{% call wrap('b') %}{{ twice('x') }}{% endcall %}"), "<b>xx</b>");
}

TEST_F(JinjaTest, ReturnLeavesTheMacroWithAValue) {
  EXPECT_EQ(Render("{% macro m() %}text{% do return([1, 2]) %}more{% endmacro %}{{ m()|length }}"),
            "2");
  EXPECT_FALSE(RenderError("{{ return(1) }}").ok());
}

TEST_F(JinjaTest, LoopVariables) {
  EXPECT_EQ(
      Render("{% for x in 'abc' %}{{ loop.index }}{{ loop.revindex0 }}{{ loop.cycle('-', '+') }}"
             "{% if loop.last %}!{% endif %}{% endfor %}"),
      "12-21+30-!");
  EXPECT_EQ(Render("{% for x in [1, 2] %}{% for y in [3] %}{{ loop.depth }}{% endfor %}{{ "
                   "loop.depth }}{% endfor %}"),
            "1111");
}

TEST_F(JinjaTest, WhitespaceControlAndTrailingNewline) {
  EXPECT_EQ(Render("a  {%- if true -%}  b  {%- endif -%}  c\n"), "abc");
  JinjaOptions options;
  options.trim_blocks = true;
  options.keep_trailing_newline = true;
  auto env = Environment::Create(options);
  auto tmpl = env->Compile("{% if true %}\nx\n{% endif %}\n", "t");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_EQ(*(*tmpl)->Render(Value::MakeDict()), "x\n");
}

TEST_F(JinjaTest, ListsAreSharedByReference) {
  Value ctx = Ctx(R"({"l": [1]})");
  EXPECT_EQ(Render("{% do l.append(2) %}{{ l }}", ctx), "[1, 2]");
  EXPECT_EQ(ctx.as_dict()->Find("l")->Repr(), "[1, 2]");
}

TEST_F(JinjaTest, CustomFiltersAndTests) {
  env_->AddFilter("as_bool", [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::Bool(v.Str() == "True" || v.Str() == "true");
  });
  env_->AddTest("positive",
                [](const Value& v, CallArgs&) -> Result<bool> { return v.as_double() > 0; });
  EXPECT_EQ(Render("{{ 'true'|as_bool }} {{ 3 is positive }} {{ -1 is positive }}"),
            "True True False");
}

TEST_F(JinjaTest, DatetimeNowUsesTheInjectedClock) {
  FakeClock clock(int64_t{1700000000} * 1000000);  // 2023-11-14 22:13:20 UTC
  JinjaOptions options;
  options.clock = &clock;
  auto env = Environment::Create(options);
  auto tmpl =
      env->Compile("{{ modules.datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S') }}", "t");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_EQ(*(*tmpl)->Render(Value::MakeDict()), "2023-11-14 22:13:20");
}

TEST_F(JinjaTest, StepLimitStopsRunawayLoops) {
  JinjaOptions options;
  options.max_steps = 10000;
  auto env = Environment::Create(options);
  auto tmpl = env->Compile(
      "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", "t");
  ASSERT_TRUE(tmpl.ok());
  auto out = (*tmpl)->Render(Value::MakeDict());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("steps"), std::string::npos);
}

TEST_F(JinjaTest, OutputLimitStopsExponentialStrings) {
  JinjaOptions options;
  options.max_output_bytes = 1 << 20;
  auto env = Environment::Create(options);
  auto tmpl = env->Compile(
      "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% "
      "endfor %}",
      "t");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_FALSE((*tmpl)->Render(Value::MakeDict()).ok());
  tmpl = env->Compile("{{ 'x' * 100000000 }}", "t");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_FALSE((*tmpl)->Render(Value::MakeDict()).ok());
}

TEST_F(JinjaTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  EXPECT_FALSE(env_->Compile("{{ " + deep + " }}", "t").ok());
  std::string blocks;
  for (int i = 0; i < 1000; ++i) blocks += "{% if true %}";
  EXPECT_FALSE(env_->Compile(blocks, "t").ok());
  EXPECT_FALSE(RenderError("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}").ok());
}

TEST_F(JinjaTest, ConcurrentRendersOfOneTemplate) {
  auto tmpl = env_->Compile("{% for i in range(n) %}{{ i }},{% endfor %}", "t");
  ASSERT_TRUE(tmpl.ok());
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Value ctx = Value::MakeDict();
      ctx.as_dict()->Set("n", Value::Int(100 + t));
      for (int k = 0; k < 20; ++k) outputs[t] = *(*tmpl)->Render(ctx);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    std::string expected;
    for (int i = 0; i < 100 + t; ++i) expected += std::to_string(i) + ",";
    EXPECT_EQ(outputs[t], expected);
  }
}

TEST_F(JinjaTest, JsonRoundTrip) {
  auto v = ValueFromJson(R"({"b": [1, 2.5, null, true, "x"], "a": {"k": "é"}})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Repr(), "{'b': [1, 2.5, None, True, 'x'], 'a': {'k': 'é'}}");
  EXPECT_EQ(*ValueToJson(*v, -1), R"({"a": {"k": "\u00e9"}, "b": [1, 2.5, null, true, "x"]})");
  EXPECT_FALSE(ValueFromJson("{oops").ok());
}

TEST_F(JinjaTest, RegexModule) {
  EXPECT_EQ(Render("{{ modules.re.sub('(?P<d>\\\\d+)', '<\\\\g<d>>', 'a12b3') }}"), "a<12>b<3>");
  EXPECT_EQ(Render("{{ modules.re.findall('(\\\\w)(\\\\d)', 'a1 b2') }}"),
            "[('a', '1'), ('b', '2')]");
  EXPECT_FALSE(RenderError("{{ modules.re.match('(', 'x') }}").ok());
}

TEST_F(JinjaTest, MacrosOfOtherTemplatesSeeTheCallingRendersContext) {
  auto lib = env_->Compile("{% macro this_table() %}{{ schema }}.{{ this_name }}{% endmacro %}",
                           "macros/this.sql");
  ASSERT_TRUE(lib.ok());
  auto macros = (*lib)->Macros(Ctx(R"({"schema": "from_macro_file"})"));
  ASSERT_TRUE(macros.ok());
  for (auto& [name, macro] : *macros) env_->AddGlobal(name, macro);
  // The macro file's own context wins for names it defines; the rest come
  // from the model being rendered, as dbt gives macros the node's context.
  EXPECT_EQ(Render("{{ this_table() }}", Ctx(R"({"this_name": "orders", "schema": "ignored"})")),
            "from_macro_file.orders");
  EXPECT_EQ(Render("{{ this_table() }}", Ctx(R"({"this_name": "users"})")),
            "from_macro_file.users");
}

TEST_F(JinjaTest, DbtBlockTagsDefineMacros) {
  auto lib = env_->Compile(
      "{% test not_null(model, column_name) %}select * from {{ model }} where {{ column_name }} is "
      "null"
      "{% endtest %}"
      "{% docs orders %}One row per order.{% enddocs %}"
      "{% materialization view, default %}create view {{ this }}{% endmaterialization %}"
      "{% materialization table, adapter='duckdb', supported_languages=['sql'] %}t{% "
      "endmaterialization %}",
      "macros/blocks.sql");
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  auto macros = (*lib)->Macros(Value::MakeDict());
  ASSERT_TRUE(macros.ok());
  std::vector<std::string> names;
  for (auto& [name, macro] : *macros) {
    names.push_back(name);
    env_->AddGlobal(name, macro);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"test_not_null", "docs_orders",
                                             "materialization_view_default",
                                             "materialization_table_duckdb"}));
  EXPECT_EQ(
      Render(
          "{{ test_not_null('t', 'id') }}|{{ docs_orders() }}|{{ materialization_view_default() }}",
          Ctx(R"({"this": "v"})")),
      "select * from t where id is null|One row per order.|create view v");
  EXPECT_FALSE(env_->Compile("{% materialization m %}x{% endmaterialization %}", "t").ok());
  JinjaOptions plain;
  plain.dbt_blocks = false;
  EXPECT_FALSE(Environment::Create(plain)->Compile("{% docs d %}x{% enddocs %}", "t").ok());
}

}  // namespace
}  // namespace strata::transform
