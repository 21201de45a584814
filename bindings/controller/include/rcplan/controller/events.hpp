#pragma once

// Events on a resource (core/v1 Event, what `kubectl describe` shows), deduplicated: an event
// with the reason and message of one sent about the same object within `repeat_after` is not
// sent again, so a plan that waits for minutes says so once. Shared by the operator's
// workers (thread-safe); messages come from plans and diagnostics, which never hold a secret.

#include <rcplan/kubernetes/client.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace rcplan::controller {

enum class event_type { normal, warning };

class event_recorder {
 public:
  /// `component`: the reporting controller; `instance`: this replica (its pod name).
  event_recorder(std::string component, std::string instance,
                 std::chrono::seconds repeat_after = std::chrono::seconds(600));

  /// Records the event unless it repeats one sent recently about `involved` (an object
  /// with apiVersion, kind and metadata name, namespace, uid). Returns whether it was sent.
  /// A failure to send is logged to stderr and reported as not sent: events are advisory.
  bool record(kubernetes::client& c, const nlohmann::json& involved, event_type type, const std::string& reason,
              const std::string& message);
  /// Forgets what was sent about the object with this uid (it was deleted).
  void forget(const std::string& uid);

 private:
  std::string component_;
  std::string instance_;
  std::mutex mu_;
  std::chrono::seconds repeat_after_;
  /// (uid, reason + message) -> when it was last sent
  std::map<std::pair<std::string, std::string>, std::chrono::steady_clock::time_point> sent_;
};

}  // namespace rcplan::controller
