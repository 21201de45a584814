// Package rcplan calls rcplan's planners from Go through its C ABI (librcplan_c, rcplan/c.h):
// the plan for an observed Redis Cluster topology and a desired DistributedRedisCluster, a
// slot rebalance, the resource's status and the Kubernetes objects it wants.
//
// Build with the library and its header where cgo finds them, e.g.
//
//	CGO_CFLAGS=-I/opt/rcplan/include CGO_LDFLAGS=-L/opt/rcplan/lib go build
//
// (and the library on the loader's path at run time). Documents cross the boundary as JSON in
// rcplan's shapes; the types of this package mirror them. Only the standard library is used.
package rcplan

/*
#cgo LDFLAGS: -lrcplan_c
#include <stdlib.h>
#include <rcplan/c.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"unsafe"
)

// ABIVersion is the C ABI this package speaks; the library must report the same.
const ABIVersion = 1

// Error is a call's refusal: ID is stable (match on it), Path names the JSON field when the
// input did not have the expected shape.
type Error struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Path    string `json:"path,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Version is the library's version, "MAJOR.MINOR.PATCH".
func Version() string { return C.GoString(C.rcplan_version()) }

func checkABI() error {
	if v := int(C.rcplan_abi_version()); v != ABIVersion {
		return &Error{ID: "rcplan.c.abi", Message: fmt.Sprintf("librcplan_c speaks ABI %d, this package %d", v, ABIVersion)}
	}
	return nil
}

// cstring is nil for an empty document (an optional argument left out).
func cstring(doc []byte) *C.char {
	if doc == nil {
		return nil
	}
	return C.CString(string(doc))
}

func free(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// call runs one C entry point and returns its result document, or its error as *Error.
func call(f func(out **C.char) C.rcplan_status) ([]byte, error) {
	if err := checkABI(); err != nil {
		return nil, err
	}
	var out *C.char
	status := f(&out)
	if out == nil {
		return nil, &Error{ID: "rcplan.c.internal", Message: fmt.Sprintf("no document returned (status %d)", int(status))}
	}
	defer C.rcplan_free(out)
	text := []byte(C.GoString(out))
	if status != C.RCPLAN_OK {
		var doc struct {
			Error Error `json:"error"`
		}
		if err := json.Unmarshal(text, &doc); err != nil {
			return nil, &Error{ID: "rcplan.c.internal", Message: "unreadable error document: " + string(text)}
		}
		return nil, &doc.Error
	}
	return text, nil
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(v)
}

// callJSON marshals the inputs (nil stays absent), calls, and unmarshals the result into out.
func callJSON(out any, f func(args []*C.char, res **C.char) C.rcplan_status, inputs ...any) ([]byte, error) {
	args := make([]*C.char, len(inputs))
	for i, in := range inputs {
		doc, err := marshal(in)
		if err != nil {
			return nil, &Error{ID: "rcplan.go.marshal", Message: err.Error()}
		}
		args[i] = cstring(doc)
	}
	defer func() {
		for _, a := range args {
			free(a)
		}
	}()
	text, err := call(func(res **C.char) C.rcplan_status { return f(args, res) })
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(text, out); err != nil {
			return nil, &Error{ID: "rcplan.go.unmarshal", Message: err.Error()}
		}
	}
	return text, nil
}

// ParseClusterNodes reads CLUSTER NODES output (one node's view of the cluster).
func ParseClusterNodes(text string) (ClusterView, error) {
	var v ClusterView
	ct := C.CString(text)
	defer free(ct)
	doc, err := call(func(r **C.char) C.rcplan_status { return C.rcplan_parse_cluster_nodes(ct, r) })
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return v, &Error{ID: "rcplan.go.unmarshal", Message: err.Error()}
	}
	return v, nil
}

// TopologyFromClusterNodes is a topology holding the one view of text.
func TopologyFromClusterNodes(text string) (Topology, error) {
	v, err := ParseClusterNodes(text)
	if err != nil {
		return Topology{}, err
	}
	return Topology{Views: []ClusterView{v}}, nil
}

// Reconcile plans the next steps from the observed topology to the desired resource. The
// resource may be a Resource or its JSON as json.RawMessage; opts may be nil.
func Reconcile(t Topology, resource any, opts *ReconcileOptions) (Plan, error) {
	var p Plan
	var o any
	if opts != nil {
		o = opts
	}
	_, err := callJSON(&p, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_reconcile(a[0], a[1], a[2], r) },
		t, resource, o)
	return p, err
}

// PlanRebalance plans a slot rebalance of the observed topology; opts may be nil.
func PlanRebalance(t Topology, opts *RebalanceOptions) (Plan, error) {
	var p Plan
	var o any
	if opts != nil {
		o = opts
	}
	_, err := callJSON(&p, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_plan_rebalance(a[0], a[1], r) },
		t, o)
	return p, err
}

// PlanRebalanceJSON is PlanRebalance on and to JSON text, as the library writes it.
func PlanRebalanceJSON(topology, options []byte) ([]byte, error) {
	return callJSON(nil, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_plan_rebalance(a[0], a[1], r) },
		json.RawMessage(topology), rawOrNil(options))
}

// ReconcileJSON is Reconcile on and to JSON text, as the library writes it.
func ReconcileJSON(topology, resource, options []byte) ([]byte, error) {
	return callJSON(nil, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_reconcile(a[0], a[1], a[2], r) },
		json.RawMessage(topology), json.RawMessage(resource), rawOrNil(options))
}

func rawOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

// ComputeStatus is the resource's status for the topology and the plan made for them.
func ComputeStatus(t Topology, resource any, p Plan) (json.RawMessage, error) {
	return callJSON(nil, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_compute_status(a[0], a[1], a[2], r) },
		t, resource, p)
}

// DesiredObjects are the Kubernetes objects the resource wants, as JSON.
func DesiredObjects(resource any) (json.RawMessage, error) {
	return callJSON(nil, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_desired_objects(a[0], r) }, resource)
}

// ValidateSpec is the resource's diagnostics (after defaults); empty: valid.
func ValidateSpec(resource any) ([]Diagnostic, error) {
	var d []Diagnostic
	_, err := callJSON(&d, func(a []*C.char, r **C.char) C.rcplan_status { return C.rcplan_validate_spec(a[0], r) }, resource)
	return d, err
}

// RepairResult is plan_repair's answer: the steps that close open slots and cover uncovered
// ones, and each master's slots once they ran.
type RepairResult struct {
	Steps         []Step              `json:"steps"`
	Diagnostics   []Diagnostic        `json:"diagnostics"`
	Blocked       bool                `json:"blocked"`
	Ownership     map[string][][2]int `json:"ownership"`
	Unassigned    [][2]int            `json:"unassigned"`
	SlotsRepaired int                 `json:"slots_repaired"`
}

// PlanRepair plans the repair of the topology's open, uncovered and contested slots.
func PlanRepair(t Topology) (RepairResult, error) {
	var r RepairResult
	_, err := callJSON(&r, func(a []*C.char, res **C.char) C.rcplan_status { return C.rcplan_plan_repair(a[0], res) }, t)
	return r, err
}

// Command is one thing an executor does: a Redis command (Type "command": Node, Argv) or a
// loop moving a slot's keys (Type "move_keys": Source, Target, Slot, ...).
type Command struct {
	Type       string   `json:"type"`
	Node       string   `json:"node,omitempty"`
	Argv       []string `json:"argv,omitempty"`
	Source     string   `json:"source,omitempty"`
	Target     string   `json:"target,omitempty"`
	Slot       int      `json:"slot,omitempty"`
	TargetHost string   `json:"target_host,omitempty"`
	TargetPort int      `json:"target_port,omitempty"`
	Batch      int      `json:"batch,omitempty"`
	TimeoutMs  int      `json:"timeout_ms,omitempty"`
	Auth       bool     `json:"auth,omitempty"`
}

// LoweredStep is one plan step's commands.
type LoweredStep struct {
	Wave     int       `json:"wave"`
	Reason   string    `json:"reason"`
	Commands []Command `json:"commands"`
}

// LowerOptions are lower's options; zero values take the library's defaults.
type LowerOptions struct {
	KeyBatch           int   `json:"key_batch,omitempty"`
	MigrateTimeoutMs   int   `json:"migrate_timeout_ms,omitempty"`
	Password           bool  `json:"password,omitempty"` // MIGRATE with AUTH "<secret>", the executor's to fill in
	NotifyOtherMasters *bool `json:"notify_other_masters,omitempty"`
}

// Lower turns a plan's steps into the commands an executor sends to the topology's nodes.
func Lower(t Topology, p Plan, opts *LowerOptions) ([]LoweredStep, error) {
	var steps []LoweredStep
	var o any
	if opts != nil {
		o = opts
	}
	_, err := callJSON(&steps, func(a []*C.char, res **C.char) C.rcplan_status { return C.rcplan_lower(a[0], a[1], a[2], res) },
		t, p, o)
	return steps, err
}
