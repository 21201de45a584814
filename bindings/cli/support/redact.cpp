#include "redact.hpp"

#include <mutex>
#include <vector>

namespace rcplan::cli {
namespace {

struct secret_list {
  std::mutex lock;
  std::vector<std::string> values;
};

secret_list& secrets() {
  static secret_list s;
  return s;
}

}  // namespace

void remember_secret(const std::string& value) {
  if (value.empty()) return;
  secret_list& s = secrets();
  const std::lock_guard guard(s.lock);
  s.values.push_back(value);
}

std::string redact(std::string text) {
  secret_list& s = secrets();
  const std::lock_guard guard(s.lock);
  for (const std::string& v : s.values)
    for (std::size_t pos = text.find(v); pos != std::string::npos; pos = text.find(v, pos + 3))
      text.replace(pos, v.size(), "***");
  return text;
}

}  // namespace rcplan::cli
