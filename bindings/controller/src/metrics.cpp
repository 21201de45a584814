#include <rcplan/controller/metrics.hpp>

#include <charconv>
#include <sstream>

namespace rcplan::controller {
namespace {

/// A label value escaped as the text format wants: backslash, double quote and newline.
std::string escape(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// The shortest text that reads back as the same double, whatever the locale: a stream's six
/// significant digits would freeze _sum once it passes a million seconds.
std::string number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

const std::vector<double>& metrics::duration_buckets() {
  static const std::vector<double> b = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  return b;
}

void metrics::count_reconcile(const std::string& result, std::chrono::duration<double> took) {
  const std::lock_guard<std::mutex> g(mu_);
  ++reconciles_[result];
  const double s = took.count();
  for (std::size_t i = 0; i < duration_buckets().size(); ++i)
    if (s <= duration_buckets()[i]) ++bucket_counts_[i];
  ++duration_count_;
  duration_sum_ += s;
}

void metrics::add_moved(std::size_t slots, std::size_t keys) {
  const std::lock_guard<std::mutex> g(mu_);
  slots_moved_ += slots;
  keys_moved_ += keys;
}

void metrics::set_cluster(const std::string& ns, const std::string& name, const std::string& status, int masters) {
  const std::lock_guard<std::mutex> g(mu_);
  clusters_[{ns, name}] = cluster_series{status, masters};
}

void metrics::forget_cluster(const std::string& ns, const std::string& name) {
  const std::lock_guard<std::mutex> g(mu_);
  clusters_.erase({ns, name});
}

void metrics::set_leader(bool leader) {
  const std::lock_guard<std::mutex> g(mu_);
  leader_ = leader;
}

std::string metrics::render() const {
  const std::lock_guard<std::mutex> g(mu_);
  std::ostringstream out;
  out << "# HELP rcplan_reconcile_total Reconcile passes by result.\n# TYPE rcplan_reconcile_total counter\n";
  for (const auto& [result, n] : reconciles_)
    out << "rcplan_reconcile_total{result=\"" << escape(result) << "\"} " << n << '\n';
  out << "# HELP rcplan_reconcile_duration_seconds Duration of reconcile passes.\n"
         "# TYPE rcplan_reconcile_duration_seconds histogram\n";
  for (std::size_t i = 0; i < duration_buckets().size(); ++i)
    out << "rcplan_reconcile_duration_seconds_bucket{le=\"" << number(duration_buckets()[i]) << "\"} "
        << bucket_counts_[i] << '\n';
  out << "rcplan_reconcile_duration_seconds_bucket{le=\"+Inf\"} " << duration_count_ << '\n';
  out << "rcplan_reconcile_duration_seconds_sum " << number(duration_sum_) << '\n';
  out << "rcplan_reconcile_duration_seconds_count " << duration_count_ << '\n';
  out << "# HELP rcplan_slots_moved_total Slots migrated.\n# TYPE rcplan_slots_moved_total counter\n"
      << "rcplan_slots_moved_total " << slots_moved_ << '\n';
  out << "# HELP rcplan_keys_moved_total Keys migrated.\n# TYPE rcplan_keys_moved_total counter\n"
      << "rcplan_keys_moved_total " << keys_moved_ << '\n';
  out << "# HELP rcplan_cluster_status The status of each DistributedRedisCluster (1 for the current one).\n"
         "# TYPE rcplan_cluster_status gauge\n";
  for (const auto& [key, c] : clusters_)
    out << "rcplan_cluster_status{namespace=\"" << escape(key.first) << "\",name=\"" << escape(key.second)
        << "\",status=\"" << escape(c.status) << "\"} 1\n";
  out << "# HELP rcplan_cluster_masters numberOfMaster of each DistributedRedisCluster.\n"
         "# TYPE rcplan_cluster_masters gauge\n";
  for (const auto& [key, c] : clusters_)
    out << "rcplan_cluster_masters{namespace=\"" << escape(key.first) << "\",name=\"" << escape(key.second) << "\"} "
        << c.masters << '\n';
  out << "# HELP rcplan_leader Whether this replica leads (holds the Lease).\n# TYPE rcplan_leader gauge\n"
      << "rcplan_leader " << (leader_ ? 1 : 0) << '\n';
  return out.str();
}

}  // namespace rcplan::controller
