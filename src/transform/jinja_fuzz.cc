// Fuzz target: compiles and renders arbitrary template text. No input may
// crash or hang: parse depth, call depth, steps and output size are bounded.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transform/jinja.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::transform;
  static const auto env = [] {
    JinjaOptions options;
    options.max_steps = 20000;
    options.max_output_bytes = 1 << 20;
    options.max_call_depth = 50;
    return Environment::Create(options);
  }();
  std::string_view source(reinterpret_cast<const char*>(data), size);
  auto tmpl = env->Compile(source, "fuzz");
  if (!tmpl.ok()) return 0;
  Value context = Value::MakeDict();
  context.as_dict()->Set("items",
                         Value::MakeList({Value::Int(1), Value::String("a"), Value::None()}));
  context.as_dict()->Set("d", Value::MakeDict());
  auto out = (*tmpl)->Render(context);
  (void)out.ok();
  return 0;
}
