#include <rcplan/error.hpp>
#include <rcplan/redis/tls.hpp>

#include <fstream>
#include <string>

namespace rcplan::redis {

namespace {

void check_readable(const std::filesystem::path& file, const char* what) {
  if (file.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw error("rcplan.redis.tls", std::string{what} + " " + file.string() + " does not exist or is not a file");
  if (!std::ifstream{file}.good())
    throw error("rcplan.redis.tls", std::string{what} + " " + file.string() + " cannot be read");
}

}  // namespace

void check_tls_options(const tls_options& o) {
  if (!o.enabled) return;
  check_readable(o.ca_file, "the TLS CA file");
  check_readable(o.cert_file, "the TLS client certificate");
  check_readable(o.key_file, "the TLS client key");
  if (o.cert_file.empty() != o.key_file.empty())
    throw error("rcplan.redis.tls", o.cert_file.empty() ? "a TLS client key needs its certificate (cert_file)"
                                                        : "a TLS client certificate needs its key (key_file)");
}

}  // namespace rcplan::redis
