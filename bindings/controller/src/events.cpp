#include <rcplan/controller/events.hpp>

#include <rcplan/error.hpp>
#include <rcplan/kubernetes/resources.hpp>

#include <rcplan/kubernetes/timestamps.hpp>

#include <iostream>

namespace rcplan::controller {

event_recorder::event_recorder(std::string component, std::string instance, std::chrono::seconds repeat_after)
    : component_(std::move(component)), instance_(std::move(instance)), repeat_after_(repeat_after) {}

bool event_recorder::record(kubernetes::client& c, const nlohmann::json& involved, event_type type,
                            const std::string& reason, const std::string& message) {
  const nlohmann::json& meta = involved.at("metadata");
  const std::string uid = meta.value("uid", "");
  {
    const std::lock_guard<std::mutex> g(mu_);
    const auto now = std::chrono::steady_clock::now();
    const auto [it, fresh] = sent_.try_emplace({uid, reason + "\n" + message}, now);
    if (!fresh && now - it->second < repeat_after_) return false;
    it->second = now;
  }
  const std::string now = kubernetes::now_rfc3339();
  // The API server limits an event's message to 1 KiB.
  const std::string text = message.size() > 1000 ? message.substr(0, 997) + "..." : message;
  const nlohmann::json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"generateName", meta.value("name", "") + "."}, {"namespace", meta.value("namespace", "")}}},
      {"involvedObject",
       {{"apiVersion", involved.value("apiVersion", "")},
        {"kind", involved.value("kind", "")},
        {"name", meta.value("name", "")},
        {"namespace", meta.value("namespace", "")},
        {"uid", uid},
        {"resourceVersion", meta.value("resourceVersion", "")}}},
      {"reason", reason},
      {"message", text},
      {"type", type == event_type::normal ? "Normal" : "Warning"},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
      {"source", {{"component", component_}}},
      {"reportingComponent", component_},
      {"reportingInstance", instance_}};
  try {
    (void)c.create(event);
    return true;
  } catch (const error& e) {
    std::cerr << "rcplan operator: event " << reason << " on " << meta.value("namespace", "") << "/"
              << meta.value("name", "") << " not recorded: " << e.what() << std::endl;
    return false;
  }
}

void event_recorder::forget(const std::string& uid) {
  const std::lock_guard<std::mutex> g(mu_);
  for (auto it = sent_.begin(); it != sent_.end();) it = it->first.first == uid ? sent_.erase(it) : std::next(it);
}

}  // namespace rcplan::controller
