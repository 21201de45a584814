#include <rcplan/controller/manager.hpp>

#include "object_fields.hpp"

#include <rcplan/controller/backup_reconciler.hpp>
#include <rcplan/controller/events.hpp>
#include <rcplan/controller/http_server.hpp>
#include <rcplan/controller/work_queue.hpp>
#include <rcplan/error.hpp>
#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/lease.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/plan/kube_objects.hpp>

#include <unistd.h>

#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace rcplan::controller {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace k8s = rcplan::kubernetes;

std::string default_identity() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "-" + std::to_string(::getpid());
}

std::string key_of(const std::string& ns, const std::string& name) { return ns + "/" + name; }

/// Work queue keys of RedisClusterBackups: "backup:" + namespace/name (clusters' are bare).
constexpr std::string_view backup_prefix = "backup:";

bool is_backup_key(const std::string& key) { return key.rfind(backup_prefix, 0) == 0; }

k8s::cluster_ref ref_of(std::string key) {
  if (is_backup_key(key)) key.erase(0, backup_prefix.size());
  const auto slash = key.find('/');
  return k8s::cluster_ref{key.substr(0, slash), key.substr(slash + 1)};
}

using detail::text_at;

}  // namespace

struct operator_manager::impl {
  k8s::cluster_access access;
  operator_options o;
  metrics stats;
  work_queue queue;
  event_recorder events;
  std::unique_ptr<http_server> http;
  std::atomic<bool> informers_stop{false};
  std::atomic<int> informers_synced{0};
  std::atomic<int> informers{0};  ///< started; /readyz waits until each has listed once
  std::atomic<bool> standby{true};
  std::vector<std::thread> threads;

  std::mutex cache_mu;
  std::map<std::string, std::string> password_secrets;  ///< resource key -> its passwordSecret name
  std::set<std::string> backups;                        ///< RedisClusterBackup keys

  impl(k8s::cluster_access a, operator_options opts)
      : access(std::move(a)),
        o(std::move(opts)),
        events("rcplan-operator", o.identity.empty() ? default_identity() : o.identity) {
    if (o.identity.empty()) o.identity = default_identity();
  }

  // --- informers ---------------------------------------------------------------------------------

  void on_resource(const k8s::watch_event& e) {
    const std::string ns = text_at(e.object, "/metadata/namespace");
    const std::string name = text_at(e.object, "/metadata/name");
    const std::string key = key_of(ns, name);
    {
      const std::lock_guard<std::mutex> g(cache_mu);
      if (e.type == "DELETED") password_secrets.erase(key);
      else password_secrets[key] = text_at(e.object, "/spec/passwordSecret/name");
    }
    if (e.type == "DELETED") stats.forget_cluster(ns, name);
    else queue.add(key);
  }

  void on_owned(const k8s::watch_event& e) {
    const json::json_pointer label("/metadata/labels/" + json::json_pointer::string_t(label_cluster_name));
    if (!e.object.contains(label) || !e.object[label].is_string()) return;
    const std::string key = key_of(text_at(e.object, "/metadata/namespace"), e.object[label].get<std::string>());
    {
      const std::lock_guard<std::mutex> g(cache_mu);
      if (password_secrets.count(key) == 0) return;  // not (or no longer) a resource we know
    }
    queue.add(key);
  }

  void on_backup(const k8s::watch_event& e) {
    const std::string key =
        std::string(backup_prefix) + key_of(text_at(e.object, "/metadata/namespace"), text_at(e.object, "/metadata/name"));
    {
      const std::lock_guard<std::mutex> g(cache_mu);
      if (e.type == "DELETED") backups.erase(key);
      else backups.insert(key);
    }
    if (e.type != "DELETED") queue.add(key);
  }

  /// A backup Job changed: its RedisClusterBackup's pass reads the outcome.
  void on_job(const k8s::watch_event& e) {
    const json::json_pointer label("/metadata/labels/" + json::json_pointer::string_t(label_backup));
    if (!e.object.contains(label) || !e.object[label].is_string()) return;
    queue.add(std::string(backup_prefix) +
              key_of(text_at(e.object, "/metadata/namespace"), e.object[label].get<std::string>()));
  }

