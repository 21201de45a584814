#include "context.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace rcplan::redis::detail {

std::optional<std::string_view> info_value(std::string_view info, std::string_view name) {
  std::size_t at = 0;
  while (at < info.size()) {
    std::size_t end = info.find('\n', at);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':')
      return line.substr(name.size() + 1);
    at = end + 1;
  }
  return std::nullopt;
}

bool transient(const reply& r) noexcept {
  if (!r.is_error()) return false;
  const std::string_view code = r.error_code();
  if (code == "TRYAGAIN" || code == "LOADING" || code == "CLUSTERDOWN" || code == "MASTERDOWN" || code == "BUSY" ||
      code == "IOERR" || code == "ASK" || code == "MOVED")
    return true;
  // MIGRATE wraps the target's answer, and its own trouble reaching it, inside an ERR
  for (const char* inner : {"IOERR", "timeout", "Connection refused", "CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN"})
    if (r.str.find(inner) != std::string::npos) return true;
  return false;
}

void backoff(int attempt) {
  const int shift = std::min(attempt, 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(10 << shift, 1000)));
}

std::string command_name(const argv& a) {
  if (a.empty()) return {};
  std::string name = a[0];
  const bool sub = a.size() > 1 && (a[0] == "CLUSTER" || a[0] == "CONFIG");
  if (sub) name += " " + a[1];
  // slot numbers and parameter names say which command failed, and are never secret
  if (sub && a.size() > 2 && (a[1] == "SETSLOT" || a[1] == "SET")) name += " " + a[2];
  if (a.size() > 3 && a[1] == "SETSLOT") name += " " + a[3];
  return name;
}

argv with_password(argv a, const secret& password, bool secret_value) {
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i] != password_placeholder) continue;
    if (a[i - 1] == "AUTH" && !password.user().empty()) {
      // MIGRATE names an ACL user with AUTH2 USER PASSWORD
      a[i - 1] = "AUTH2";
      a[i] = password.reveal();
      a.insert(a.begin() + static_cast<std::ptrdiff_t>(i), password.user());
      ++i;
    } else if (a[i - 1] == "AUTH" || (secret_value && i == 3)) {
      a[i] = password.reveal();
    }
  }
  return a;
}

bool send(exec_context& ctx, node_pool& pool, std::size_t step, const node_id& node, const argv& a, reply& out) {
  const int max = std::max(ctx.options.max_retries, 0);
  for (int attempt = 0;; ++attempt) {
    std::string why;
    try {
      out = pool.get(node).command(a);
      if (!transient(out) || attempt >= max) return true;
      why = reply_text(out);
    } catch (const auth_error& e) {
      ctx.rep.diagnose(severity::error, "rcplan.redis.auth", node.value, e.what());
      return false;
    } catch (const transport_error& e) {
      pool.drop(node);
      why = e.what();
      if (attempt >= max) {
        ctx.rep.diagnose(severity::error, "rcplan.redis.unreachable", node.value,
                         "step " + std::to_string(step) + ": " + command_name(a) + " got no answer after " +
                             std::to_string(attempt + 1) + " attempts: " + why);
        return false;
      }
    }
    ctx.rep.note(progress_event::kind::retry, step, command_name(a) + " on " + short_id(node) + ": " + why);
    backoff(attempt);
  }
}

}  // namespace rcplan::redis::detail
