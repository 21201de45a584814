// check_topology(): the findings `rcplan check` prints, with their codes, subjects, messages
// and order.

#include <rcplan/planner/check.hpp>

#include "support/example_dumps.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using rcplan_test::example_dump;

namespace {

std::vector<std::string> codes(const std::vector<rcplan::finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.code);
  return out;
}

/// healthy.nodes plus a second view, from the master 346c30a1, that lacks the first `missing`
/// nodes of the first view's list.
rcplan::topology with_lagging_view(std::size_t missing) {
  rcplan::topology t = example_dump("healthy.nodes");
  rcplan::cluster_view lagging = t.views.front();
  lagging.observer = rcplan::node_id{"346c30a1f1aba49e490164b598282c3b252ff154"};
  std::erase_if(lagging.nodes, [&](const rcplan::cluster_node& n) {
    if (n.id == lagging.observer || missing == 0) return false;
    --missing;
    return true;
  });
  t.views.push_back(lagging);
  return t;
}

}  // namespace

TEST_CASE("check_topology: findings with codes, none for a healthy cluster", "[planner][check]") {
  using namespace rcplan;
  CHECK(check_topology(example_dump("healthy.nodes")).empty());

  const auto degraded = check_topology(example_dump("degraded.nodes"));
  CHECK(codes(degraded) == std::vector<std::string>{finding_code::uncovered_slots, finding_code::node_failed,
                                                    finding_code::node_failed});
  CHECK(degraded.front().subject == "0-49");

  const auto importing = check_topology(example_dump("importing.nodes"));
  REQUIRE(!importing.empty());
  CHECK(importing.front().code == finding_code::open_slot);
  CHECK(importing.front().subject == "100");

  CHECK(codes(check_topology(example_dump("contested.nodes"))).front() == finding_code::contested_slots);

  topology unreachable = example_dump("healthy.nodes");
  node_observation gone;
  gone.id = node_id{"4f2d0bb8d15a0c24f5e7f9d6c4699c902359a417"};
  gone.addr = {"127.0.0.1", 7103, 17103, {}};
  gone.reachable = false;
  gone.error = "connection refused";
  unreachable.observations.push_back(gone);
  const auto down = check_topology(unreachable);
  REQUIRE(down.size() == 1);
  CHECK(down.front().code == finding_code::node_unreachable);
  CHECK(down.front().subject == gone.id.value);
  CHECK(down.front().message == "4f2d0bb8 (127.0.0.1:7103) cannot be reached: connection refused");
}

TEST_CASE("check_topology: the codes' wire values", "[planner][check]") {
  CHECK(std::string{rcplan::finding_code::uncovered_slots} == "uncovered_slots");
  CHECK(std::string{rcplan::finding_code::contested_slots} == "contested_slots");
  CHECK(std::string{rcplan::finding_code::open_slot} == "open_slot");
  CHECK(std::string{rcplan::finding_code::views_disagree} == "views_disagree");
  CHECK(std::string{rcplan::finding_code::node_failed} == "node_failed");
  CHECK(std::string{rcplan::finding_code::node_unreachable} == "node_unreachable");
}

TEST_CASE("check_topology: messages name slots, nodes and addresses", "[planner][check]") {
  using namespace rcplan;
  const auto degraded = check_topology(example_dump("degraded.nodes"));
  REQUIRE(degraded.size() == 3);
  CHECK(degraded[0].message == "50 slots are not covered by any master: 0-49");
  // failed nodes by id: the replica 2200385f sorts before its master 4f2d0bb8
  CHECK(degraded[1].subject == "2200385fadb843903384891694510347e5a62d34");
  CHECK(degraded[1].message == "replica 2200385f (127.0.0.1:7106) is flagged fail");
  CHECK(degraded[2].message == "master 4f2d0bb8 (127.0.0.1:7103) is flagged fail");

  const auto contested = check_topology(example_dump("contested.nodes"));
  REQUIRE(contested.size() >= 3);
  CHECK(contested[0].subject == "5400-5460");
  CHECK(contested[0].message == "61 slots are claimed by more than one master: 5400-5460");
  CHECK(contested[1].code == finding_code::open_slot);
  CHECK(contested[1].subject == "16383");
  CHECK(contested[1].message ==
        "slot 16383 is open on 755275f2 (127.0.0.1:7101,redis-0.redis-headless): importing from 4f2d0bb8 "
        "(127.0.0.1:7103,redis-2.redis-headless)");
  const auto pfail = std::find_if(contested.begin(), contested.end(), [](const finding& f) {
    return f.subject == "88d531ebe4f7b051f23fdfc1b944ad362746f8b3";
  });
  REQUIRE(pfail != contested.end());
  CHECK(pfail->code == finding_code::node_failed);
  CHECK(pfail->message == "replica 88d531eb (127.0.0.1:7105,redis-4.redis-headless) is flagged fail?");
}

TEST_CASE("check_topology: one finding per observer whose view disagrees", "[planner][check]") {
  using namespace rcplan;
  const auto one = check_topology(with_lagging_view(1));
  REQUIRE(codes(one) == std::vector<std::string>{finding_code::views_disagree});
  CHECK(one.front().subject == "346c30a1f1aba49e490164b598282c3b252ff154");
  CHECK(one.front().message == "346c30a1 (127.0.0.1:7102) does not know d5ffc491");

  // a lagging node disagrees about many at once: three named, the rest counted
  const auto many = check_topology(with_lagging_view(5));
  REQUIRE(codes(many) == std::vector<std::string>{finding_code::views_disagree});
  CHECK(many.front().message.starts_with("346c30a1 (127.0.0.1:7102) does not know "));
  CHECK(many.front().message.ends_with(", and 2 more"));
}

TEST_CASE("check_topology: the same topology, the same findings", "[planner][check]") {
  const rcplan::topology t = example_dump("contested.nodes");
  CHECK(rcplan::check_topology(t) == rcplan::check_topology(t));
  rcplan::topology reversed = t;
  std::reverse(reversed.views.front().nodes.begin(), reversed.views.front().nodes.end());
  CHECK(rcplan::check_topology(reversed) == rcplan::check_topology(t));
}
