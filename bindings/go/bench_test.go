package rcplan

import (
	"os"
	"path/filepath"
	"testing"
)

// The Go package's cost per rebalance plan on the 3-master example (marshalling the topology,
// the C call, unmarshalling the plan), beside the C call alone on the same JSON: bench/README.md
// has the figures beside the C++ ones.
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
