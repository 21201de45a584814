#include "client_routing.hpp"

#include <rcplan/error.hpp>
#include <rcplan/model/key_slot.hpp>
#include <rcplan/model/slot.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <utility>

namespace rcplan::redis::detail {

namespace {

constexpr std::size_t batch_size = 1000;
constexpr int max_attempts = 50;

std::string node_name(const std::string& host, long long port) { return host + ':' + std::to_string(port); }

/// "MOVED 3999 127.0.0.1:6381" → "127.0.0.1:6381"; empty when not a redirection of that kind.
std::string redirect_target(const std::string& error, std::string_view word) {
  if (!error.starts_with(word)) return {};
  const std::size_t space = error.rfind(' ');
  return space == std::string::npos ? std::string{} : error.substr(space + 1);
}

bool transient(const std::string& error) {
  for (const std::string_view word : {"TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN"})
    if (error.starts_with(word)) return true;
  return false;
}

std::string_view key_of(const command_args& words) {
  return words.size() > 1 ? std::string_view{words[1]} : std::string_view{};
}

}  // namespace

connection open_connection(const std::string& host, std::uint16_t port, const client_options& options) {
  connect_options o;
  o.password = options.password;
  o.previous_password = options.previous_password;
  o.connect_timeout = options.connect_timeout;
  o.command_timeout = options.command_timeout;
  o.tls = options.tls;
  check_tls_options(options.tls);
  try {
    return connection(host, port, o);
  } catch (const auth_error& e) {
    throw rcplan::error("rcplan.redis.auth", e.what());
  } catch (const tls_transport_error& e) {
    throw rcplan::error("rcplan.redis.tls", std::string{"cannot connect to "} + e.what());
  } catch (const transport_error& e) {
    throw rcplan::error("rcplan.redis.connect", std::string{"cannot connect to "} + e.what());
  }
}

redis::reply send_raw(connection& c, const command_args& words) {
  c.append(words);
  return c.read_raw();
}

cluster_router::cluster_router(std::vector<address> seeds, client_options options)
    : seeds_(std::move(seeds)), options_(std::move(options)), owner_(slot_count) {}

connection& cluster_router::connect(const std::string& node) {
  if (const auto it = connections_.find(node); it != connections_.end() && !it->second.broken()) return it->second;
  const std::size_t colon = node.rfind(':');
  std::string host = node.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = static_cast<std::uint16_t>(std::stoul(node.substr(colon + 1)));
  connection c = open_connection(host, port, options_);
  return connections_.insert_or_assign(node, std::move(c)).first->second;
}

bool cluster_router::read_slot_map(connection& c) {
  const reply r = c.command({"CLUSTER", "SLOTS"});
  if (r.type != reply::kind::array) return false;
  std::fill(owner_.begin(), owner_.end(), std::string{});
  for (const reply& range : r.elements) {
    if (range.type != reply::kind::array || range.elements.size() < 3) continue;
    const reply& master = range.elements[2];
    if (master.type != reply::kind::array || master.elements.size() < 2) continue;
    const std::string owner = node_name(master.elements[0].str, master.elements[1].integer);
    const long long first = std::max(0LL, range.elements[0].integer);
    const long long last = std::min(static_cast<long long>(slot_count) - 1, range.elements[1].integer);
    for (long long s = first; s <= last; ++s) owner_[static_cast<std::size_t>(s)] = owner;
  }
  return true;
}

void cluster_router::refresh() {
  std::vector<std::string> candidates;
  for (const address& a : seeds_) candidates.push_back(node_name(a.host, a.port));
  for (const std::string& m : masters()) candidates.push_back(m);
  for (const std::string& node : candidates) {
    try {
      if (read_slot_map(connect(node))) return;
    } catch (const auth_error& e) {
      throw rcplan::error("rcplan.redis.auth", e.what());
    } catch (const tls_transport_error& e) {
      throw rcplan::error("rcplan.redis.tls", std::string{"cannot connect to "} + e.what());
    } catch (const transport_error&) {
      drop(node);
    } catch (const rcplan::error& e) {
      if (e.id() == "rcplan.redis.auth") throw;
    }
  }
  std::string names;
  for (const address& a : seeds_) names += (names.empty() ? "" : ", ") + node_name(a.host, a.port);
  throw rcplan::error("rcplan.redis.unreachable", "no node answered CLUSTER SLOTS (seeds: " + names + ")");
}

std::vector<std::string> cluster_router::masters() const {
  std::set<std::string> out;
  for (const std::string& o : owner_)
    if (!o.empty()) out.insert(o);
  return {out.begin(), out.end()};
}

const std::string& cluster_router::owner_of(const command_args& words) const { return owner_[key_slot(key_of(words))]; }

redis::reply cluster_router::call_node(const std::string& node, const command_args& words) {
  try {
    return send_raw(connect(node), words);
  } catch (const transport_error&) {
    drop(node);
    throw rcplan::error("rcplan.redis.connection", "lost the connection to " + node);
  }
}

std::vector<redis::reply> cluster_router::run(const std::vector<command_args>& commands) {
  std::vector<redis::reply> replies(commands.size());
  std::vector<target> where(commands.size());
  std::vector<std::size_t> todo(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    todo[i] = i;
    where[i].node = owner_of(commands[i]);
  }
  counters_.commands += commands.size();
  bool pause = false;
  for (int attempt = 0; !todo.empty(); ++attempt) {
    // A redirection names the node to ask, so the first one is followed at once: a pause there
    // would be the client's own latency, not the cluster's. Failures, and redirections that
    // keep coming while the nodes settle a hand-over, wait.
    if (pause || attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20 * attempt, 500)));
    round r{commands, where, replies, attempt + 1 >= max_attempts, {}, false, false};
    std::map<std::string, std::vector<std::size_t>> by_node;
    for (const std::size_t i : todo) by_node[where[i].node].push_back(i);
    for (const auto& [node, list] : by_node) send_to(node, list, r);
    if (r.last) {
      for (const std::size_t i : r.again) {
        replies[i] = {redis::reply::kind::error, "ERR gave up after " + std::to_string(max_attempts) + " attempts", 0, {}};
        ++counters_.errors;
        ++counters_.by_kind["gave up"];
      }
      break;
    }
    if (r.stale_map) {
      try {
        refresh();
      } catch (const rcplan::error&) {
        // the next round finds out whether the old map still serves
      }
      for (const std::size_t i : r.again)
        if (!where[i].asking) where[i].node = owner_of(commands[i]);
    }
    pause = r.pause;
    todo = std::move(r.again);
  }
  return replies;
}

