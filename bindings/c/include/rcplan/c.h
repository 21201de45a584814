/* rcplan's C ABI: the planners for programs in any language that can call C (Go through cgo,
 * Python through ctypes). JSON in, JSON out, in the shapes of rcplan's own JSON layer: the
 * observed topology, the DistributedRedisCluster resource, plans, options.
 *
 * Every call returns a status and, through `out`, a string the caller owns and frees with
 * rcplan_free(): the result on RCPLAN_OK, else an error document
 *
 *   {"error": {"id": "rcplan.json", "message": "...", "path": "spec.masterSize"}}
 *
 * whose id and message are those of the C++ exception (`path` only for JSON errors). No C++
 * exception crosses this boundary. Calls share no state: they are thread-safe and reentrant.
 * C99; every exported symbol starts with `rcplan_`. */
#ifndef RCPLAN_C_H
#define RCPLAN_C_H

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes; compare with rcplan_abi_version() when loading the library
 * dynamically (a different number: the calls or their JSON changed incompatibly). */
#define RCPLAN_ABI_VERSION 1

typedef enum rcplan_status {
  RCPLAN_OK = 0,
  RCPLAN_INVALID_INPUT = 1, /* malformed JSON or text, a wrong type or value: see the error */
  RCPLAN_INVALID_ARGUMENT = 2, /* a null pointer where a document is required */
  RCPLAN_INTERNAL = 3 /* anything else (out of memory): the error says what */
} rcplan_status;

/* The ABI version the library was built with (RCPLAN_ABI_VERSION of its header). */
int rcplan_abi_version(void);

/* The library's version, "MAJOR.MINOR.PATCH"; static, never freed. */
const char* rcplan_version(void);

/* Frees a string returned through `out`; null is ignored. */
void rcplan_free(char* s);

/* CLUSTER NODES text (one observer's view) -> the view as JSON {"observer", "nodes": [...]};
 * a garbled line: RCPLAN_INVALID_INPUT with id rcplan.parse.cluster_nodes and its line. */
rcplan_status rcplan_parse_cluster_nodes(const char* text, char** out);

/* A DistributedRedisCluster resource (JSON) -> the diagnostics of validate() on its spec with
 * defaults applied, as a JSON array (empty: valid). */
rcplan_status rcplan_validate_spec(const char* resource_json, char** out);

/* A resource -> the Kubernetes objects it wants (StatefulSets, Services, PDBs, ConfigMap). */
rcplan_status rcplan_desired_objects(const char* resource_json, char** out);

/* The observed topology and the desired resource -> the next plan. `options_json` may be null:
 * {"node_timeout_ms": 15000, "restore": <backup manifest>}. */
rcplan_status rcplan_reconcile(const char* topology_json, const char* resource_json, const char* options_json,
                               char** out);

/* The observed topology -> a rebalance plan. `options_json` may be null: {"weights": {"<node
 * id>": 1.0}, "use_empty_masters": false, "threshold_percent": 2.0,
 * "max_concurrent_migrations": 0, "balance": "slots" | "keys"}. */
rcplan_status rcplan_plan_rebalance(const char* topology_json, const char* options_json, char** out);

/* The topology, the resource and the plan made for them -> the resource's status. */
rcplan_status rcplan_compute_status(const char* topology_json, const char* resource_json, const char* plan_json,
                                    char** out);

/* The observed topology -> plan_repair()'s result: the steps that close open slots and cover
 * uncovered ones, {"steps", "diagnostics", "blocked", "ownership": {"<master id>": [[a, b]]},
 * "unassigned", "slots_repaired"}. */
rcplan_status rcplan_plan_repair(const char* topology_json, char** out);

/* A plan's steps lowered to what an executor sends, against the nodes of `topology_json`:
 * [{"wave", "reason", "commands": [{"type": "command", "node", "argv"} |
 *   {"type": "move_keys", "source", "target", "slot", "target_host", "target_port", "batch",
 *    "timeout_ms", "auth"}]}]. `options_json` may be null: {"key_batch": 100,
 * "migrate_timeout_ms": 5000, "password": false, "notify_other_masters": true}. A password
 * appears only as the placeholder "<secret>". */
rcplan_status rcplan_lower(const char* topology_json, const char* plan_json, const char* options_json, char** out);

/* Runs `plan_json` on a simulated cluster built from `topology_json` (rcplan's simulator:
 * Redis' refusals, the invariants of slot ownership and migration, keys counted) ->
 * {"safe": true} or {"safe": false, "problem": "..."}. */
rcplan_status rcplan_check_plan(const char* topology_json, const char* plan_json, char** out);

/* A simulated Kubernetes deployment of a Redis Cluster (StatefulSets, pods on hosts in zones,
 * claims, Redis failing over after the node timeout) to run a controller's loop against:
 * observe with rcplan_sim_topology(), plan, rcplan_sim_apply(), rcplan_sim_tick(), again.
 * Deterministic. A handle is not thread-safe: use one per thread. */
typedef struct rcplan_sim rcplan_sim;

/* A new, empty world. `options_json` may be null: {"seed": 0, "node_timeout_ms": 5000,
 * "tick_ms": 1000}. `*sim` is set on RCPLAN_OK (free it with rcplan_sim_free()); `out` gets
 * "{}" or the error. */
rcplan_status rcplan_sim_new(const char* options_json, rcplan_sim** sim, char** out);

/* Applies a plan's steps in wave order as a binding would: a wait that does not hold now ends
 * the run (a binding's wait would time out), the first refusal or broken invariant stops it.
 * -> {"steps_applied": n, "complete": true|false, "violation": null | {"invariant", "detail"},
 *     "keys": total keys in the cluster} */
rcplan_status rcplan_sim_apply(rcplan_sim* sim, const char* plan_json, char** out);

/* Lets `ticks` ticks pass (pods start, failed masters fail over) -> {"now_ms": ...}. */
rcplan_status rcplan_sim_tick(rcplan_sim* sim, int ticks, char** out);

/* What a controller observes now: the topology JSON. */
rcplan_status rcplan_sim_topology(const rcplan_sim* sim, char** out);

/* Frees the world; null is ignored. */
void rcplan_sim_free(rcplan_sim* sim);

#ifdef __cplusplus
}
#endif

#endif /* RCPLAN_C_H */
