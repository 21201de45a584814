"""Plan a rebalance from one node's CLUSTER NODES output, as a Python controller would.

    RCPLAN_C_LIBRARY=build/bindings/c/librcplan_c.so PYTHONPATH=bindings/python \
        python3 examples/python/rebalance.py examples/data/resharding.nodes
"""

import sys

import rcplan

with open(sys.argv[1], encoding="utf-8") as f:
    topology = rcplan.topology_from_cluster_nodes(f.read())
plan = rcplan.plan_rebalance(topology, {"use_empty_masters": True})
print(f"{plan['status']}, {len(plan['steps'])} steps")
for step in plan["steps"]:
    print(f"wave {step['wave']}: {step['reason']}")
