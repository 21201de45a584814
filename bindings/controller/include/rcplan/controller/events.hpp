#pragma once

// Events on a resource (core/v1 Event, what `kubectl describe` shows), deduplicated: an event
// whose reason and message are those of the last event of that reason on the same object is
// not sent again, so a plan that waits for minutes says so once. Shared by the operator's
// workers (thread-safe); messages come from plans and diagnostics, which never hold a secret.

#include <rcplan/kubernetes/client.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace rcplan::controller {

enum class event_type { normal, warning };

class event_recorder {
 public:
  /// `component`: the reporting controller; `instance`: this replica (its pod name).
  event_recorder(std::string component, std::string instance);

  /// Records the event unless it repeats the last one of its reason on `involved` (an object
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
  std::map<std::pair<std::string, std::string>, std::string> last_;  ///< (uid, reason) -> message
};

}  // namespace rcplan::controller
