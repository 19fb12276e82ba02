// Command conformance is the Go runner of the conformance suite
// (tests/conformance/README.md):
//
//	go run . path/to/libferryman_fixture.so [-k TEXT] [-cases FILE]
//
// It loads the fixture library with ferryman.Load, calls every case of
// cases.json with lib.Call and its arguments as Go values, and checks the
// result, or the error against the expected one by the Go host's mapping
// (kind → type: error → *ferryman.RustError, panic → *ferryman.RustPanic,
// arity, type and overflow → *ferryman.ArgumentError with that Kind). It
// prints each failure with its case id and what differed, then
// `N passed, M failed`, and exits 1 when a case failed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

type suite struct {
	Format  int              `json:"format"`
	Fixture string           `json:"fixture"`
	Cases   []map[string]any `json:"cases"`
}

// here is this file's directory (tests/conformance/go), where the default
// cases file is found from.
func here() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

func main() {
	only := flag.String("k", "", "run only the cases whose id contains this")
	casesPath := flag.String("cases", filepath.Join(here(), "..", "cases.json"), "the cases file")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: conformance [-k TEXT] [-cases FILE] path/to/libferryman_fixture.so\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(flag.Arg(0), *casesPath, *only))
}

func run(libPath, casesPath, only string) int {
	s, err := load(casesPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: %s: %v\n", casesPath, err)
		return 2
	}
	// The fixture's directory is relative to the repository root, three up
	// from this runner (tests/conformance/go), whatever file the cases come from.
	root := filepath.Join(here(), "..", "..", "..")
	fixture := filepath.Join(root, s.Fixture)
	lib, err := ferryman.Load(libPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
		return 2
	}
	passed, failed := 0, 0
	for _, c := range s.Cases {
		id, _ := c["id"].(string)
		if !strings.Contains(id, only) {
			continue
		}
		if problems := runCase(lib, c, fixture); len(problems) > 0 {
			failed++
			fmt.Printf("FAIL %s: %s\n", id, strings.Join(problems, "; "))
		} else {
			passed++
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func load(path string) (*suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // ints stay ints, floats floats
	var s suite
	if err := d.Decode(&s); err != nil {
		return nil, err
	}
	if s.Format != 1 {
		return nil, fmt.Errorf("format %d, this runner reads format 1", s.Format)
	}
	return &s, nil
}

// runCase is what went wrong with one case (nothing when it passed).
func runCase(lib *ferryman.Library, c map[string]any, fixture string) []string {
	function, _ := c["function"].(string)
	raw, _ := c["args"].([]any)
	callArgs, err := args(raw)
	if err != nil {
		return []string{"args: " + err.Error()}
	}
	got, callErr := lib.Call(function, callArgs...)
	wantErr, expectsError := c["error"].(map[string]any)
	if stream, ok := got.(*ferryman.Stream); ok && callErr == nil {
		// A stream's result is the array of its items; an error item is the
		// case's error, the items before it the case's "items".
		var items []any
		got, callErr = drain(stream, &items)
		if wantItems, ok := c["items"]; ok && callErr != nil {
			expected, err := want(wantItems)
			if err != nil {
				return []string{"items: " + err.Error()}
			}
			if problems := differences(expected, items, "items"); len(problems) > 0 {
				return problems
			}
		}
	}
	if callErr != nil {
		if !expectsError {
			return []string{fmt.Sprintf("expected the result %v, got %T: %v", c["result"], callErr, callErr)}
		}
		return errorDifferences(wantErr, callErr, fixture)
	}
	if expectsError {
		return []string{fmt.Sprintf("expected a %q error, got the result %s", wantErr["kind"], show(got))}
	}
	expected, err := want(c["result"])
	if err != nil {
		return []string{"result: " + err.Error()}
	}
	return differences(expected, got, "result")
}

// drain reads stream to its end (the items) or to its first error item
// (the error, the items before it in *items), then closes it.
func drain(stream *ferryman.Stream, items *[]any) (any, error) {
	defer stream.Close()
	*items = []any{}
	for item, err := range stream.All() {
		if err != nil {
			return nil, err
		}
		*items = append(*items, item)
	}
	return *items, nil
}
