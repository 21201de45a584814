#pragma once

// merged_nodes() for planners that only read the merged picture: one view listed in id order is
// its own merged picture (planners never read the `myself` flag merged_nodes() clears), so its
// lines are used in place instead of copied with their strings and slot sets.

#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>

#include <cstddef>
#include <vector>

namespace rcplan::planner_detail {

class merged_picture {
 public:
  explicit merged_picture(const topology& t) {
    if (t.views.size() == 1 && strictly_by_id(t.views.front().nodes)) {
      nodes_ = &t.views.front().nodes;
    } else {
      copy_ = merged_nodes(t);
      nodes_ = &copy_;
    }
  }
  merged_picture(const merged_picture&) = delete;
  merged_picture& operator=(const merged_picture&) = delete;

  [[nodiscard]] const std::vector<cluster_node>& nodes() const noexcept { return *nodes_; }

 private:
  static bool strictly_by_id(const std::vector<cluster_node>& v) {
    for (std::size_t i = 1; i < v.size(); ++i)
      if (!(v[i - 1].id < v[i].id)) return false;
    return true;
  }

  std::vector<cluster_node> copy_;
  const std::vector<cluster_node>* nodes_ = nullptr;
};

}  // namespace rcplan::planner_detail
