#include "cli/output.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace sagemcp::cli {

namespace json = boost::json;

bool parse_format(std::string_view text, output_format& out) {
  if (text == "table") {
    out = output_format::table;
  } else if (text == "json") {
    out = output_format::json;
  } else if (text == "yaml") {
    out = output_format::yaml;
  } else {
    return false;
  }
  return true;
}

namespace {

void pretty(std::string& out, const json::value& value, int indent) {
  auto pad = [&out](int n) {
    out.append(static_cast<size_t>(n) * 2, ' ');
  };
  if (const auto* obj = value.if_object(); obj != nullptr && !obj->empty()) {
    out += "{\n";
    size_t i = 0;
    for (const auto& [key, member] : *obj) {
      pad(indent + 1);
      out += json::serialize(json::string{key});
      out += ": ";
      pretty(out, member, indent + 1);
      out += ++i < obj->size() ? ",\n" : "\n";
    }
    pad(indent);
    out += '}';
  } else if (const auto* arr = value.if_array(); arr != nullptr && !arr->empty()) {
    out += "[\n";
    for (size_t i = 0; i < arr->size(); ++i) {
      pad(indent + 1);
      pretty(out, (*arr)[i], indent + 1);
      out += i + 1 < arr->size() ? ",\n" : "\n";
    }
    pad(indent);
    out += ']';
  } else {
    out += json::serialize(value);
  }
}

// Whether a plain scalar would read back as this same string in YAML 1.1 and 1.2.
bool plain_safe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') {
    return false;
  }
  static constexpr std::string_view indicators = "-?:,[]{}#&*!|>'\"%@`";
  if (indicators.find(s.front()) != std::string_view::npos) {
    return false;
  }
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos
      || s.back() == ':') {
    return false;
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      return false;
    }
  }
  std::string lower;
  for (unsigned char c : s) {
    lower += static_cast<char>(std::tolower(c));
  }
  static constexpr std::string_view words[] = {"true", "false", "yes", "no",   "on",   "off",  "y",
                                               "n",    "null",  "~",   ".nan", ".inf", "-.inf"};
  if (std::find(std::begin(words), std::end(words), lower) != std::end(words)) {
    return false;
  }
  // Anything that starts like a number (ints, floats, dates, octals) is quoted to stay a string.
  return std::isdigit(static_cast<unsigned char>(s.front())) == 0
         && !(s.front() == '.' && s.size() > 1
              && std::isdigit(static_cast<unsigned char>(s[1])) != 0)
         && !(s.front() == '+' || s.front() == '=');
}

std::string yaml_scalar(const json::value& value) {
  if (const auto* str = value.if_string()) {
    std::string_view s = *str;
    // JSON string syntax is a valid YAML double-quoted scalar.
    return plain_safe(s) ? std::string{s} : json::serialize(value);
  }
  return json::serialize(value);
}

bool is_block(const json::value& value) {
  return (value.is_object() && !value.as_object().empty())
         || (value.is_array() && !value.as_array().empty());
}

void yaml(std::string& out, const json::value& value, int indent) {
  auto pad = [&out](int n) {
    out.append(static_cast<size_t>(n) * 2, ' ');
  };
  if (const auto* obj = value.if_object(); obj != nullptr && !obj->empty()) {
    for (const auto& [key, member] : *obj) {
      pad(indent);
      out += yaml_scalar(json::string{key});
      out += ':';
      if (is_block(member)) {
        out += '\n';
        yaml(out, member, member.is_array() ? indent : indent + 1);
      } else {
        out += ' ' + yaml_scalar(member) + '\n';
      }
    }
  } else if (const auto* arr = value.if_array(); arr != nullptr && !arr->empty()) {
    for (const auto& item : *arr) {
      pad(indent);
      out += "-";
      if (is_block(item)) {
        // The first line of a nested block follows the dash; the rest align under it.
        std::string nested;
        yaml(nested, item, indent + 1);
        out += ' ' + nested.substr(static_cast<size_t>(indent + 1) * 2);
      } else {
        out += ' ' + yaml_scalar(item) + '\n';
      }
    }
  } else {
    pad(indent);
    out += yaml_scalar(value) + '\n';
  }
}

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0U) != 0x80U ? 1 : 0;
  }
  return n;
}

} // namespace

