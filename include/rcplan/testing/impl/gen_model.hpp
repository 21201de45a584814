#pragma once

// What rcplan/testing/gen_model.hpp declares, the model generators (nodes, views, slot sets,
// replication): included by that header when header-only, compiled once into
// rcplan::testing_compiled otherwise (config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/testing/gen_model.hpp>

#include <rapidcheck.h>

namespace rcplan::testing {

namespace detail {

[[nodiscard]] inline rc::Gen<char> gen_hex_digit() {
  return rc::gen::element('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd',
                          'e', 'f');
}

[[nodiscard]] inline rc::Gen<std::string> gen_ipv4() {
  return rc::gen::map(rc::gen::container<std::vector<int>>(4, rc::gen::inRange(0, 256)),
                      [](const std::vector<int>& octets) {
                        std::string s;
                        for (std::size_t i = 0; i < octets.size(); ++i) {
                          if (i > 0) s += '.';
                          s += std::to_string(octets[i]);
                        }
                        return s;
                      });
}

[[nodiscard]] inline rc::Gen<std::string> gen_ipv6() {
  // Colons inside the host are what makes the address field tricky to split.
  return rc::gen::oneOf(
      rc::gen::element<std::string>("::1", "fe80::1ff:fe23:4567:890a", "2001:db8::7", "::"),
      rc::gen::map(rc::gen::container<std::string>(4, gen_hex_digit()),
                   [](const std::string& tail) { return "fd00::" + tail; }));
}

[[nodiscard]] inline rc::Gen<std::string> gen_hostname() {
  // Hostnames never contain ',', ' ', '=' or '@': those delimit the address field.
  return rc::gen::oneOf(
      rc::gen::element<std::string>("localhost", "redis-0.redis-headless.default.svc.cluster.local",
                                    "node-1.example.com", "r-a-2"),
      rc::gen::map(rc::gen::container<std::string>(
                       rc::gen::element('a', 'b', 'k', 'r', 'z', '0', '7', '-', '.')),
                   [](std::string s) { return "h" + s; }));
}

[[nodiscard]] inline rc::Gen<std::uint64_t> gen_counter() {
  return rc::gen::weightedOneOf<std::uint64_t>({
      {3, rc::gen::just<std::uint64_t>(0)},
      {4, rc::gen::inRange<std::uint64_t>(0, 1000)},
      {3, rc::gen::inRange<std::uint64_t>(1'600'000'000'000, 1'900'000'000'000)},
      {1, rc::gen::arbitrary<std::uint64_t>()},
  });
}

/// `count` slot sets that never overlap: the slot space is cut at random points and each
/// piece goes to one set or to none.
[[nodiscard]] inline rc::Gen<std::vector<slot_set>> gen_disjoint_slot_sets(std::size_t count) {
  return rc::gen::exec([count] {
    std::vector<slot_set> sets(count);
    if (count == 0) return sets;
    const auto cuts = *rc::gen::container<std::set<slot>>(
        rc::gen::inRange<slot>(1, static_cast<slot>(max_slot)));
    std::vector<slot> bounds{0};
    bounds.insert(bounds.end(), cuts.begin(), cuts.end());
    bounds.push_back(static_cast<slot>(max_slot));
    for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
      const slot first = bounds[i];
      const slot last = i + 2 == bounds.size() ? bounds[i + 1] : static_cast<slot>(bounds[i + 1] - 1);
      const auto owner = *rc::gen::inRange<std::size_t>(0, count + 1);  // == count: unowned
      if (owner < count) sets[owner].insert(slot_range{first, last});
    }
    return sets;
  });
}

}  // namespace detail

RCPLAN_TESTING_ENTRY rc::Gen<node_id> gen_node_id() {
  return rc::gen::map(rc::gen::container<std::string>(40, detail::gen_hex_digit()),
                      [](std::string s) { return node_id{std::move(s)}; });
}