  void on_secret(const k8s::watch_event& e) {
    const std::string ns = text_at(e.object, "/metadata/namespace");
    const std::string name = text_at(e.object, "/metadata/name");
    std::vector<std::string> keys;
    {
      const std::lock_guard<std::mutex> g(cache_mu);
      for (const auto& [key, secret] : password_secrets)
        if (!secret.empty() && secret == name && ref_of(key).namespace_name == ns) keys.push_back(key);
    }
    for (const std::string& key : keys) queue.add(key);
  }

  void start_informer(const k8s::resource_kind& kind, const std::string& selector,
                      void (impl::*handler)(const k8s::watch_event&)) {
    ++informers;
    threads.emplace_back([this, kind, selector, handler] {
      k8s::client c(access);
      k8s::follow_options fo;
      fo.label_selector = selector;
      fo.watch_timeout = o.watch_timeout;
      bool synced = false;
      fo.on_listed = [&] {
        if (!synced) ++informers_synced;
        synced = true;
      };
      fo.keep_going = [this] { return !informers_stop.load(); };
      while (!informers_stop) {
        try {
          c.follow(kind, o.namespace_name, fo, [&](const k8s::watch_event& e) {
            if (e.type != "BOOKMARK") (this->*handler)(e);
            return !informers_stop.load();
          });
        } catch (const std::exception& ex) {
          std::cerr << "rcplan operator: watching " << kind.plural << ": " << ex.what() << std::endl;
          for (int i = 0; i < 20 && !informers_stop; ++i) std::this_thread::sleep_for(100ms);
        }
      }
    });
  }

  void start_informers() {
    const std::string owned = std::string(label_app_name) + "=" + app_name;
    start_informer(k8s::kinds::distributed_redis_cluster, {}, &impl::on_resource);
    start_informer(k8s::kinds::statefulset, owned, &impl::on_owned);
    start_informer(k8s::kinds::pod, owned, &impl::on_owned);
    start_informer(k8s::kinds::secret, {}, &impl::on_secret);
    start_informer(k8s::kinds::redis_cluster_backup, {}, &impl::on_backup);
    start_informer(k8s::kinds::job, owned, &impl::on_job);
  }

  // --- workers -------------------------------------------------------------------------------------

  void requeue(const std::string& key, const pass_result& r) {
    switch (r.outcome) {
      case pass_outcome::progressing:
        queue.forget(key);
        queue.add(key);
        break;
      case pass_outcome::waiting:
        queue.forget(key);
        queue.add_after(key, o.waiting_requeue);
        break;
      case pass_outcome::error: queue.add_rate_limited(key); break;
      case pass_outcome::converged:
      case pass_outcome::blocked:
      case pass_outcome::invalid:
      case pass_outcome::deleted:
      case pass_outcome::gone: queue.forget(key); break;  // the next change or resync
    }
  }

  void work(const std::atomic<bool>& stop) {
    k8s::client c(access);
    reconciler rec(c, events, o.reconcile);
    backup_reconciler backups_rec(c, events, o.reconcile);
    while (!stop) {
      const auto key = queue.get(200ms);
      if (!key) continue;
      const auto start = std::chrono::steady_clock::now();
      pass_result r;
      const bool backup = is_backup_key(*key);
      try {
        r = backup ? backups_rec.reconcile(ref_of(*key)) : rec.reconcile(ref_of(*key));
      } catch (const std::exception& e) {
        r.outcome = pass_outcome::error;
        r.message = e.what();
      }
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      stats.count_reconcile(std::string(to_string(r.outcome)), took);
      stats.add_moved(r.slots_moved, r.keys_moved);
      const k8s::cluster_ref ref = ref_of(*key);
      if (backup) {
        // backups are not clusters: no cluster series for them
      } else if (r.outcome == pass_outcome::gone || r.outcome == pass_outcome::deleted) stats.forget_cluster(ref.namespace_name, ref.name);
      else if (!r.status.empty()) stats.set_cluster(ref.namespace_name, ref.name, r.status, r.masters);
      if (r.outcome == pass_outcome::error)
        std::cerr << "rcplan operator: " << *key << ": " << r.message << std::endl;
      if (!stop) requeue(*key, r);
      queue.done(*key);
    }
  }

