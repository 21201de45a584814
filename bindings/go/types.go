package rcplan

import "encoding/json"

// The documents of rcplan's JSON layer as Go types. Fields the planners fill in but Go code
// rarely reads (node observations: replication, keys per slot, configuration) stay raw JSON,
// so nothing is lost on the way back.

// Address is a node's address as CLUSTER NODES gives it.
type Address struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	BusPort  int    `json:"bus_port"`
	Hostname string `json:"hostname,omitempty"`
}

// OpenSlot is a slot a node migrates out of ("migrating") or imports into ("importing").
type OpenSlot struct {
	Number int    `json:"number"`
	Dir    string `json:"dir"`
	Peer   string `json:"peer"`
}

// ClusterNode is one line of CLUSTER NODES.
type ClusterNode struct {
	ID           string     `json:"id"`
	Addr         Address    `json:"addr"`
	Flags        []string   `json:"flags,omitempty"`
	MasterID     string     `json:"master_id,omitempty"`
	PingSent     uint64     `json:"ping_sent"`
	PongReceived uint64     `json:"pong_received"`
	ConfigEpoch  uint64     `json:"config_epoch"`
	Link         string     `json:"link,omitempty"`
	Slots        [][2]int   `json:"slots,omitempty"` // inclusive ranges
	OpenSlots    []OpenSlot `json:"open_slots,omitempty"`
}

// ClusterView is what one node (the observer) says about the cluster.
type ClusterView struct {
	Observer string        `json:"observer"`
	Nodes    []ClusterNode `json:"nodes,omitempty"`
}

// Pod is a Kubernetes pod running a node.
type Pod struct {
	Name        string `json:"name"`
	ShardIndex  int    `json:"shard_index"`
	Ordinal     int    `json:"ordinal"`
	KubeNode    string `json:"kube_node,omitempty"`
	Zone        string `json:"zone,omitempty"`
	IP          string `json:"ip,omitempty"`
	Port        int    `json:"port,omitempty"`
	Ready       bool   `json:"ready"`
	Terminating bool   `json:"terminating"`
	Revision    string `json:"revision,omitempty"`
}

// StatefulSet is one shard's StatefulSet as observed.
type StatefulSet struct {
	Name            string `json:"name"`
	ShardIndex      int    `json:"shard_index"`
	Replicas        int    `json:"replicas"`
	ReadyReplicas   int    `json:"ready_replicas"`
	CurrentRevision string `json:"current_revision,omitempty"`
	UpdateRevision  string `json:"update_revision,omitempty"`
	Image           string `json:"image,omitempty"`
	ConfigHash      string `json:"config_hash,omitempty"`
	PasswordSecret  string `json:"password_secret,omitempty"`
}

// Topology is the observed cluster: the nodes' views, what was observed of each node, and the
// Kubernetes half.
type Topology struct {
	Views        []ClusterView     `json:"views,omitempty"`
	Observations []json.RawMessage `json:"observations,omitempty"`
	Pods         []Pod             `json:"pods,omitempty"`
	StatefulSets []StatefulSet     `json:"statefulsets,omitempty"`
	ObservedAtMs uint64            `json:"observed_at_ms,omitempty"`
}

// Metadata names a resource.
type Metadata struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// Storage is spec.storage.
type Storage struct {
	Type        string `json:"type"`
	Size        string `json:"size,omitempty"`
	Class       string `json:"class,omitempty"`
	DeleteClaim bool   `json:"deleteClaim,omitempty"`
}

// SecretRef names a Secret.
type SecretRef struct {
	Name string `json:"name"`
}

// ClusterSpec is the spec of a DistributedRedisCluster, with its most used fields typed; the
// others (resources, affinity, monitor, ...) go in Extra and are written as given.
type ClusterSpec struct {
	Image           string                     `json:"image,omitempty"`
	MasterSize      *int                       `json:"masterSize,omitempty"`      // nil: the default (3)
	ClusterReplicas *int                       `json:"clusterReplicas,omitempty"` // nil: the default (1); 0 is none
	PasswordSecret  *SecretRef                 `json:"passwordSecret,omitempty"`
	Storage         *Storage                   `json:"storage,omitempty"`
	Extra           map[string]json.RawMessage `json:"-"`
}

