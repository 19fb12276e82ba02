package ferryman_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// lib is the fixture library (tests/fixture), built with
// `cargo build -p ferryman-fixture`; FERRYMAN_FIXTURE overrides its path.
var lib *ferryman.Library

func fixturePath() string {
	if p := os.Getenv("FERRYMAN_FIXTURE"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "target", "debug", "libferryman_fixture.so")
}

func TestMain(m *testing.M) {
	var err error
	lib, err = ferryman.Load(fixturePath())
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n(build it with `cargo build -p ferryman-fixture`, or set FERRYMAN_FIXTURE)\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// call is lib.Call failing the test on an error.
func call(t *testing.T, name string, args ...any) any {
	t.Helper()
	v, err := lib.Call(name, args...)
	if err != nil {
		t.Fatalf("%s: %+v", name, err)
	}
	return v
}