  void resync_all() {
    std::vector<std::string> keys;
    {
      const std::lock_guard<std::mutex> g(cache_mu);
      for (const auto& [key, secret] : password_secrets) keys.push_back(key);
      keys.insert(keys.end(), backups.begin(), backups.end());
    }
    for (const std::string& key : keys) queue.add(key);
  }

  // --- HTTP -------------------------------------------------------------------------------------

  http_response serve(const std::string& path) {
    if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/readyz") {
      const bool ready = standby || informers_synced.load() >= informers.load();
      return {ready ? 200 : 503, "text/plain; charset=utf-8", ready ? "ok\n" : "informers not synced\n"};
    }
    if (path == "/metrics") return {200, "text/plain; version=0.0.4; charset=utf-8", stats.render()};
    return {404, "text/plain; charset=utf-8", "not found\n"};
  }

  // --- the whole ---------------------------------------------------------------------------------

  int run(const std::atomic<bool>& stop) {
    if (!o.metrics_addr.empty()) {
      http = std::make_unique<http_server>(o.metrics_addr, [this](const std::string& p) { return serve(p); });
      std::cerr << "rcplan operator " << o.identity << ": /healthz, /readyz and /metrics on port " << http->port()
                << std::endl;
    }
    k8s::client lease_client(access);
    std::optional<k8s::leader_lease> lease;
    auto renewed = std::chrono::steady_clock::now();
    if (o.leader_elect) {
      lease.emplace(lease_client, k8s::lease_options{o.lease_namespace, o.lease_name, o.identity, o.lease_duration});
      std::cerr << "rcplan operator " << o.identity << ": waiting for the Lease " << o.lease_namespace << "/"
                << o.lease_name << std::endl;
      while (!stop && !try_lease(*lease)) sleep_while(stop, 1s);
      if (stop) return 0;
      renewed = std::chrono::steady_clock::now();
      std::cerr << "rcplan operator " << o.identity << ": leading" << std::endl;
    }
    std::atomic<bool> workers_stop{false};
    start_informers();  // before leaving standby, so /readyz knows how many must list
    standby = false;
    stats.set_leader(true);
    std::vector<std::thread> workers;
    for (int i = 0; i < std::max(1, o.workers); ++i) workers.emplace_back([this, &workers_stop] { work(workers_stop); });
    int code = 0;
    auto last_resync = std::chrono::steady_clock::now();
    const auto renew_every = std::max<std::chrono::milliseconds>(o.lease_duration / 3, 500ms);
    while (!stop) {
      std::this_thread::sleep_for(100ms);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_resync >= o.resync) {
        resync_all();
        last_resync = now;
      }
      if (lease && now - renewed >= renew_every) {
        if (try_lease(*lease)) {
          renewed = now;
        } else if (now - renewed >= o.lease_duration) {
          // Another replica may take over now: stop before two leaders act.
          std::cerr << "rcplan operator " << o.identity << ": lost the Lease; stopping" << std::endl;
          code = 1;
          break;
        }
      }
    }
    // Running passes finish their wave; nothing new starts.
    workers_stop = true;
    queue.shut_down();
    for (std::thread& t : workers) t.join();
    informers_stop = true;
    for (std::thread& t : threads) t.join();
    threads.clear();
    stats.set_leader(false);
    if (lease && code == 0) {
      try {
        lease->release();
      } catch (const error& e) {
        std::cerr << "rcplan operator: releasing the Lease: " << e.what() << std::endl;
      }
    }
    return code;
  }

  static bool try_lease(k8s::leader_lease& lease) {
    try {
      return lease.try_acquire_or_renew();
    } catch (const error& e) {
      std::cerr << "rcplan operator: the Lease: " << e.what() << std::endl;
      return false;
    }
  }

  static void sleep_while(const std::atomic<bool>& stop, std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  }
};

operator_manager::operator_manager(k8s::cluster_access access, operator_options o)
    : impl_(std::make_unique<impl>(std::move(access), std::move(o))) {}

operator_manager::~operator_manager() = default;

int operator_manager::run(const std::atomic<bool>& stop) { return impl_->run(stop); }

metrics& operator_manager::stats() noexcept { return impl_->stats; }

std::uint16_t operator_manager::http_port() const noexcept { return impl_->http ? impl_->http->port() : 0; }

}  // namespace rcplan::controller
