#include <rcplan/error.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/spec/validate.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

namespace rcplan::redis {

secret read_password_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("rcplan.redis.password_file", "cannot read the password file " + path.string());
  std::string line;
  std::getline(in, line);
  if (in.bad()) throw error("rcplan.redis.password_file", "cannot read the password file " + path.string());
  // files written on other systems end their line with CRLF; the CR is not part of the password
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return secret{std::move(line)};
}

void check_user_name(const std::string& name, const std::string& where) {
  if (name.empty()) throw error("rcplan.redis.user", where + ": the ACL user name is empty");
  if (!acl_user_name_ok(name))
    throw error("rcplan.redis.user", where + ": the ACL user name holds a space, a quote or a control character");
}

secret password_from_env(std::string_view name) {
  const std::string key{name};
  const char* value = std::getenv(key.c_str());
  return value == nullptr ? secret{} : secret{std::string{value}};
}

}  // namespace rcplan::redis