RCPLAN_TESTING_ENTRY rc::Gen<address> gen_address() {
  const rc::Gen<address> known = rc::gen::exec([] {
    address a;
    a.host = *rc::gen::weightedOneOf<std::string>({{4, detail::gen_ipv4()}, {1, detail::gen_ipv6()}});
    a.port = *rc::gen::inRange<std::uint16_t>(1, 55536);
    a.bus_port = *rc::gen::weightedOneOf<std::uint16_t>({
        {5, rc::gen::just(static_cast<std::uint16_t>(a.port + 10000))},
        {1, rc::gen::inRange<std::uint16_t>(1, 65535)},
    });
    if (*rc::gen::weightedElement<bool>({{3, false}, {1, true}})) a.hostname = *detail::gen_hostname();
    return a;
  });
  return rc::gen::weightedOneOf<address>({{12, known}, {1, rc::gen::just(address{})}});
}

RCPLAN_TESTING_ENTRY rc::Gen<node_flags> gen_node_flags() {
  return rc::gen::exec([] {
    node_flags f;
    const int role = *rc::gen::weightedElement<int>({{5, 0}, {4, 1}, {1, 2}});
    f.master = role == 0;
    f.replica = role == 1;
    const auto sometimes = [] { return *rc::gen::weightedElement<bool>({{6, false}, {1, true}}); };
    f.pfail = sometimes();
    f.fail = sometimes();
    f.handshake = sometimes();
    f.noaddr = sometimes();
    f.nofailover = sometimes();
    return f;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<slot_set> gen_slot_set() {
  const auto range = rc::gen::exec([] {
    const auto first = *rc::gen::inRange<slot>(0, static_cast<slot>(max_slot));
    const auto last = *rc::gen::inRange<std::size_t>(first, slot_count);
    return slot_range{first, static_cast<slot>(last)};
  });
  return rc::gen::weightedOneOf<slot_set>({
      {1, rc::gen::just(slot_set{})},
      {2, rc::gen::map(range, [](slot_range r) { return slot_set{r}; })},
      {1, rc::gen::just(slot_set::all())},
      {3, rc::gen::map(rc::gen::container<std::vector<slot_range>>(range),
                       [](const std::vector<slot_range>& rs) { return slot_set::from_ranges(rs); })},
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<open_slot> gen_open_slot() {
  return rc::gen::exec([] {
    open_slot o;
    o.number = *rc::gen::inRange<slot>(0, static_cast<slot>(max_slot));
    o.dir = *rc::gen::element(open_slot::direction::migrating, open_slot::direction::importing);
    o.peer = *gen_node_id();
    return o;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<cluster_node> gen_cluster_node() {
  return rc::gen::exec([] {
    cluster_node n;
    n.id = *gen_node_id();
    n.addr = *gen_address();
    n.flags = *gen_node_flags();
    if (n.flags.replica) n.master_id = *gen_node_id();
    n.ping_sent = *detail::gen_counter();
    n.pong_received = *detail::gen_counter();
    n.config_epoch = *detail::gen_counter();
    n.link = *rc::gen::weightedElement<link_state>({{4, link_state::connected}, {1, link_state::disconnected}});
    if (n.is_master()) n.slots = *gen_slot_set();
    return n;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<cluster_view> gen_cluster_view() {
  return rc::gen::exec([] {
    const auto master_count = *rc::gen::inRange<std::size_t>(1, 9);
    const auto replica_count = *rc::gen::inRange<std::size_t>(0, 2 * master_count + 1);
    const std::size_t total = master_count + replica_count;
    const auto ids = *rc::gen::unique<std::vector<node_id>>(total, gen_node_id());
    const auto slot_sets = *detail::gen_disjoint_slot_sets(master_count);

    std::vector<cluster_node> nodes;
    nodes.reserve(total);
    for (std::size_t i = 0; i < total; ++i) {
      cluster_node n = *gen_cluster_node();
      n.id = ids[i];
      n.flags.master = i < master_count;
      n.flags.replica = !n.flags.master;
      if (n.flags.master) {
        n.master_id.reset();
        n.slots = slot_sets[i];
      } else {
        n.master_id = ids[*rc::gen::inRange<std::size_t>(0, master_count)];
        n.slots.clear();
      }
      nodes.push_back(std::move(n));
    }

    const auto self = *rc::gen::inRange<std::size_t>(0, total);
    cluster_node& me = nodes[self];
    me.flags.myself = true;
    // A node does not suspect itself, nor is it mid-handshake with itself.
    me.flags.pfail = me.flags.fail = me.flags.handshake = me.flags.noaddr = false;
    me.link = link_state::connected;
    if (me.is_master() && master_count > 1 &&
        *rc::gen::weightedElement<bool>({{2, false}, {1, true}})) {
      const auto wanted = *rc::gen::inRange<std::size_t>(1, 6);
      std::set<slot> used;
      for (std::size_t k = 0; k < wanted; ++k) {
        open_slot o;
        o.number = *rc::gen::inRange<slot>(0, static_cast<slot>(max_slot));
        if (!used.insert(o.number).second) continue;
        std::size_t peer = *rc::gen::inRange<std::size_t>(0, master_count);
        if (peer == self) peer = (peer + 1) % master_count;
        o.peer = ids[peer];
        o.dir = me.slots.contains(o.number) ? open_slot::direction::migrating
                                            : open_slot::direction::importing;
        me.open_slots.push_back(std::move(o));
      }
      std::sort(me.open_slots.begin(), me.open_slots.end());
    }

    // Redis prints its nodes in hash-table order, so the view must not depend on position.
    const auto order = *rc::gen::unique<std::vector<std::size_t>>(
        total, rc::gen::inRange<std::size_t>(0, total));
    cluster_view v;
    v.observer = ids[self];
    v.nodes.reserve(total);
    for (std::size_t i : order) v.nodes.push_back(nodes[i]);
    return v;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<replication_info> gen_replication_info() {
  return rc::gen::exec([] {
    replication_info r;
    r.role = *rc::gen::element(node_role::master, node_role::replica);
    r.master_replid = *rc::gen::container<std::string>(40, detail::gen_hex_digit());
    r.master_repl_offset = *rc::gen::inRange<std::uint64_t>(0, 1'000'000'000);
    const auto gen_link = rc::gen::exec([] {
      replica_link l;
      l.host = *detail::gen_ipv4();
      l.port = *rc::gen::inRange<std::uint16_t>(1, 65535);
      l.state = *rc::gen::element<std::string>("online", "wait_bgsave", "send_bulk");
      l.offset = *rc::gen::inRange<std::uint64_t>(0, 1'000'000'000);
      l.lag = *rc::gen::inRange<std::uint64_t>(0, 100);
      return l;
    });
    const auto links = *rc::gen::inRange<std::size_t>(0, r.role == node_role::master ? 4 : 2);
    for (std::size_t i = 0; i < links; ++i) r.replicas.push_back(*gen_link);
    if (r.role == node_role::replica) {
      r.master_host = *detail::gen_ipv4();
      r.master_port = *rc::gen::inRange<std::uint16_t>(1, 65535);
      r.master_link_up = *rc::gen::arbitrary<bool>();
      r.master_last_io_seconds_ago = *rc::gen::inRange<std::int64_t>(-1, 100);
      r.master_sync_in_progress = *rc::gen::arbitrary<bool>();
      r.replica_repl_offset = *rc::gen::inRange<std::uint64_t>(0, 1'000'000'000);
      r.replica_priority = *rc::gen::weightedElement<int>({{4, 100}, {1, 0}, {1, 10}, {1, 255}});
      r.replica_read_only = *rc::gen::weightedElement<bool>({{4, true}, {1, false}});
    }
    return r;
  });
}

}  // namespace rcplan::testing
