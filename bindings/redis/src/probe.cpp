#include "probe.hpp"

#include "scrub.hpp"

#include <rcplan/error.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/parse/info_replication.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace rcplan::redis::detail {

namespace {

/// Keeps pipelines of COUNTKEYSINSLOT to a bounded size of buffered replies.
constexpr std::size_t count_chunk = 4096;

std::uint64_t count_slots(connection& c, const std::vector<slot>& slots, std::map<slot, std::uint64_t>& out) {
  std::uint64_t total = 0;
  for (std::size_t from = 0; from < slots.size(); from += count_chunk) {
    const std::size_t to = std::min(slots.size(), from + count_chunk);
    std::vector<argv> cmds;
    cmds.reserve(to - from);
    for (std::size_t i = from; i < to; ++i) cmds.push_back({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slots[i])});
    const std::vector<reply> replies = c.pipeline(cmds);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      const reply& r = replies[i];
      if (r.type != reply::kind::integer)
        throw transport_error(c.where() + ": CLUSTER COUNTKEYSINSLOT failed: " + reply_text(r));
      if (r.integer <= 0) continue;
      const auto n = static_cast<std::uint64_t>(r.integer);
      out[slots[from + i]] = n;
      total += n;
    }
  }
  return total;
}

bool is_secret_parameter(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return name == "requirepass" || name == "masterauth" || name == "masteruser";
}

std::map<std::string, std::string> read_config(connection& c, const std::vector<std::string>& names) {
  std::map<std::string, std::string> out;
  std::vector<argv> cmds;
  std::vector<const std::string*> asked;
  for (const std::string& n : names) {
    if (is_secret_parameter(n) || n.find_first_of("*?[") != std::string::npos) continue;
    cmds.push_back({"CONFIG", "GET", n});
    asked.push_back(&n);
  }
  if (cmds.empty()) return out;
  const std::vector<reply> replies = c.pipeline(cmds);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const reply& r = replies[i];
    if (r.type != reply::kind::array || r.elements.size() < 2) continue;  // unknown to this server
    out[*asked[i]] = r.elements[1].str;
  }
  return out;
}

/// What the node does with `password`. Its masterauth is compared here and goes no
/// further: not into the result, not into a message.
password_state password_state_of(connection& c, const secret& password) {
  password_state s;
  s.requirepass_current = c.authenticated_with() == auth_outcome::current;
  const reply r = c.command({"CONFIG", "GET", "masterauth"});
  if (r.type != reply::kind::array) throw transport_error(c.where() + ": CONFIG GET masterauth failed");
  s.masterauth_current = r.elements.size() >= 2 && r.elements[1].str == password.reveal();
  return s;
}

/// Slots worth counting first: the node's own (its master's, for a replica) and its open ones.
slot_set likely_slots(const cluster_view& v) {
  slot_set s;
  const auto self = std::find_if(v.nodes.begin(), v.nodes.end(), [&](const cluster_node& n) { return n.id == v.observer; });
  if (self == v.nodes.end()) return s;
  s = self->slots;
  if (self->master_id)
    if (const cluster_node* m = find_node(v.nodes, *self->master_id)) s |= m->slots;
  for (const open_slot& o : self->open_slots) s.insert(o.number);
  return s;
}

}  // namespace

connect_options connect_options_of(const observe_options& o) {
  connect_options c;
  c.password = o.password;
  c.previous_password = o.previous_password;
  c.connect_timeout = o.connect_timeout;
  c.command_timeout = o.command_timeout;
  c.tls = o.tls;
  c.client_name = std::string{observer_name};
  return c;
}

cluster_view read_view(connection& c) {
  const reply r = c.command({"CLUSTER", "NODES"});
  if (r.type != reply::kind::string) throw transport_error(c.where() + ": CLUSTER NODES failed: " + reply_text(r));
  cluster_view v = parse_cluster_nodes(r.str);
  std::sort(v.nodes.begin(), v.nodes.end(), [](const cluster_node& a, const cluster_node& b) { return a.id < b.id; });
  return v;
}

std::map<slot, std::uint64_t> count_keys(connection& c, const slot_set& likely) {
  const reply size = c.command({"DBSIZE"});
  if (size.type != reply::kind::integer) throw transport_error(c.where() + ": DBSIZE failed: " + reply_text(size));
  std::map<slot, std::uint64_t> out;
  if (size.integer <= 0) return out;
  const auto dbsize = static_cast<std::uint64_t>(size.integer);
  if (count_slots(c, likely.slots(), out) >= dbsize) return out;
  // keys outside the expected slots (a half-done migration, a stray write): count the rest too
  count_slots(c, likely.complement().slots(), out);
  return out;
}

node_probe probe_node(const std::string& host, std::uint16_t port, const observe_options& o) {
  node_probe p;
  p.host = host;
  p.port = port;
  try {
    connection c(host, port, connect_options_of(o));
    p.view = read_view(c);
    if (p.view.observer.empty()) throw transport_error(c.where() + ": CLUSTER NODES has no myself line");
    const reply info = c.command({"INFO", "replication"});
    if (info.type != reply::kind::string) throw transport_error(c.where() + ": INFO failed: " + reply_text(info));
    p.replication = parse_info_replication(info.str);
    p.config = read_config(c, o.config_parameters);
    if (!o.password.empty()) p.password = password_state_of(c, o.password);
    if (o.keys_per_slot) p.keys_per_slot = count_keys(c, likely_slots(p.view));
    p.reachable = true;
  } catch (const auth_error& e) {
    p.auth_failed = true;
    p.error = scrub(e.what(), o.password, o.previous_password);
  } catch (const tls_transport_error& e) {
    p.error = e.what();
    p.tls_failed = true;
  } catch (const transport_error& e) {
    p.error = scrub(e.what(), o.password, o.previous_password);
  } catch (const rcplan::error& e) {  // a reply that does not parse
    p.error = scrub(endpoint_text(host, port) + ": " + e.what(), o.password, o.previous_password);
  }
  return p;
}

}  // namespace rcplan::redis::detail