void cluster_router::send_to(const std::string& node, const std::vector<std::size_t>& list, round& r) {
  if (node.empty()) {  // an uncovered slot: look again later
    r.again.insert(r.again.end(), list.begin(), list.end());
    r.stale_map = true;
    r.pause = true;
    return;
  }
  for (std::size_t from = 0; from < list.size(); from += batch_size) {
    const std::size_t to = std::min(list.size(), from + batch_size);
    connection* c = nullptr;
    try {
      c = &connect(node);
    } catch (const rcplan::error&) {
      r.again.insert(r.again.end(), list.begin() + static_cast<std::ptrdiff_t>(from), list.end());
      r.stale_map = true;
      r.pause = true;
      counters_.retries += list.size() - from;
      counters_.by_kind["connect"] += list.size() - from;
      return;
    }
    if (!send_batch(*c, list, from, to, r)) drop(node);
  }
}

bool cluster_router::send_batch(connection& c, const std::vector<std::size_t>& list, std::size_t from,
                                std::size_t to, round& r) {
  bool lost = false;
  try {
    for (std::size_t k = from; k < to; ++k) {
      if (r.where[list[k]].asking) c.append({"ASKING"});
      c.append(r.commands[list[k]]);
    }
  } catch (const transport_error&) {
    lost = true;
  }
  for (std::size_t k = from; k < to; ++k) {
    const std::size_t i = list[k];
    redis::reply answer;
    if (!lost) {
      try {
        if (r.where[i].asking) (void)c.read_raw();
        answer = c.read_raw();
      } catch (const transport_error&) {
        lost = true;
      }
    }
    if (lost) {
      r.again.push_back(i);
      r.pause = true;
      ++counters_.retries;
      ++counters_.by_kind["connection lost"];
      continue;
    }
    r.where[i].asking = false;
    settle(i, std::move(answer), r);
  }
  return !lost;
}

void cluster_router::settle(std::size_t i, redis::reply&& answer, round& r) {
  if (answer.is_error()) {
    if (std::string t = redirect_target(answer.str, "MOVED "); !t.empty()) {
      ++counters_.moved;
      owner_[key_slot(key_of(r.commands[i]))] = t;
      r.where[i].node = std::move(t);
      r.again.push_back(i);
      return;
    }
    if (std::string t = redirect_target(answer.str, "ASK "); !t.empty()) {
      ++counters_.ask;
      r.where[i] = {std::move(t), true};
      r.again.push_back(i);
      return;
    }
    ++counters_.by_kind[std::string{answer.error_code()}];
    if (transient(answer.str) && !r.last) {
      ++counters_.retries;
      r.pause = true;
      r.where[i].node = owner_of(r.commands[i]);
      r.again.push_back(i);
      return;
    }
    ++counters_.errors;
  }
  r.replies[i] = std::move(answer);
}

}  // namespace rcplan::redis::detail
