package rcplan

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
)

func source(t *testing.T, parts ...string) string {
	root := os.Getenv("RCPLAN_SOURCE_DIR")
	if root == "" {
		root = filepath.Join("..", "..")
	}
	return filepath.Join(append([]string{root}, parts...)...)
}

func cli(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := os.Getenv("RCPLAN_CLI")
	if bin == "" {
		t.Skip("RCPLAN_CLI is not set")
	}
	out, err := exec.Command(bin, append(args, "-o", "json")...).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 3) { // 3: a blocked plan
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return bytes.TrimRight(out, "\n")
}

func pretty(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func marshalPlain(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func topologyOf(t *testing.T, file string) (Topology, []byte) {
	t.Helper()
	text, err := os.ReadFile(source(t, "examples", "data", file))
	if err != nil {
		t.Fatal(err)
	}
	top, err := TopologyFromClusterNodes(string(text))
	if err != nil {
		t.Fatal(err)
	}
	return top, marshalPlain(t, top)
}

func TestVersion(t *testing.T) {
	if strings.Count(Version(), ".") != 2 {
		t.Fatalf("version %q", Version())
	}
}

func TestRebalanceIsTheCLIPlanByteForByte(t *testing.T) {
	cases := []struct {
		flags   []string
		options []byte
	}{
		{nil, nil},
		{[]string{"--use-empty-masters"}, []byte(`{"use_empty_masters": true}`)},
		{[]string{"--use-empty-masters", "--max-concurrent", "1", "--threshold", "0"},
			[]byte(`{"use_empty_masters": true, "max_concurrent_migrations": 1, "threshold_percent": 0}`)},
	}
	top, topJSON := topologyOf(t, "resharding.nodes")
	for _, c := range cases {
		want := cli(t, append([]string{"rebalance", "--cluster-nodes", source(t, "examples", "data", "resharding.nodes"), "--dry-run"}, c.flags...)...)
		raw, err := PlanRebalanceJSON(topJSON, c.options)
		if err != nil {
			t.Fatal(err)
		}
		if got := pretty(t, raw); !bytes.Equal(got, want) {
			t.Fatalf("flags %v: the library's plan\n%s\nis not the CLI's\n%s", c.flags, got, want)
		}
		// the typed plan loses nothing
		var p Plan
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if back := marshalPlain(t, p); !bytes.Equal(back, raw) {
			t.Fatalf("typed round trip\n%s\n!=\n%s", back, raw)
		}
	}
	p, err := PlanRebalance(top, &RebalanceOptions{UseEmptyMasters: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "actions_planned" || p.Steps[0].Action.Type != "migrate_slots" {
		t.Fatalf("plan %+v", p)
	}
}

func TestCheckPlan(t *testing.T) {
	top, _ := topologyOf(t, "resharding.nodes")
	p, err := PlanRebalance(top, &RebalanceOptions{UseEmptyMasters: true})
	if err != nil {
		t.Fatal(err)
	}
	if problem, err := CheckPlan(top, p); err != nil || problem != "" {
		t.Fatalf("the planner's plan: %v %q", err, problem)
	}
	// a hand-written step giving a master a slot another master serves
	var other string // a master that does not serve slot 0
	for _, n := range top.Views[0].Nodes {
		if n.MasterID == "" && len(n.Slots) > 0 && n.Slots[0][0] != 0 {
			other = n.ID
		}
	}
	bad := Plan{Status: "actions_planned", Steps: []Step{{Wave: 0, Reason: "take slot 0",
		Action: Action{Type: "add_slots", JSON: json.RawMessage(`{"type": "add_slots", "node": "` + other + `", "slots": [[0, 0]]}`)}}}}
	problem, err := CheckPlan(top, bad)
	if err != nil || !strings.Contains(problem, "ADDSLOTS of a busy slot") {
		t.Fatalf("a plan taking a served slot: %v %q", err, problem)
	}
}

func TestRepairAndLower(t *testing.T) {
	top, _ := topologyOf(t, "resharding.nodes")
	r, err := PlanRepair(top)
	if err != nil || r.Blocked || r.SlotsRepaired != 1 || len(r.Ownership) != 4 {
		t.Fatalf("repair %+v, %v", r, err)
	}
	p, err := PlanRebalance(top, &RebalanceOptions{UseEmptyMasters: true})
	if err != nil {
		t.Fatal(err)
	}
	steps, err := Lower(top, p, &LowerOptions{Password: true})
	if err != nil || len(steps) != len(p.Steps) {
		t.Fatalf("lowered %d steps of %d: %v", len(steps), len(p.Steps), err)
	}
	moves := 0
	for _, s := range steps {
		for _, c := range s.Commands {
			if c.Type == "move_keys" {
				moves++
				if !c.Auth || c.TargetPort == 0 {
					t.Fatalf("move %+v", c)
				}
			}
		}
	}
	if moves == 0 {
		t.Fatal("no key moves in a plan that migrates slots")
	}
	if _, err := Lower(top, p, &LowerOptions{KeyBatch: -1}); err == nil {
		t.Fatal("a negative batch was accepted")
	}
}

var seed0 = Resource{
	APIVersion: "redis.kun/v1alpha1",
	Kind:       "DistributedRedisCluster",
	Metadata:   Metadata{Name: "example-distributedrediscluster"},
	Spec: ClusterSpec{Image: "redis:5.0.4-alpine", MasterSize: Int(3), ClusterReplicas: Int(1),
		Storage: &Storage{Type: "persistent-claim", Size: "10Gi", Class: "csi-rbd-sc", DeleteClaim: true}},
}

func TestReconcileIsTheCLIPlanByteForByte(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "resource.json")
	if err := os.WriteFile(spec, marshalPlain(t, seed0), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, nodes := range []string{"healthy.nodes", "resharding.nodes"} {
		top, topJSON := topologyOf(t, nodes)
		want := cli(t, "plan", "--spec", spec, "--cluster-nodes", source(t, "examples", "data", nodes))
		raw, err := ReconcileJSON(topJSON, marshalPlain(t, seed0), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := pretty(t, raw); !bytes.Equal(got, want) {
			t.Fatalf("%s: the library's plan\n%s\nis not the CLI's\n%s", nodes, got, want)
		}
		p, err := Reconcile(top, seed0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ComputeStatus(top, seed0, p); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := ValidateSpec(seed0); err != nil || len(d) != 0 {
		t.Fatalf("diagnostics %v, %v", d, err)
	}
}

func TestBadInputIsAnErrorWithItsIDAndPath(t *testing.T) {
	if _, err := ParseClusterNodes("not a line\n"); err == nil {
		t.Fatal("a garbled line was read")
	} else if e := new(Error); !errors.As(err, &e) || e.ID != "rcplan.parse.cluster_nodes" || !strings.Contains(e.Message, "line 1") {
		t.Fatalf("error %#v", err)
	}
	_, top := topologyOf(t, "resharding.nodes")
	for _, bad := range [][]byte{[]byte("{"), top[:len(top)/2], []byte("[1, 2"), []byte(""), []byte("\xff\xfe"),
		bytes.Repeat([]byte("["), 200000), []byte(`{"views": 3}`), []byte(`{"views": [{"observer": 1}]}`)} {
		_, err := PlanRebalanceJSON(bad, nil)
		var e *Error
		if !errors.As(err, &e) || e.ID != "rcplan.json" {
			t.Fatalf("input %.40q: error %#v", bad, err)
		}
	}
	wrong := json.RawMessage(`{"apiVersion": "redis.kun/v1alpha1", "kind": "DistributedRedisCluster",
		"metadata": {"name": "x"}, "spec": {"masterSize": "three"}}`)
	_, err := Reconcile(Topology{}, wrong, nil)
	var e *Error
	if !errors.As(err, &e) || e.Path != "spec.masterSize" {
		t.Fatalf("error %#v", err)
	}
	_, err = PlanRebalance(Topology{}, &RebalanceOptions{Balance: "bytes"})
	if !errors.As(err, &e) || e.Path != "balance" {
		t.Fatalf("error %#v", err)
	}
}

// Weights a Go operator might choose: every plan is deterministic, and moves slots only from
// masters that hold them to masters of the cluster.
func TestGeneratedWeightsPlanSoundly(t *testing.T) {
	top, _ := topologyOf(t, "resharding.nodes")
	holds := map[string]bool{}
	masters := []string{}
	for _, n := range top.Views[0].Nodes {
		for _, f := range n.Flags {
			if f == "master" {
				masters = append(masters, n.ID)
				holds[n.ID] = len(n.Slots) > 0
			}
		}
	}
	check := func(seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		o := &RebalanceOptions{Weights: map[string]float64{}, UseEmptyMasters: r.Intn(2) == 0}
		for _, m := range masters {
			o.Weights[m] = float64(r.Intn(5))
		}
		a, errA := PlanRebalance(top, o)
		b, errB := PlanRebalance(top, o)
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			return false
		}
		if errA != nil {
			var e *Error
			return errors.As(errA, &e) && e.ID != ""
		}
		for _, s := range a.Steps {
			if s.Action.Type != "migrate_slots" {
				continue
			}
			var m struct{ Source, Target string }
			if json.Unmarshal(s.Action.JSON, &m) != nil || !holds[m.Source] {
				return false
			}
			if _, ok := holds[m.Target]; !ok {
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 200}); err != nil {
		t.Fatal(err)
	}
}

// Resources a Go operator might generate (masters, replicas, seeds of the world): reconcile's
// plans, applied in the simulator, converge with no violation and every pod running.
func TestGeneratedResourcesConvergeInTheSimulator(t *testing.T) {
	check := func(seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		res := seed0
		masters, replicas := 1+r.Intn(4), r.Intn(3)
		res.Spec.MasterSize, res.Spec.ClusterReplicas = Int(masters), Int(replicas)
		sim, err := NewSimulator(SimulatorOptions{Seed: uint64(r.Intn(1000)), NodeTimeoutMs: 3000})
		if err != nil {
			t.Log(err)
			return false
		}
		defer sim.Close()
		for i := 0; i < 150; i++ {
			top, err := sim.Topology()
			if err != nil {
				t.Log(err)
				return false
			}
			p, err := Reconcile(top, res, nil)
			if err != nil {
				t.Log(err)
				return false
			}
			if p.Status == "converged" {
				if want := masters * (replicas + 1); len(top.Pods) != want {
					t.Logf("masters %d replicas %d: converged with %d pods, not %d", masters, replicas, len(top.Pods), want)
					return false
				}
				return true
			}
			a, err := sim.Apply(p)
			if err != nil || a.Violation != nil {
				t.Logf("masters %d replicas %d: apply: %v %+v", masters, replicas, err, a.Violation)
				return false
			}
			if err := sim.Tick(1); err != nil {
				return false
			}
		}
		t.Logf("masters %d replicas %d: not converged", masters, replicas)
		return false
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 12}); err != nil {
		t.Fatal(err)
	}
}
