// Command bench is the Go table of ferryman's benchmark (bench/README.md,
// "Go"): the same cases as the Python table, timed side by side in one
// process through the ferryman Go host (bench/ferryman-lib's cdylib) and
// through cgo calling bench/cabi-lib's plain C functions.
//
//	go run . [-smoke] [-cases add,echo16,...] [-repeats N] [-target-ms T]
//
// It needs the release builds of both libraries (`cargo build --release -p
// bench-ferryman -p bench-cabi`; bench/go/run.sh builds them). -smoke checks
// every cell's result with a few calls and times nothing.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/ferryman-rs/ferryman/bench/go/benchlib"
	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func main() {
	smoke := flag.Bool("smoke", false, "check every cell with a few calls; time nothing")
	only := flag.String("cases", "", "a comma-separated subset of add,echo16,echo64k,echo1m,echo64k_lend,echo1m_lend,sum10,sum10k,sum10k_slice,record,error")
	repeats := flag.Int("repeats", 21, "timed repeats per cell")
	targetMS := flag.Float64("target-ms", 40, "the length of one repeat; calls per repeat are calibrated to it")
	libPath := flag.String("lib", filepath.Join(repoRoot(), "target", "release", "libbench_ferryman.so"), "bench/ferryman-lib's cdylib")
	flag.Parse()

	lib, err := ferryman.Load(*libPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n(build it with `cargo build --release -p bench-ferryman -p bench-cabi`)\n", err)
		os.Exit(2)
	}
	typed, err := benchlib.New(lib)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(2)
	}
	selected := cases(lib, typed)
	if *only != "" {
		selected = pick(selected, strings.Split(*only, ","))
	}
	floors, err := openFloors(*libPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	if *smoke {
		os.Exit(smokeRun(selected))
	}
	if smokeRun(selected) != 0 {
		os.Exit(1)
	}
	target := time.Duration(*targetMS * float64(time.Millisecond))
	measure(selected, *repeats, target)
	for _, c := range selected {
		f, ok := floors[c.key]
		if !ok {
			continue
		}
		// The floor, timed interleaved with the cgo column as above.
		nf, nc := calibrate(f.call, target), calibrate(c.cgo, target)
		var fs, cs []float64
		for r := 0; r < *repeats; r++ {
			fs = append(fs, loop(f.call, nf))
			cs = append(cs, loop(c.cgo, nc))
		}
		fl, g := median(fs), median(cs)
		fmt.Printf("\nfloor: ferryman_call of %s from cgo, arguments encoded beforehand, reply not decoded: %s ns (×%.2f cgo's %s)\n", f.what, ns(fl), fl/g, ns(g))
	}
}

// floor is a floor (floor.go) and what it calls.
type floor struct {
	what string
	call func() (any, error)
}

// openFloors finds the floors of the rows that have one, each checked once.
func openFloors(libPath string) (map[string]floor, error) {
	floors := map[string]floor{}
	for _, f := range []struct {
		key, what string
		open      func(string) (func() (any, error), error)
	}{
		{"add", "add(1, 2)", floorAdd},
		{"sum10", "sum of 10 ints", floorSum10},
		{"record", "bump(record)", floorRecord},
		{"error", "fail(7), an error value out,", floorError},
	} {
		call, err := f.open(libPath)
		if err != nil {
			return nil, err
		}
		floors[f.key] = floor{f.what, call}
	}
	for _, f := range floors {
		if _, err := f.call(); err != nil {
			return nil, err
		}
	}
	return floors, nil
}

// repoRoot is two directories up from this file (bench/go).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func pick(all []benchCase, keys []string) []benchCase {
	var out []benchCase
	for _, k := range keys {
		found := false
		for _, c := range all {
			if c.key == k {
				out = append(out, c)
				found = true
			}
		}
		if !found {
			fmt.Fprintf(os.Stderr, "bench: no case %q\n", k)
			os.Exit(2)
		}
	}
	return out
}

// smokeRun checks every cell a few times; 1 when one is wrong.
func smokeRun(selected []benchCase) int {
	bad, cells := 0, 0
	for _, c := range selected {
		typedCheck := c.typedCheck
		if typedCheck == nil {
			typedCheck = c.check
		}
		for _, col := range []struct {
			name  string
			call  func() (any, error)
			check func(any, error) error
		}{{"ferryman", c.ferryman, c.check}, {"typed", c.typed, typedCheck}, {"cgo", c.cgo, c.check}} {
			if col.call == nil {
				continue
			}
			cells++
			for i := 0; i < 3; i++ {
				if err := col.check(col.call()); err != nil {
					fmt.Printf("FAIL %s / %s: %v\n", c.label, col.name, err)
					bad++
					break
				}
			}
		}
	}
	fmt.Printf("smoke: %d cases, %d cells checked, %d wrong\n", len(selected), cells, bad)
	if bad > 0 {
		return 1
	}
	return 0
}

// loop times n calls of f, in ns per call.
func loop(f func() (any, error), n int) float64 {
	start := time.Now()
	for i := 0; i < n; i++ {
		_, _ = f()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// calibrate is the number of calls that lasts about target.
func calibrate(f func() (any, error), target time.Duration) int {
	n := 1
	for {
		ns := loop(f, n) * float64(n)
		if ns >= float64(target)/5 || n >= 1<<26 {
			return max(1, int(float64(n)*float64(target)/max(ns, 1)))
		}
		if ns < float64(target)/50 {
			n *= 4
		} else {
			n *= 2
		}
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// measure interleaves the repeats of the columns (ferryman's repeat 1,
// typed's repeat 1, cgo's repeat 1, ...) so that a noisy neighbour slows
// all alike, and prints the median ns per call, the ratios and, for each
// ferryman column, whether it meets the row's target.
func measure(selected []benchCase, repeats int, target time.Duration) {
	fmt.Printf("Go %s, %s/%s, GOMAXPROCS %d; %d repeats of ~%v per cell, median ns per call\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), repeats, target)
	fmt.Println("| case | ferryman `lib.Call` | ferryman typed (ferryman-go) | cgo → C ABI | `lib.Call` ÷ cgo | typed ÷ cgo | target |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|")
	for _, c := range selected {
		calls := []func() (any, error){c.ferryman, c.typed, c.cgo}
		times := make([][]float64, len(calls))
		counts := make([]int, len(calls))
		for i, f := range calls {
			if f != nil {
				counts[i] = calibrate(f, target)
			}
		}
		for r := 0; r < repeats; r++ {
			for i, f := range calls {
				if f != nil {
					times[i] = append(times[i], loop(f, counts[i]))
				}
			}
		}
		f, g := median(times[0]), median(times[2])
		limit := 3.0
		if c.large {
			limit = 1.5
		}
		verdict := func(ratio float64) string {
			if ratio > limit {
				return "not met"
			}
			return "met"
		}
		typedCell, typedRatio, verdicts := "—", "—", "`lib.Call` "+verdict(f/g)
		if c.typed != nil {
			t := median(times[1])
			typedCell, typedRatio = ns(t), fmt.Sprintf("×%.2f", t/g)
			verdicts += ", typed " + verdict(t/g)
		}
		fmt.Printf("| %s | %s | %s | %s | ×%.2f | %s | ≤ %g×: %s |\n", c.label, ns(f), typedCell, ns(g), f/g, typedRatio, limit, verdicts)
	}
}

func ns(x float64) string {
	switch {
	case x >= 1_000:
		return commas(fmt.Sprintf("%.0f", x))
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func commas(s string) string {
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
