package rcplan

/*
#include <stdlib.h>
#include <rcplan/c.h>
*/
import "C"

import "runtime"

// CheckPlan runs p on a simulated cluster built from t (Redis' refusals, the invariants of slot
// ownership and migration, keys counted): "" when it runs cleanly, else the first problem.
func CheckPlan(t Topology, p Plan) (string, error) {
	var r struct {
		Safe    bool   `json:"safe"`
		Problem string `json:"problem"`
	}
	_, err := callJSON(&r, func(a []*C.char, res **C.char) C.rcplan_status { return C.rcplan_check_plan(a[0], a[1], res) }, t, p)
	return r.Problem, err
}

// SimulatorOptions configure a Simulator; zero values take the library's defaults.
type SimulatorOptions struct {
	Seed          uint64 `json:"seed,omitempty"`
	NodeTimeoutMs uint64 `json:"node_timeout_ms,omitempty"`
	TickMs        uint64 `json:"tick_ms,omitempty"`
}

// Violation is a refusal by Redis or a broken invariant the simulator found.
type Violation struct {
	Invariant string `json:"invariant"`
	Detail    string `json:"detail"`
}

// ApplyResult says how far a plan ran in the simulator.
type ApplyResult struct {
	StepsApplied int        `json:"steps_applied"`
	Complete     bool       `json:"complete"` // false: a wait did not hold yet, or a violation
	Violation    *Violation `json:"violation"`
	Keys         uint64     `json:"keys"`
}

// Simulator is a simulated Kubernetes deployment of a Redis Cluster to run a controller's loop
// against: observe with Topology, plan, Apply, Tick, again. Not safe for concurrent use.
type Simulator struct {
	p *C.rcplan_sim
}

// NewSimulator makes an empty world; Close frees it (a finalizer does too).
func NewSimulator(o SimulatorOptions) (*Simulator, error) {
	s := &Simulator{}
	_, err := callJSON(nil, func(a []*C.char, res **C.char) C.rcplan_status { return C.rcplan_sim_new(a[0], &s.p, res) }, o)
	if err != nil {
		return nil, err
	}
	runtime.SetFinalizer(s, (*Simulator).Close)
	return s, nil
}

// Close frees the world.
func (s *Simulator) Close() {
	if s.p != nil {
		C.rcplan_sim_free(s.p)
		s.p = nil
	}
}

// Topology is what a controller observes now.
func (s *Simulator) Topology() (Topology, error) {
	var t Topology
	_, err := callJSON(&t, func(_ []*C.char, res **C.char) C.rcplan_status { return C.rcplan_sim_topology(s.p, res) })
	return t, err
}

// Apply runs a plan's steps in wave order as a binding would.
func (s *Simulator) Apply(p Plan) (ApplyResult, error) {
	var r ApplyResult
	_, err := callJSON(&r, func(a []*C.char, res **C.char) C.rcplan_status { return C.rcplan_sim_apply(s.p, a[0], res) }, p)
	return r, err
}

// Tick lets n ticks pass: pods start, failed masters fail over.
func (s *Simulator) Tick(n int) error {
	_, err := callJSON(nil, func(_ []*C.char, res **C.char) C.rcplan_status { return C.rcplan_sim_tick(s.p, C.int(n), res) })
	return err
}
