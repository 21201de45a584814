module rcplan.io/rcplan/go

go 1.21
