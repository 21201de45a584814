package rcplan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Go package's cost per rebalance plan (marshalling the topology, the C call,
// unmarshalling the plan), beside the C call alone on the same JSON, on the 4-master example
// and on 1000 masters of 16 slots plus one empty master joining (the C++ bench's join_one):
// bench/README.md has the figures beside the C++ ones.
func BenchmarkPlanRebalanceTyped(b *testing.B) {
	top := benchTopology(b)
	opts := &RebalanceOptions{UseEmptyMasters: true}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := PlanRebalance(top, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanRebalanceJSON(b *testing.B) {
	top := benchTopology(b)
	doc := marshalPlain(&testing.T{}, top)
	opts := []byte(`{"use_empty_masters": true}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := PlanRebalanceJSON(doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func benchTopology(b *testing.B) Topology {
	root := os.Getenv("RCPLAN_SOURCE_DIR")
	if root == "" {
		root = filepath.Join("..", "..")
	}
	text, err := os.ReadFile(filepath.Join(root, "examples", "data", "resharding.nodes"))
	if err != nil {
		b.Fatal(err)
	}
	top, err := TopologyFromClusterNodes(string(text))
	if err != nil {
		b.Fatal(err)
	}
	return top
}

// joinOne is 1000 masters holding the slots in even runs and one empty master.
func joinOne(masters int) Topology {
	var b strings.Builder
	per := 16384 / masters
	for i := 0; i <= masters; i++ {
		flags := "master"
		if i == 0 {
			flags = "myself,master"
		}
		fmt.Fprintf(&b, "%040x 127.0.0.1:%d@%d %s - 0 1 %d connected", i+1, 10000+i, 30000+i, flags, i+1)
		if i < masters {
			last := (i+1)*per - 1
			if i == masters-1 {
				last = 16383
			}
			fmt.Fprintf(&b, " %d-%d", i*per, last)
		}
		b.WriteString("\n")
	}
	top, err := TopologyFromClusterNodes(b.String())
	if err != nil {
		panic(err)
	}
	return top
}

func BenchmarkPlanRebalanceTyped1000(b *testing.B) {
	top := joinOne(1000)
	opts := &RebalanceOptions{UseEmptyMasters: true}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := PlanRebalance(top, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanRebalanceJSON1000(b *testing.B) {
	doc := marshalPlain(&testing.T{}, joinOne(1000))
	opts := []byte(`{"use_empty_masters": true}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := PlanRebalanceJSON(doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}
