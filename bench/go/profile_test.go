package main

import (
	"testing"

	"github.com/ferryman-rs/ferryman/bench/go/benchlib"
	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// BenchmarkCases runs the ferryman column's cases under `go test -bench`, for
// pprof: go test -run x -bench Cases/add -cpuprofile cpu.prof .
func BenchmarkCases(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.key, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				_, _ = c.ferryman()
			}
		})
	}
}

// BenchmarkTyped is BenchmarkCases for the typed bindings' column.
func BenchmarkTyped(b *testing.B) {
	for _, c := range benchCases(b) {
		if c.typed == nil {
			continue
		}
		b.Run(c.key, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				_, _ = c.typed()
			}
		})
	}
}

func benchCases(b *testing.B) []benchCase {
	lib, err := ferryman.Load(repoRoot() + "/target/release/libbench_ferryman.so")
	if err != nil {
		b.Fatal(err)
	}
	typed, err := benchlib.New(lib)
	if err != nil {
		b.Fatal(err)
	}
	return cases(lib, typed)
}

// BenchmarkFloor is the floor of add (floor.go) under `go test -bench`, to
// set beside BenchmarkCases/add.
func BenchmarkFloor(b *testing.B) {
	lib := repoRoot() + "/target/release/libbench_ferryman.so"
	if _, err := ferryman.Load(lib); err != nil {
		b.Fatal(err)
	}
	floor, err := floorAdd(lib)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		_, _ = floor()
	}
}
