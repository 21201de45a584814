#pragma once

// Test support: a private network of test hosts on one machine, for faults that loopback cannot
// show. Each host is a network namespace of the test's own with one veth link to a bridge in a
// hub namespace; the test process (the executor) joins the bridge with one more veth and an
// address of its own. The subnet, 10.213.K.0/24, belongs to this network alone (K is claimed
// by creating the executor's link, which fails when another test holds it).
//
// Faults, all inside the hosts' namespaces (the machine's own firewall is never touched):
// - block: packets between two hosts (or a host and the executor) are dropped silently, in
//   both directions, as a partition does: connections hang rather than fail fast;
// - lossy: a share of a host's packets is dropped at random (nftables' numgen);
// - throttle: a host's link runs at a low rate (tc tbf on both ends), so that traffic queues.
//   The kernel the tests run on has no netem qdisc (CONFIG_NET_SCH_NETEM), so delay comes
//   from a narrow link under load rather than from a fixed added latency.
// heal() lifts every fault at once. Needs root, iproute2 and nftables; unavailable() says why
// not when something is missing.

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcplan_test {

class test_network {
 public:
  /// The index that stands for the test process itself in block().
  static constexpr int executor = -1;

  /// Why this machine cannot run a test_network, or empty when it can.
  [[nodiscard]] static std::string unavailable() {
    if (::geteuid() != 0) return "network namespaces need root";
    if (!succeeds("command -v ip")) return "ip (iproute2) is not installed";
    if (!succeeds("command -v nft")) return "nft (nftables) is not installed";
    const std::string probe = "rcplan-probe-" + std::to_string(::getpid());
    if (!succeeds("ip netns add " + probe)) return "this machine refuses `ip netns add`";
    const bool nft = succeeds("ip netns exec " + probe + " nft add table inet rcplan");
    (void)succeeds("ip netns del " + probe);
    return nft ? std::string{} : "nftables does not work in a network namespace here";
  }

  explicit test_network(int hosts) : prefix_("rcplan-" + std::to_string(::getpid()) + "-") {
    if (const std::string why = unavailable(); !why.empty()) throw std::runtime_error("test_network: " + why);
    sweep_stale();
    claim_subnet();
    try {
      run("ip netns add " + hub());
      run("ip -n " + hub() + " link add br0 type bridge");
      run("ip -n " + hub() + " link set br0 up");
      run("ip link set " + link() + "p netns " + hub());
      run("ip -n " + hub() + " link set " + link() + "p master br0 up");
      run("ip addr add " + executor_address() + "/24 dev " + link());
      run("ip link set " + link() + " up");
      for (int i = 0; i < hosts; ++i) add_host(i);
    } catch (...) {
      tear_down();
      throw;
    }
  }
  test_network(const test_network&) = delete;
  test_network& operator=(const test_network&) = delete;
  ~test_network() { tear_down(); }

  [[nodiscard]] int size() const noexcept { return hosts_; }
  /// Host `i`'s namespace, for `ip netns exec`.
  [[nodiscard]] std::string netns(int i) const { return prefix_ + std::to_string(subnet_) + "-" + std::to_string(i); }
  [[nodiscard]] std::string address(int i) const { return base() + std::to_string(i + 1); }
  [[nodiscard]] std::string executor_address() const { return base() + "254"; }

  /// Drops every packet between `a` and `b` (host indices, or `executor`), both ways.
  void block(int a, int b) {
    if (a == b) return;
    if (a == executor) std::swap(a, b);
    const std::string peer = b == executor ? executor_address() : address(b);
    nft(a, "add rule inet rcplan out ip daddr " + peer + " drop");
    nft(a, "add rule inet rcplan in ip saddr " + peer + " drop");
  }
  /// Cuts `side` off from every other host and, unless it is in `side`, the executor.
  void isolate(const std::vector<int>& side) {
    const auto inside = [&](int i) {
      for (int s : side)
        if (s == i) return true;
      return false;
    };
    for (int a : side) {
      for (int b = 0; b < hosts_; ++b)
        if (!inside(b)) block(a, b);
      if (!inside(executor)) block(a, executor);
    }
  }
  /// Drops `percent` of host `i`'s packets, both ways, at random.
  void lossy(int i, int percent) {
    const std::string rule = "numgen random mod 100 lt " + std::to_string(percent) + " drop";
    nft(i, "add rule inet rcplan out " + rule);
    nft(i, "add rule inet rcplan in " + rule);
  }
  /// Host `i`'s link carries at most `kbit` kilobits a second each way; packets queue up to
  /// two seconds before they are dropped.
  void throttle(int i, int kbit) {
    const std::string tbf = " root tbf rate " + std::to_string(kbit) + "kbit burst 16kb latency 2000ms";
    run("tc -n " + netns(i) + " qdisc replace dev " + host_link(i) + tbf);
    run("tc -n " + hub() + " qdisc replace dev " + hub_link(i) + tbf);
  }
  /// Lifts every fault.
  void heal() {
    for (int i = 0; i < hosts_; ++i) {
      nft(i, "flush chain inet rcplan out");
      nft(i, "flush chain inet rcplan in");
      (void)succeeds("tc -n " + netns(i) + " qdisc del dev " + host_link(i) + " root");
      (void)succeeds("tc -n " + hub() + " qdisc del dev " + hub_link(i) + " root");
    }
  }

  /// Runs a shell command; throws with its output when it fails.
  static void run(const std::string& command) {
    std::string output;
    if (!succeeds(command, &output)) throw std::runtime_error("test_network: `" + command + "` failed: " + output);
  }

 private:
  static bool succeeds(const std::string& command, std::string* output = nullptr) {
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return false;
    std::string out;
    char buf[512];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int status = ::pclose(p);
    if (output != nullptr) *output = out;
    return status == 0;
  }

  [[nodiscard]] std::string base() const { return "10.213." + std::to_string(subnet_) + "."; }
  [[nodiscard]] std::string hub() const { return prefix_ + std::to_string(subnet_) + "-hub"; }
  /// The executor's end of its link (its peer, in the hub, has a `p` appended).
  [[nodiscard]] std::string link() const { return "rcpn" + std::to_string(subnet_); }
  [[nodiscard]] std::string host_link(int i) const { return link() + "h" + std::to_string(i); }
  [[nodiscard]] std::string hub_link(int i) const { return link() + "b" + std::to_string(i); }

  void nft(int i, const std::string& command) const { run("ip netns exec " + netns(i) + " nft " + command); }

  /// Namespaces left by a test process that died before its destructor ran.
  static void sweep_stale() {
    std::string list;
    if (!succeeds("ip netns list", &list)) return;
    std::size_t at = 0;
    while ((at = list.find("rcplan-", at)) != std::string::npos) {
      const std::size_t end = list.find_first_of(" \n", at);
      const std::string name = list.substr(at, end - at);
      at = end;
      const pid_t owner = static_cast<pid_t>(std::strtol(name.c_str() + 7, nullptr, 10));
      if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH) (void)succeeds("ip netns del " + name);
    }
  }

  /// Claims a free 10.213.K.0/24 by creating the executor's link, which fails if it exists.
  void claim_subnet() {
    const int start = static_cast<int>(::getpid() % 250);
    for (int n = 0; n < 250; ++n) {
      subnet_ = 1 + (start + n) % 250;
      if (succeeds("ip link add " + link() + " type veth peer name " + link() + "p")) return;
    }
    throw std::runtime_error("test_network: every 10.213.K.0/24 subnet is taken");
  }

  void add_host(int i) {
    const std::string ns = netns(i);
    run("ip netns add " + ns);
    hosts_ = i + 1;
    run("ip link add " + host_link(i) + " type veth peer name " + hub_link(i));
    run("ip link set " + host_link(i) + " netns " + ns);
    run("ip link set " + hub_link(i) + " netns " + hub());
    run("ip -n " + hub() + " link set " + hub_link(i) + " master br0 up");
    run("ip -n " + ns + " link set lo up");
    run("ip -n " + ns + " addr add " + address(i) + "/24 dev " + host_link(i));
    run("ip -n " + ns + " link set " + host_link(i) + " up");
    nft(i, "add table inet rcplan");
    nft(i, "add chain inet rcplan out '{ type filter hook output priority 0; }'");
    nft(i, "add chain inet rcplan in '{ type filter hook input priority 0; }'");
  }

  void tear_down() noexcept {
    for (int i = 0; i < hosts_; ++i) (void)succeeds("ip netns del " + netns(i));
    (void)succeeds("ip netns del " + hub());  // takes the executor's link with its peer
    (void)succeeds("ip link del " + link());
  }

  std::string prefix_;
  int subnet_ = 0;
  int hosts_ = 0;
};

}  // namespace rcplan_test
