#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace sagemcp::connectors {

// ASCII case folding for the names of protocols (header fields, schemes, media types), which are
// case-insensitive and never need a locale.

/// Whether two strings are equal ignoring ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

/// The text with ASCII letters in lower case.
inline std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

} // namespace sagemcp::connectors
