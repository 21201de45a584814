"""The Python module against the C++ CLI (the same plans, byte for byte) and bad input."""

import json
import os
import subprocess
import threading

import pytest

import rcplan

CLI = os.environ.get("RCPLAN_CLI", "rcplan")
SOURCE = os.environ.get("RCPLAN_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NODES = os.path.join(SOURCE, "examples", "data", "resharding.nodes")
HEALTHY = os.path.join(SOURCE, "examples", "data", "healthy.nodes")
SEED = os.path.join(SOURCE, "tests", "data", "fixtures", "distributedrediscluster.yaml")


def cli_json(*args):
    out = subprocess.run([CLI, *args, "-o", "json"], check=True, capture_output=True, text=True).stdout
    return out.rstrip("\n")


def pretty(doc):
    return json.dumps(doc, indent=2, ensure_ascii=False)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_versions():
    assert rcplan.version().count(".") == 2
    assert rcplan.ABI_VERSION == 1


@pytest.mark.parametrize("extra, options", [
    ([], None),
    (["--use-empty-masters"], {"use_empty_masters": True}),
    (["--use-empty-masters", "--max-concurrent", "1", "--threshold", "0"],
     {"use_empty_masters": True, "max_concurrent_migrations": 1, "threshold_percent": 0}),
])
def test_rebalance_plan_is_the_cli_plan_byte_for_byte(extra, options):
    want = cli_json("rebalance", "--cluster-nodes", NODES, "--dry-run", *extra)
    got = rcplan.plan_rebalance(rcplan.topology_from_cluster_nodes(read(NODES)), options)
    assert pretty(got) == want
    assert got["status"] == "actions_planned"


SEED_RESOURCE = {
    "apiVersion": "redis.kun/v1alpha1",
    "kind": "DistributedRedisCluster",
    "metadata": {"name": "example-distributedrediscluster"},
    "spec": {"image": "redis:5.0.4-alpine", "masterSize": 3, "clusterReplicas": 1,
             "storage": {"type": "persistent-claim", "size": "10Gi", "class": "csi-rbd-sc", "deleteClaim": True}},
}


@pytest.mark.parametrize("nodes", [HEALTHY, NODES])
def test_reconcile_is_the_cli_plan_byte_for_byte(tmp_path, nodes):
    spec = tmp_path / "resource.json"
    spec.write_text(json.dumps(SEED_RESOURCE))
    proc = subprocess.run([CLI, "plan", "--spec", str(spec), "--cluster-nodes", nodes, "-o", "json"],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 3), proc.stderr  # 3: the plan is blocked
    topology = rcplan.topology_from_cluster_nodes(read(nodes))
    got = rcplan.reconcile(topology, SEED_RESOURCE)
    assert pretty(got) == proc.stdout.rstrip("\n")
    status = rcplan.compute_status(topology, SEED_RESOURCE, got)
    assert status["status"]
    assert len(rcplan.desired_objects(SEED_RESOURCE)["statefulsets"]) == 3
    assert rcplan.validate_spec(SEED_RESOURCE) == []


def test_errors_carry_id_and_path():
    with pytest.raises(rcplan.RcplanError) as e:
        rcplan.parse_cluster_nodes("not a line\n")
    assert e.value.id == "rcplan.parse.cluster_nodes"
    assert "line 1" in e.value.message
    with pytest.raises(rcplan.RcplanError) as e:
        rcplan.plan_rebalance("{")
    assert e.value.id == "rcplan.json"
    with pytest.raises(rcplan.RcplanError) as e:
        rcplan.reconcile({}, {"apiVersion": "redis.kun/v1alpha1", "kind": "DistributedRedisCluster",
                              "metadata": {"name": "x"}, "spec": {"masterSize": "three"}})
    assert e.value.path == "spec.masterSize"
    with pytest.raises(rcplan.RcplanError) as e:
        rcplan.plan_rebalance({"views": []}, {"balance": "bytes"})
    assert e.value.path == "balance"


def test_threads_get_the_same_plans():
    topology = rcplan.topology_from_cluster_nodes(read(NODES))
    want = rcplan.plan_rebalance(topology, {"use_empty_masters": True})
    wrong = []

    def work():
        for _ in range(20):
            if rcplan.plan_rebalance(topology, {"use_empty_masters": True}) != want:
                wrong.append(1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong


def test_the_simulator_converges_reconcile_plans():
    for masters, replicas in [(3, 1), (2, 0), (4, 2)]:
        resource = json.loads(json.dumps(SEED_RESOURCE))
        resource["spec"].update({"masterSize": masters, "clusterReplicas": replicas})
        with rcplan.Simulator(seed=masters, node_timeout_ms=3000) as sim:
            for _ in range(150):
                topology = sim.topology()
                plan = rcplan.reconcile(topology, resource)
                if plan["status"] == "converged":
                    break
                result = sim.apply(plan)
                assert result["violation"] is None, result
                sim.tick()
            assert plan["status"] == "converged"
            assert len(topology["pods"]) == masters * (replicas + 1)


def test_check_plan():
    topology = rcplan.topology_from_cluster_nodes(read(NODES))
    assert rcplan.check_plan(topology, rcplan.plan_rebalance(topology, {"use_empty_masters": True})) is None
    view = topology["views"][0]["nodes"]
    other = next(n["id"] for n in view if not n.get("master_id") and n["slots"] and n["slots"][0][0] != 0)
    bad = {"status": "actions_planned",
           "steps": [{"wave": 0, "reason": "take slot 0", "action": {"type": "add_slots", "node": other, "slots": [[0, 0]]}}]}
    assert "ADDSLOTS of a busy slot" in rcplan.check_plan(topology, bad)


def test_repair_and_lower():
    topology = rcplan.topology_from_cluster_nodes(read(NODES))
    repair = rcplan.plan_repair(topology)
    assert repair["slots_repaired"] == 1 and not repair["blocked"]
    plan = rcplan.plan_rebalance(topology, {"use_empty_masters": True})
    steps = rcplan.lower(topology, plan, {"password": True})
    assert len(steps) == len(plan["steps"])
    moves = [c for s in steps for c in s["commands"] if c["type"] == "move_keys"]
    assert moves and all(m["auth"] for m in moves)
    with pytest.raises(rcplan.RcplanError) as e:
        rcplan.lower(topology, plan, {"key_batch": 0})
    assert e.value.path == "key_batch"
