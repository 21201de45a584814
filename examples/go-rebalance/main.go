// Reads one node's CLUSTER NODES output from a file and prints rcplan's rebalance plan: what an
// existing Go operator would call instead of its own rebalance function.
package main

import (
	"fmt"
	"os"

	rcplan "rcplan.io/rcplan/go"
)

func main() {
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	topology, err := rcplan.TopologyFromClusterNodes(string(text))
	if err == nil {
		var plan rcplan.Plan
		if plan, err = rcplan.PlanRebalance(topology, &rcplan.RebalanceOptions{UseEmptyMasters: true}); err == nil {
			fmt.Printf("%s, %d steps\n", plan.Status, len(plan.Steps))
			for _, s := range plan.Steps {
				fmt.Printf("wave %d: %s\n", s.Wave, s.Reason)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, err) // an *rcplan.Error: its ID is stable, its Path names the field
	os.Exit(1)
}
