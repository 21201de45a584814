"""rcplan's planners from Python: ctypes over the C ABI (librcplan_c, rcplan/c.h), no build step.

Documents go in and come out as Python dicts and lists (or JSON text, which is passed as is),
in the shapes of rcplan's JSON: the observed topology, the DistributedRedisCluster resource,
plans and options. Errors raise RcplanError carrying the C++ exception's id, message and, for
JSON errors, the path of the offending field.

The library is found through $RCPLAN_C_LIBRARY (a path), else the system's library search.
"""

import ctypes
import ctypes.util
import json
import os
import threading

__all__ = [
    "ABI_VERSION", "RcplanError", "version", "parse_cluster_nodes", "topology_from_cluster_nodes",
    "validate_spec", "desired_objects", "reconcile", "plan_rebalance", "compute_status", "check_plan",
    "plan_repair", "lower",
    "Simulator",
]

#: The C ABI this module speaks (RCPLAN_ABI_VERSION of rcplan/c.h).
ABI_VERSION = 1


class RcplanError(Exception):
    """A call refused its input: `id` is stable (match on it), `path` names the JSON field."""

    def __init__(self, id, message, path=None):
        super().__init__(message)
        self.id = id
        self.message = message
        self.path = path


_lib = None
_lock = threading.Lock()

_CALLS = {
    "rcplan_parse_cluster_nodes": 1,
    "rcplan_validate_spec": 1,
    "rcplan_desired_objects": 1,
    "rcplan_reconcile": 3,
    "rcplan_plan_rebalance": 2,
    "rcplan_compute_status": 3,
    "rcplan_check_plan": 2,
    "rcplan_plan_repair": 1,
    "rcplan_lower": 3,
}


def _library():
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        path = os.environ.get("RCPLAN_C_LIBRARY") or ctypes.util.find_library("rcplan_c")
        if not path:
            raise OSError("librcplan_c not found: set RCPLAN_C_LIBRARY to its path")
        lib = ctypes.CDLL(path)
        lib.rcplan_abi_version.restype = ctypes.c_int
        lib.rcplan_abi_version.argtypes = []
        lib.rcplan_version.restype = ctypes.c_char_p
        lib.rcplan_version.argtypes = []
        lib.rcplan_free.restype = None
        lib.rcplan_free.argtypes = [ctypes.c_void_p]
        for name, inputs in _CALLS.items():
            fn = getattr(lib, name)
            fn.restype = ctypes.c_int
            fn.argtypes = [ctypes.c_char_p] * inputs + [ctypes.POINTER(ctypes.c_void_p)]
        lib.rcplan_sim_new.restype = ctypes.c_int
        lib.rcplan_sim_new.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
        lib.rcplan_sim_apply.restype = ctypes.c_int
        lib.rcplan_sim_apply.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.rcplan_sim_tick.restype = ctypes.c_int
        lib.rcplan_sim_tick.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
        lib.rcplan_sim_topology.restype = ctypes.c_int
        lib.rcplan_sim_topology.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.rcplan_sim_free.restype = None
        lib.rcplan_sim_free.argtypes = [ctypes.c_void_p]
        found = lib.rcplan_abi_version()
        if found != ABI_VERSION:
            raise OSError(f"{path} speaks rcplan ABI {found}, this module {ABI_VERSION}")
        _lib = lib
        return lib


def _text(doc):
    if doc is None:
        return None
    if isinstance(doc, (bytes, str)):
        return doc.encode() if isinstance(doc, str) else doc
    return json.dumps(doc, ensure_ascii=False).encode()


def _call(name, *docs):
    return _result(name, lambda lib, out: getattr(lib, name)(*[_text(d) for d in docs], out))


def _result(name, invoke):
    lib = _library()
    out = ctypes.c_void_p()
    status = invoke(lib, ctypes.byref(out))
    if not out.value:
        raise MemoryError(f"{name} returned no document (status {status})")
    try:
        text = ctypes.string_at(out.value).decode("utf-8")
    finally:
        lib.rcplan_free(out)
    doc = json.loads(text)
    if status != 0:
        e = doc["error"]
        raise RcplanError(e["id"], e["message"], e.get("path"))
    return doc


def version():
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _library().rcplan_version().decode()


def parse_cluster_nodes(text):
    """CLUSTER NODES output (one observer's view) -> {"observer": ..., "nodes": [...]}."""
    return _call("rcplan_parse_cluster_nodes", text)


def topology_from_cluster_nodes(text):
    """A topology holding the one view of `text` (what a planner needs at least)."""
    return {"views": [parse_cluster_nodes(text)]}


def validate_spec(resource):
    """The resource's diagnostics (after defaults); empty: valid."""
    return _call("rcplan_validate_spec", resource)


def desired_objects(resource):
    """The StatefulSets, Services, PDBs and ConfigMap the resource wants."""
    return _call("rcplan_desired_objects", resource)


def reconcile(topology, resource, options=None):
    """The next plan from the observed topology to the desired resource."""
    return _call("rcplan_reconcile", topology, resource, options)


def plan_rebalance(topology, options=None):
    """A rebalance plan; options: weights, use_empty_masters, threshold_percent, ..."""
    return _call("rcplan_plan_rebalance", topology, options)


def compute_status(topology, resource, plan):
    """The resource's status for the topology and the plan made for it."""
    return _call("rcplan_compute_status", topology, resource, plan)


def plan_repair(topology):
    """The repair of open, uncovered and contested slots: {"steps", "diagnostics", "blocked",
    "ownership", "unassigned", "slots_repaired"}."""
    return _call("rcplan_plan_repair", topology)


def lower(topology, plan, options=None):
    """A plan's steps as the commands an executor sends: [{"wave", "reason", "commands"}];
    options: key_batch, migrate_timeout_ms, password, notify_other_masters."""
    return _call("rcplan_lower", topology, plan, options)


def check_plan(topology, plan):
    """Runs `plan` on a simulated cluster built from `topology`: None when it runs cleanly,
    else the first problem (a refusal by Redis, a broken invariant, a key lost)."""
    r = _call("rcplan_check_plan", topology, plan)
    return None if r["safe"] else r["problem"]


class Simulator:
    """A simulated Kubernetes deployment of a Redis Cluster to run a controller's loop against:
    observe with topology(), plan, apply(), tick(), again. Not thread-safe; close() frees it
    (so does leaving a `with` block)."""

    def __init__(self, seed=0, node_timeout_ms=5000, tick_ms=1000):
        self._p = ctypes.c_void_p()
        options = {"seed": seed, "node_timeout_ms": node_timeout_ms, "tick_ms": tick_ms}
        _result("rcplan_sim_new", lambda lib, out: lib.rcplan_sim_new(_text(options), ctypes.byref(self._p), out))

    def topology(self):
        """What a controller observes now."""
        return _result("rcplan_sim_topology", lambda lib, out: lib.rcplan_sim_topology(self._p, out))

    def apply(self, plan):
        """Runs a plan's steps in wave order: {"steps_applied", "complete", "violation", "keys"}."""
        return _result("rcplan_sim_apply", lambda lib, out: lib.rcplan_sim_apply(self._p, _text(plan), out))

    def tick(self, ticks=1):
        """Lets ticks pass: pods start, failed masters fail over."""
        return _result("rcplan_sim_tick", lambda lib, out: lib.rcplan_sim_tick(self._p, ticks, out))

    def close(self):
        if self._p:
            _library().rcplan_sim_free(self._p)
            self._p = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
