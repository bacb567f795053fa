// jinja_bench: compile + render a generated dbt-like project (2,000 model
// templates calling shared macros) with Strata's Jinja engine, against
// python3-jinja2 rendering the same files in a subprocess (configured as
// dbt configures it). Each side reports its own process CPU time for one
// pass (compile + render of every model); the headline is the median of
// per-pair ratios strata/jinja2 (lower is faster).
//
// Flags: --models=2000 --pairs=5
#include <fstream>
#include <sstream>

#include "bench_util.h"
#include "transform/jinja.h"

namespace strata::bench {
namespace {

using transform::Environment;
using transform::Value;

const char* kMacros = R"({% macro star(cols, except=[], alias=none) -%}
{%- for c in cols if c|lower not in except %}
    {% if alias %}{{ alias }}.{% endif %}"{{ c }}"{{ ',' if not loop.last }}
{%- endfor -%}
{%- endmacro %}
{% macro surrogate_key(fields) -%}
md5(concat({% for f in fields %}coalesce(cast({{ f }} as varchar), '_null_'){{ ", '-', " if not loop.last }}{% endfor %}))
{%- endmacro %}
{% macro cents_to_dollars(col, scale=2) -%}({{ col }} / 100)::numeric(16, {{ scale }}){%- endmacro %}
{% macro ref(name) -%}{% do return('"' ~ target.database ~ '"."' ~ target.schema ~ '"."' ~ name ~ '"') %}{%- endmacro %}
)";

std::string ModelTemplate(int i) {
  std::ostringstream t;
  t << "{%- set model_name = 'model_" << i << "' -%}\n"
    << "{%- set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] -%}\n"
    << "with source as (\n    select {{ star(columns, except=['_loaded_at'], alias='s') }}\n"
    << "    from {{ ref('stg_" << (i % 97) << "') }} as s\n),\n"
    << "pivoted as (\n    select\n        order_id,\n"
    << "        {% for m in payment_methods -%}\n"
    << "        sum(case when payment_method = '{{ m }}' then {{ cents_to_dollars('amount') }} "
       "else 0 end) as "
       "{{ m }}_amount,\n"
    << "        {% endfor -%}\n        {{ surrogate_key(['order_id', 'customer_id']) }} as sk\n"
    << "    from source\n    group by order_id\n)\n"
    << "select * from pivoted\n"
    << "{% if target.name == 'dev' %}limit {{ var_limit | default(100) }}{% endif %}\n"
    << "-- {{ model_name | upper }} {{ columns | length }} columns, {{ meta | tojson }}\n";
  return t.str();
}

const char* kPythonSide = R"(import datetime, json, os, re, sys, time
import jinja2
from jinja2.runtime import Macro
class MacroReturn(Exception):
    def __init__(self, value):
        self.value = value
def _return(value=None):
    raise MacroReturn(value)
_orig = Macro._invoke
def _invoke(self, arguments, autoescape):
    try:
        return _orig(self, arguments, autoescape)
    except MacroReturn as e:
        return e.value
Macro._invoke = _invoke
d = sys.argv[1]
ctx = json.load(open(os.path.join(d, 'context.json')))
macros_src = open(os.path.join(d, 'macros.sql')).read()
models = sorted(n for n in os.listdir(d) if n.startswith('model_'))
sources = [open(os.path.join(d, n)).read() for n in models]
start = time.process_time()
env = jinja2.Environment(extensions=['jinja2.ext.do', 'jinja2.ext.loopcontrols'])
env.globals['return'] = _return
env.globals['modules'] = {'datetime': datetime, 're': re}
module = env.from_string(macros_src).make_module(vars=ctx)
for name in dir(module):
    if isinstance(getattr(module, name), Macro):
        env.globals[name] = getattr(module, name)
total = 0
for s in sources:
    total += len(env.from_string(s).render(**ctx))
print(json.dumps({'cpu': time.process_time() - start, 'bytes': total}))
)";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
  if (!out) Die("cannot write " + path);
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata::bench;
  int64_t models = 2000, pairs = 5;
  for (int i = 1; i < argc; ++i) {
    if (!IntFlag(argv[i], "models", &models) && !IntFlag(argv[i], "pairs", &pairs))
      Die(std::string("unknown flag ") + argv[i]);
  }
  TempDir dir("jinja_bench");
  const std::string context_json =
      R"({"columns": ["order_id", "customer_id", "payment_method", "amount", "_loaded_at", "status"],)"
      R"( "target": {"name": "dev", "schema": "analytics", "database": "warehouse"},)"
      R"( "meta": {"owner": "data", "tags": ["core", "finance"]}})";
  WriteFile(dir.path() + "/context.json", context_json);
  WriteFile(dir.path() + "/macros.sql", kMacros);
  std::vector<std::string> sources;
  for (int64_t i = 0; i < models; ++i) {
    sources.push_back(ModelTemplate(static_cast<int>(i)));
    char name[64];
    std::snprintf(name, sizeof(name), "/model_%05lld.sql", static_cast<long long>(i));
    WriteFile(dir.path() + name, sources.back());
  }
  WriteFile(dir.path() + "/render.py", kPythonSide);
  Value context = ValueOrDie(strata::transform::ValueFromJson(context_json), "context");

  size_t strata_bytes = 0;
  auto strata_pass = [&] {
    auto env = Environment::Create();
    auto macros = ValueOrDie(env->Compile(kMacros, "macros.sql"), "compile macros");
    for (auto& [name, macro] : ValueOrDie(macros->Macros(context), "macros"))
      env->AddGlobal(name, macro);
    size_t bytes = 0;
    for (size_t i = 0; i < sources.size(); ++i) {
      auto tmpl = ValueOrDie(env->Compile(sources[i], "model.sql"), "compile");
      bytes += ValueOrDie(tmpl->Render(context), "render").size();
    }
    strata_bytes = bytes;
  };
  std::vector<double> ours, theirs, ratios;
  size_t python_bytes = 0;
  auto python_pass = [&]() -> double {
    std::string cmd =
        "python3 " + dir.path() + "/render.py " + dir.path() + " > " + dir.path() + "/out.json";
    if (std::system(cmd.c_str()) != 0)
      Die("python3-jinja2 side failed (is python3-jinja2 installed?)");
    std::string out = ReadAll(dir.path() + "/out.json");
    Value v = ValueOrDie(strata::transform::ValueFromJson(out), "python output");
    python_bytes = static_cast<size_t>(v.as_dict()->Find("bytes")->as_int());
    return v.as_dict()->Find("cpu")->as_double();
  };
  for (int64_t p = 0; p < pairs; ++p) {
    double py = 0, st = 0;
    for (int pass = 0; pass < 2; ++pass) {
      if ((pass == 0) == (p % 2 == 0)) {
        Stopwatch sw;
        strata_pass();
        st = sw.Cpu();
      } else {
        py = python_pass();
      }
    }
    ours.push_back(st);
    theirs.push_back(py);
    ratios.push_back(st / py);
  }
  if (strata_bytes != python_bytes) {
    std::fprintf(stderr, "warning: output sizes differ: strata %zu bytes, jinja2 %zu bytes\n",
                 strata_bytes, python_bytes);
  }
  std::printf("jinja_bench: %lld models, %lld pairs, %zu output bytes per pass\n",
              static_cast<long long>(models), static_cast<long long>(pairs), strata_bytes);
  std::printf("  strata   compile+render: median %.3f s CPU per pass, %.1f us per template\n",
              Median(ours), Median(ours) / static_cast<double>(models) * 1e6);
  std::printf("  jinja2   compile+render: median %.3f s CPU per pass, %.1f us per template\n",
              Median(theirs), Median(theirs) / static_cast<double>(models) * 1e6);
  std::printf("  ratio strata/jinja2 CPU: %.3f (min %.3f, max %.3f)  -> %.1fx faster\n",
              Median(ratios), Min(ratios), Max(ratios), 1.0 / Median(ratios));
  return 0;
}