// MarshalJSON writes the typed fields and Extra's.
func (s ClusterSpec) MarshalJSON() ([]byte, error) {
	type plain ClusterSpec
	typed, err := json.Marshal(plain(s))
	if err != nil || len(s.Extra) == 0 {
		return typed, err
	}
	all := map[string]json.RawMessage{}
	if err := json.Unmarshal(typed, &all); err != nil {
		return nil, err
	}
	for k, v := range s.Extra {
		if _, known := all[k]; !known {
			all[k] = v
		}
	}
	return json.Marshal(all)
}

// UnmarshalJSON reads the typed fields and keeps the others in Extra.
func (s *ClusterSpec) UnmarshalJSON(b []byte) error {
	type plain ClusterSpec
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, k := range []string{"image", "masterSize", "clusterReplicas", "passwordSecret", "storage"} {
		delete(all, k)
	}
	*s = ClusterSpec(p)
	if len(all) > 0 {
		s.Extra = all
	}
	return nil
}

// Int is a pointer to v, for the optional counts of ClusterSpec.
func Int(v int) *int { return &v }

// Resource is a DistributedRedisCluster.
type Resource struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Metadata   Metadata    `json:"metadata"`
	Spec       ClusterSpec `json:"spec"`
}

// Diagnostic is a planner's finding: severity (info, warning, error), a stable code, the
// subject (a node, a field) and a message.
type Diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Subject  string `json:"subject,omitempty"`
	Message  string `json:"message"`
}

// Action is one step's action: its type ("migrate_slots", "replicate", "apply_statefulset",
// ...) and the whole action as JSON (rcplan's plan JSON describes each).
type Action struct {
	Type string
	JSON json.RawMessage
}

// MarshalJSON writes the action as it was read.
func (a Action) MarshalJSON() ([]byte, error) { return a.JSON, nil }

// UnmarshalJSON keeps the action and reads its type.
func (a *Action) UnmarshalJSON(b []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	a.Type = head.Type
	a.JSON = append(json.RawMessage(nil), b...)
	return nil
}

// Step is one step of a plan; steps of one wave may run at once.
type Step struct {
	Wave   int    `json:"wave"`
	Reason string `json:"reason"`
	Action Action `json:"action"`
}

// Summary sums a plan up.
type Summary struct {
	SlotsMoved  int            `json:"slots_moved"`
	LowerBound  int            `json:"lower_bound"`
	KeysMoved   uint64         `json:"keys_moved,omitempty"`
	RangesAfter map[string]int `json:"ranges_after"`
}

// Plan is a planner's answer: converged, actions_planned, waiting or blocked, with why.
type Plan struct {
	Status      string       `json:"status"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Steps       []Step       `json:"steps"`
	Summary     Summary      `json:"summary"`
}

// RebalanceOptions are plan_rebalance's options.
type RebalanceOptions struct {
	Weights                 map[string]float64 `json:"weights,omitempty"`
	UseEmptyMasters         bool               `json:"use_empty_masters,omitempty"`
	ThresholdPercent        *float64           `json:"threshold_percent,omitempty"` // nil: 2
	MaxConcurrentMigrations int                `json:"max_concurrent_migrations,omitempty"`
	MaxMigrationsPerNode    *int               `json:"max_migrations_per_node,omitempty"` // nil: rcplan's default; 0: no limit
	Balance                 string             `json:"balance,omitempty"`                 // "slots" (default) or "keys"
}

// ReconcileOptions are reconcile's options.
type ReconcileOptions struct {
	NodeTimeoutMs uint64          `json:"node_timeout_ms,omitempty"`
	Restore       json.RawMessage `json:"restore,omitempty"` // a backup manifest
}
