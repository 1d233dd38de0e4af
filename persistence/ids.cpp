#include "persistence/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>

namespace sagemcp::persistence {

std::string make_uuid() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // OpenSSL fails only when it cannot seed; the OS entropy source is still a sound fallback.
    std::random_device entropy;
    for (auto& byte : bytes) {
      byte = static_cast<unsigned char>(entropy());
    }
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0fU) | 0x40U); // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3fU) | 0x80U); // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string result;
  result.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      result += '-';
    }
    result += hex[bytes[i] >> 4U];
    result += hex[bytes[i] & 0x0fU];
  }
  return result;
}

std::string now_iso8601() {
  return to_iso8601(std::chrono::system_clock::now());
}

} // namespace sagemcp::persistence
