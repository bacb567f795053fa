// Levenshtein distance, for "did you mean" suggestions (unknown config keys,
// refs and nodes).
#pragma once

#include <cstddef>
#include <string_view>

namespace strata {

// The fewest single-character insertions, deletions and substitutions that
// turn `a` into `b` (bytes, not code points). O(|a| * |b|) time, O(|b|)
// memory. Thread-safe.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace strata
