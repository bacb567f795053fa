// Turns the token stream of a template into its syntax tree, with Jinja2's
// grammar and operator precedence.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/jinja_ast.h"
#include "transform/jinja_lexer.h"

namespace strata::transform {

// Parses `tokens` (from Tokenize). On a syntax error returns InvalidArgument
// "<name>:<line>:<col>: <what>". Nesting deeper than `max_depth` is an error,
// so hostile input cannot exhaust the stack. `dbt_blocks` enables dbt's
// {% test %}, {% docs %} and {% materialization %} tags.
Result<NodeList> Parse(const std::vector<Token>& tokens, std::string_view template_name,
                       int max_depth, bool dbt_blocks);

}  // namespace strata::transform
