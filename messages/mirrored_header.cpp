#include "messages/mirrored_header.hpp"

#include "messages/errc.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>

namespace sagemcp {

namespace {

// Drops the optional whitespace (spaces and tabs) around a header value.
std::string_view trim_ows(std::string_view x) {
  auto first = x.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return x.substr(first, x.find_last_not_of(" \t") - first + 1);
}

} // namespace

std::optional<std::string> decode_header_value(std::string_view value) {
  value = trim_ows(value);
  constexpr std::string_view prefix = "=?base64?";
  constexpr std::string_view suffix = "?=";
  if (!value.starts_with(prefix) || !value.ends_with(suffix)
      || value.size() < prefix.size() + suffix.size()) {
    return std::string{value};
  }
  auto encoded = value.substr(prefix.size(), value.size() - prefix.size() - suffix.size());
  if (encoded.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(encoded.size() / 4 * 3, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<uint8_t*>(out.data()),
                           reinterpret_cast<const uint8_t*>(encoded.data()),
                           static_cast<int>(encoded.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the bytes that padding stands for.
  auto padding = static_cast<size_t>(
    std::count(encoded.end() - std::min<size_t>(2, encoded.size()), encoded.end(), '='));
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

caf::error header_mismatch(std::string_view header, std::string_view sent, std::string_view body) {
  boost::json::object detail{{"header", header}, {"body", body}};
  if (!sent.empty()) {
    detail["value"] = sent;
  }
  std::string message = "Header mismatch: ";
  message += header;
  message += sent.empty() ? " is missing" : " does not match the request body";
  return make_error(errc::header_mismatch, std::move(message),
                    boost::json::serialize(boost::json::object{{"mismatch", std::move(detail)}}));
}

} // namespace sagemcp
