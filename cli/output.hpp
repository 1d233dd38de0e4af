#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::cli {

/// How results are printed.
enum class output_format : uint8_t { table, json, yaml };

/// Parses "table", "json" or "yaml"; false for anything else.
bool parse_format(std::string_view text, output_format& out);

/// One column of a table: its heading and the member it shows (dots reach into objects).
struct column {
  std::string heading;
  std::string path;
};

/// JSON with two-space indentation.
std::string pretty_json(const boost::json::value& value);

/// A YAML document for a JSON value: block style, strings quoted whenever YAML would read them
/// as anything other than the same string.
std::string to_yaml(const boost::json::value& value);

/// The text of a value in a table cell: strings as they are, null as "-", arrays joined by commas.
std::string cell_text(const boost::json::value& value);

/// The member at a dotted path of an object; nullptr when absent.
const boost::json::value* member_at(const boost::json::value& value, std::string_view path);

/// Aligned columns separated by two spaces; the heading line bold when `color`.
std::string render_table(const std::vector<std::string>& headings,
                         const std::vector<std::vector<std::string>>& rows, bool color);

/// Writes results in the chosen format.
class printer {
public:
  printer(std::ostream& out, output_format format, bool color);

  /// Prints an array as a table of `columns`, or as JSON or YAML.
  void list(const boost::json::value& value, const std::vector<column>& columns) const;
  /// Prints an object as a two-column field/value table, or as JSON or YAML.
  void object(const boost::json::value& value) const;
  /// Prints a value in JSON or YAML; in table format calls `as_text` instead.
  void value(const boost::json::value& value, std::string_view as_text) const;

  [[nodiscard]] output_format format() const {
    return format_;
  }
  [[nodiscard]] bool color() const {
    return color_;
  }
  [[nodiscard]] std::ostream& out() const {
    return *out_;
  }
  /// Text in green (success) or red (failure) when colour is on.
  [[nodiscard]] std::string paint(std::string_view text, bool good) const;

private:
  void structured(const boost::json::value& value) const;

  std::ostream* out_;
  output_format format_;
  bool color_;
};

} // namespace sagemcp::cli
