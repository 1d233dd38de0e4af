#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::cli {

/// The JSON type a tool's inputSchema gives a property ("string", "integer", "number",
/// "boolean", "object", "array"); empty when the schema does not say.
std::string property_type(const boost::json::value& schema, std::string_view name);

/// Converts one textual value to the JSON type `type` names. Returns false with `error` set when
/// the text is no value of that type. Without a type, text that parses as JSON stays text.
bool typed_value(std::string_view type, std::string_view text, boost::json::value& out,
                 std::string& error);

/// Builds tool arguments from `key=value` pairs typed by the tool's inputSchema. Returns false
/// with `error` set for a pair without `=` or a value of the wrong type.
bool arguments_from_pairs(const std::vector<std::string>& pairs, const boost::json::value& schema,
                          boost::json::object& out, std::string& error);

/// Splits `key=value`; false when there is no `=` or the key is empty.
bool split_pair(std::string_view pair, std::string& key, std::string& value);

} // namespace sagemcp::cli
