#include <rcplan/testing/gen_model.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <set>
#include <string>

namespace {

bool is_lower_hex(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

TEST_CASE("gen_node_id gives well-formed ids", "[testing][gen]") {
  rc::prop("40 lowercase hex", [] {
    const rcplan::node_id id = *rcplan::testing::gen_node_id();
    RC_ASSERT(id.value.size() == 40U);
    RC_ASSERT(is_lower_hex(id.value));
    RC_ASSERT(id.well_formed());
  });
}

TEST_CASE("gen_address gives printable addresses", "[testing][gen]") {
  rc::prop("no delimiters inside fields", [] {
    const rcplan::address a = *rcplan::testing::gen_address();
    RC_ASSERT(a.host.find_first_of(" @,") == std::string::npos);
    RC_ASSERT(a.hostname.find_first_of(" @,=") == std::string::npos);
    if (a.host.empty()) {
      RC_ASSERT(a.port == 0U);
      RC_ASSERT(a.hostname.empty());
    } else {
      RC_ASSERT(a.port > 0U);
    }
  });
}

TEST_CASE("gen_cluster_view gives consistent views", "[testing][gen]") {
  rc::prop("consistent", [] {
    const rcplan::cluster_view v = *rcplan::testing::gen_cluster_view();
    std::set<rcplan::node_id> ids;
    std::size_t myself = 0;
    rcplan::slot_set seen;
    for (const rcplan::cluster_node& n : v.nodes) {
      RC_ASSERT(ids.insert(n.id).second);
      RC_ASSERT(n.id.well_formed());
      if (n.flags.myself) {
        ++myself;
        RC_ASSERT(n.id == v.observer);
      } else {
        RC_ASSERT(n.open_slots.empty());
      }
      RC_ASSERT(n.flags.master != n.flags.replica);
      RC_ASSERT(!seen.intersects(n.slots));
      seen |= n.slots;
    }
    RC_ASSERT(myself == 1U);
    for (const rcplan::cluster_node& n : v.nodes) {
      if (!n.flags.replica) continue;
      RC_ASSERT(n.master_id.has_value());
      RC_ASSERT(n.slots.empty());
      const auto* m = find_node(
          [&] {
            auto sorted = v.nodes;
            std::sort(sorted.begin(), sorted.end(),
                      [](const rcplan::cluster_node& a, const rcplan::cluster_node& b) { return a.id < b.id; });
            return sorted;
          }(),
          *n.master_id);
      RC_ASSERT(m != nullptr);
    }
  });
}

TEST_CASE("gen_cluster_view open slots follow the observer's ownership", "[testing][gen]") {
  rc::prop("migrating owned, importing not owned, sorted, peers are other masters", [] {
    const rcplan::cluster_view v = *rcplan::testing::gen_cluster_view();
    for (const rcplan::cluster_node& n : v.nodes) {
      for (std::size_t i = 0; i < n.open_slots.size(); ++i) {
        const rcplan::open_slot& o = n.open_slots[i];
        if (i > 0) RC_ASSERT(n.open_slots[i - 1].number < o.number);
        RC_ASSERT(o.peer != n.id);
        RC_ASSERT(n.slots.contains(o.number) == (o.dir == rcplan::open_slot::direction::migrating));
      }
    }
  });
}

TEST_CASE("gen_replication_info keeps sides apart", "[testing][gen]") {
  rc::prop("master has no replica-side state", [] {
    const rcplan::replication_info r = *rcplan::testing::gen_replication_info();
    RC_ASSERT(r.master_replid.size() == 40U);
    if (r.role == rcplan::node_role::master) {
      RC_ASSERT(r.master_host.empty());
      RC_ASSERT(r.master_port == 0U);
      RC_ASSERT(!r.master_last_io_seconds_ago.has_value());
    } else {
      RC_ASSERT(!r.master_host.empty());
    }
  });
}
