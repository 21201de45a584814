module rcplan.io/rcplan/examples/go-rebalance

go 1.21

require rcplan.io/rcplan/go v0.0.0

replace rcplan.io/rcplan/go => ../../bindings/go
