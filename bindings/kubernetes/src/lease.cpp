#include <rcplan/error.hpp>
#include <rcplan/kubernetes/lease.hpp>

#include <ctime>
#include <string>
#include <utility>

namespace rcplan::kubernetes {

namespace {

using nlohmann::json;

/// Now as a Kubernetes MicroTime: RFC 3339 in UTC with microseconds.
std::string micro_time_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(text, n);
  const std::string fraction = std::to_string(micros);
  // appended piecewise: GCC 12 at -O3 misreads `"." + std::string&&` as an overlapping copy
  out.push_back('.');
  out.append(6 - fraction.size(), '0');
  out.append(fraction);
  out.push_back('Z');
  return out;
}

std::string holder_of(const json& lease) {
  const auto spec = lease.value("spec", json::object());
  return spec.value("holderIdentity", std::string{});
}

std::string record_of(const json& lease) {
  const auto spec = lease.value("spec", json::object());
  return spec.value("holderIdentity", std::string{}) + "@" + spec.value("renewTime", std::string{});
}

bool lost_race(const error& e) { return e.id() == "rcplan.kubernetes.conflict"; }

}  // namespace

leader_lease::leader_lease(client& c, lease_options o) : c_(c), o_(std::move(o)) {
  if (o_.name.empty() || o_.identity.empty())
    throw error("rcplan.kubernetes.lease", "a leader lease needs a name and an identity");
}

bool leader_lease::try_acquire_or_renew() {
  const auto now = std::chrono::steady_clock::now();
  const std::string stamp = micro_time_now();
  const auto existing = c_.find(kinds::lease, o_.namespace_name, o_.name);
  held_ = false;
  try {
    if (!existing) {
      (void)c_.create({{"apiVersion", kinds::lease.api_version()},
                       {"kind", kinds::lease.kind},
                       {"metadata", {{"name", o_.name}, {"namespace", o_.namespace_name}}},
                       {"spec",
                        {{"holderIdentity", o_.identity},
                         {"leaseDurationSeconds", o_.duration.count()},
                         {"acquireTime", stamp},
                         {"renewTime", stamp},
                         {"leaseTransitions", 0}}}});
      return held_ = true;
    }
    json lease = *existing;
    const std::string holder = holder_of(lease);
    if (record_of(lease) != observed_record_) {
      observed_record_ = record_of(lease);
      observed_at_ = now;
    }
    const bool expired = now >= observed_at_ + o_.duration;
    if (holder == o_.identity) {
      lease["spec"]["renewTime"] = stamp;
      lease["spec"]["leaseDurationSeconds"] = o_.duration.count();
    } else if (holder.empty() || expired) {
      lease["spec"]["holderIdentity"] = o_.identity;
      lease["spec"]["leaseDurationSeconds"] = o_.duration.count();
      lease["spec"]["acquireTime"] = stamp;
      lease["spec"]["renewTime"] = stamp;
      lease["spec"]["leaseTransitions"] = lease["spec"].value("leaseTransitions", 0) + 1;
    } else {
      return false;  // held by another, and renewed within its duration as far as we have seen
    }
    const json stored = c_.replace(lease);  // at the version read: a rival's write wins or we do
    observed_record_ = record_of(stored);
    observed_at_ = now;
    return held_ = true;
  } catch (const error& e) {
    if (lost_race(e)) return false;
    throw;
  }
}

void leader_lease::release() {
  if (!held_) return;
  held_ = false;
  auto lease = c_.find(kinds::lease, o_.namespace_name, o_.name);
  if (!lease || holder_of(*lease) != o_.identity) return;
  (*lease)["spec"]["holderIdentity"] = "";
  try {
    (void)c_.replace(*lease);
  } catch (const error& e) {
    if (!lost_race(e)) throw;
  }
}

}  // namespace rcplan::kubernetes
