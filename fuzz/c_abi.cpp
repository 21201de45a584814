// The C ABI, which promises an error document and never a crash for any input: the input is
// split at its first newline into two documents (a topology, then options, a plan or a
// resource) and handed to every call that takes them.
#include "fuzz.hpp"

#include <rcplan/c.h>

#include <string>

namespace {

void call(rcplan_status (*f)(const char*, char**), const std::string& a) {
  char* out = nullptr;
  (void)f(a.c_str(), &out);
  rcplan_free(out);
}
void call(rcplan_status (*f)(const char*, const char*, char**), const std::string& a, const std::string& b) {
  char* out = nullptr;
  (void)f(a.c_str(), b.c_str(), &out);
  rcplan_free(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rcplan_fuzz::text_of(data, size));
  if (text.find('\0') != std::string::npos) return 0;  // C strings end there
  const auto cut = text.find('\n');
  const std::string first = text.substr(0, cut);
  const std::string second = cut == std::string::npos ? std::string{} : text.substr(cut + 1);
  call(rcplan_parse_cluster_nodes, text);
  call(rcplan_validate_spec, first);
  call(rcplan_desired_objects, first);
  call(rcplan_plan_repair, first);
  call(rcplan_plan_rebalance, first, second);
  call(rcplan_check_plan, first, second);
  char* out = nullptr;
  (void)rcplan_lower(first.c_str(), second.c_str(), nullptr, &out);
  rcplan_free(out);
  out = nullptr;
  (void)rcplan_reconcile(first.c_str(), second.c_str(), nullptr, &out);
  rcplan_free(out);
  return 0;
}
