// UTF-8 validation, for bytes from outside that DuckDB will treat as VARCHAR
// (DuckDB assumes its strings are valid UTF-8 and does not check again).
#pragma once

#include <cstddef>
#include <string_view>

namespace strata {

// The offset of the first byte of `text` that does not begin (or continue)
// a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), or npos when all of it is well formed.
// Thread-safe.
size_t FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

}  // namespace strata
