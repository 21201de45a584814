#include <rcplan/error.hpp>
#include <rcplan/redis/observe.hpp>

#include <charconv>
#include <string>

namespace rcplan::redis {

namespace {

[[noreturn]] void bad_address(std::string_view text, const std::string& why) {
  throw error("rcplan.redis.address", "\"" + std::string{text} + "\" is not host:port (" + why + ")");
}

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
    bad_address(whole, "the port must be a number from 1 to 65535");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

address parse_address(std::string_view text) {
  std::string_view host, rest;
  if (text.starts_with('[')) {  // [IPv6]:port
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      bad_address(text, "an IPv6 host is written [host]:port");
    host = text.substr(1, close - 1);
    rest = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) bad_address(text, "no port");
    host = text.substr(0, colon);
    rest = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) bad_address(text, "an IPv6 host is written [host]:port");
  }
  if (host.empty()) bad_address(text, "no host");
  address a;
  a.host = std::string{host};
  // `host:port@bus` as CLUSTER NODES prints it is accepted too
  const std::size_t at = rest.find('@');
  a.port = parse_port(rest.substr(0, at), text);
  if (at != std::string_view::npos) a.bus_port = parse_port(rest.substr(at + 1), text);
  return a;
}

}  // namespace rcplan::redis
