#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sagemcp::connectors {

/// Checks a value against a JSON Schema: the keywords tool schemas use (type, properties,
/// required, additionalProperties, items, enum, const, minimum, maximum, exclusiveMinimum,
/// exclusiveMaximum, multipleOf, minLength, maxLength, pattern, minItems, maxItems, uniqueItems,
/// minProperties, maxProperties, allOf, anyOf, oneOf, not); annotations and formats are ignored.
/// Returns nullopt when it conforms, else the first violation as a message that names the field
/// by its path (`'labels[2]'`, `'options.mode'`) and never repeats the offending value.
std::optional<std::string> validate(const boost::json::value& instance,
                                    const boost::json::value& schema);

/// Problems of a schema itself: keywords with the wrong kind of value, `required` names
/// without a property, patterns that do not compile. Empty when it is sound.
std::vector<std::string> check_schema(const boost::json::value& schema);

} // namespace sagemcp::connectors