std::string pretty_json(const json::value& value) {
  std::string out;
  pretty(out, value, 0);
  return out;
}

std::string to_yaml(const json::value& value) {
  std::string out;
  yaml(out, value, 0);
  return out;
}

std::string cell_text(const json::value& value) {
  if (value.is_null()) {
    return "-";
  }
  if (const auto* str = value.if_string()) {
    return std::string{*str};
  }
  if (const auto* arr = value.if_array()) {
    std::string out;
    for (const auto& item : *arr) {
      out += out.empty() ? "" : ", ";
      out += cell_text(item);
    }
    return out;
  }
  if (const auto* obj = value.if_object()) {
    std::string out;
    for (const auto& [key, member] : *obj) {
      out += out.empty() ? "" : ", ";
      out += std::string{key} + "=" + cell_text(member);
    }
    return out;
  }
  return json::serialize(value);
}

const json::value* member_at(const json::value& value, std::string_view path) {
  const json::value* at = &value;
  while (!path.empty()) {
    auto dot = path.find('.');
    auto name = path.substr(0, dot);
    const auto* obj = at->if_object();
    at = obj != nullptr ? obj->if_contains(name) : nullptr;
    if (at == nullptr) {
      return nullptr;
    }
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return at;
}

std::string render_table(const std::vector<std::string>& headings,
                         const std::vector<std::vector<std::string>>& rows, bool color) {
  std::vector<size_t> widths;
  widths.reserve(headings.size());
  for (const auto& h : headings) {
    widths.push_back(display_width(h));
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool heading) {
    std::string text;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string& cell = i < cells.size() ? cells[i] : std::string{};
      text += cell;
      if (i + 1 < widths.size()) {
        text.append(widths[i] - display_width(cell) + 2, ' ');
      }
    }
    while (!text.empty() && text.back() == ' ') {
      text.pop_back();
    }
    out += heading && color ? "\x1b[1m" + text + "\x1b[0m" : text;
    out += '\n';
  };
  line(headings, true);
  for (const auto& row : rows) {
    line(row, false);
  }
  return out;
}

printer::printer(std::ostream& out, output_format format, bool color)
  : out_(&out),
    format_(format),
    color_(color) {
  // nop
}

void printer::structured(const json::value& value) const {
  if (format_ == output_format::yaml) {
    *out_ << to_yaml(value);
  } else {
    *out_ << pretty_json(value) << '\n';
  }
}

void printer::list(const json::value& value, const std::vector<column>& columns) const {
  if (format_ != output_format::table) {
    structured(value);
    return;
  }
  std::vector<std::string> headings;
  headings.reserve(columns.size());
  for (const auto& c : columns) {
    headings.push_back(c.heading);
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto* arr = value.if_array()) {
    for (const auto& item : *arr) {
      std::vector<std::string> row;
      for (const auto& c : columns) {
        const auto* at = member_at(item, c.path);
        row.push_back(at != nullptr ? cell_text(*at) : (c.path.empty() ? cell_text(item) : "-"));
      }
      rows.push_back(std::move(row));
    }
  }
  *out_ << render_table(headings, rows, color_);
}

void printer::object(const json::value& value) const {
  if (format_ != output_format::table) {
    structured(value);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto* obj = value.if_object()) {
    for (const auto& [key, member] : *obj) {
      rows.push_back({std::string{key}, cell_text(member)});
    }
  }
  *out_ << render_table({"FIELD", "VALUE"}, rows, color_);
}

void printer::value(const json::value& value, std::string_view as_text) const {
  if (format_ != output_format::table) {
    structured(value);
    return;
  }
  *out_ << as_text;
  if (!as_text.empty() && as_text.back() != '\n') {
    *out_ << '\n';
  }
}

std::string printer::paint(std::string_view text, bool good) const {
  if (!color_) {
    return std::string{text};
  }
  return std::string{good ? "\x1b[32m" : "\x1b[31m"} + std::string{text} + "\x1b[0m";
}

} // namespace sagemcp::cli
