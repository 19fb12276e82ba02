package ferryman_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// fixtureLine is the 1-based line of the fixture source file that holds
// text, so tests check frames against the source rather than a number.
func fixtureLine(t *testing.T, file, text string) int {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "tests", "fixture", "src", file))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, text) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

func TestRustError(t *testing.T) {
	_, err := lib.Call("divide", 1, 0)
	var re *ferryman.RustError
	if !errors.As(fmt.Errorf("wrapped: %w", err), &re) {
		t.Fatalf("divide(1, 0): %T %v", err, err)
	}
	if re.Type != "MathError" || re.Variant != "DivisionByZero" || re.Message != "division by zero" || re.Function != "divide" {
		t.Fatalf("divide(1, 0): %#v", re)
	}
	if re.RustType != "ferryman_fixture::errors::MathError" || len(re.Fields) != 0 {
		t.Fatalf("divide(1, 0): %#v", re)
	}
	line := fixtureLine(t, "errors.rs", "return Err(MathError::DivisionByZero)")
	if len(re.Frames) != 1 || re.Frames[0].File != "tests/fixture/src/errors.rs" || re.Frames[0].Line != line || re.Frames[0].Language != "rust" {
		t.Fatalf("frames %+v, want errors.rs:%d", re.Frames, line)
	}
	if err.Error() != "MathError: division by zero" {
		t.Fatalf("Error() = %q", err.Error())
	}
	full := fmt.Sprintf("%+v", err)
	if !strings.Contains(full, fmt.Sprintf("at divide (tests/fixture/src/errors.rs:%d:", line)) {
		t.Fatalf("%%+v has no frame:\n%s", full)
	}
	if fmt.Sprintf("%v", err) != err.Error() {
		t.Fatalf("%%v = %q", fmt.Sprintf("%v", err))
	}
}

func TestRustErrorFields(t *testing.T) {
	_, err := lib.Call("checked_add", int64(1)<<62, int64(1)<<62)
	var re *ferryman.RustError
	if !errors.As(err, &re) || re.Variant != "Overflow" || re.Fields["left"] != int64(1)<<62 || re.Fields["right"] != int64(1)<<62 {
		t.Fatalf("checked_add: %#v", err)
	}
	_, err = lib.Call("integer_sqrt", -4)
	if !errors.As(err, &re) || re.Variant != "Negative" || re.Fields["0"] != int64(-4) {
		t.Fatalf("integer_sqrt(-4): %#v", err)
	}
	_, err = lib.Call("boxed_failure", true)
	if !errors.As(err, &re) || re.Message != "something boxed went wrong" {
		t.Fatalf("boxed_failure: %#v", err)
	}
}

func TestCauseChain(t *testing.T) {
	_, err := lib.Call("load_config", "settings", "not a number")
	var re *ferryman.RustError
	if !errors.As(err, &re) || re.Type != "ConfigError" || re.Message != "could not load config `settings`" {
		t.Fatalf("load_config: %#v", err)
	}
	var chain []string
	for e := error(re); e != nil; e = errors.Unwrap(e) {
		chain = append(chain, e.(*ferryman.RustError).Message)
	}
	// Causes carry no type name (a source() is a dyn Error), only messages.
	if strings.Join(chain, " <- ") != "could not load config `settings` <- line 1 is not a number <- invalid digit found in string" {
		t.Fatalf("chain %v", chain)
	}
	if !strings.Contains(fmt.Sprintf("%+v", err), "caused by: line 1 is not a number") {
		t.Fatalf("%%+v:\n%+v", err)
	}
}

func TestPanic(t *testing.T) {
	_, err := lib.Call("panic_now", "boom")
	var p *ferryman.RustPanic
	if !errors.As(err, &p) || p.Message != "boom" {
		t.Fatalf("panic_now: %#v", err)
	}
	line := fixtureLine(t, "panics.rs", `panic!("{message}")`)
	loc := p.Location()
	if !strings.HasSuffix(loc.File, "tests/fixture/src/panics.rs") || loc.Line != line {
		t.Fatalf("panic at %+v, want panics.rs:%d", loc, line)
	}
	_, err = lib.Call("panic_nested", 3)
	if !errors.As(err, &p) || !strings.Contains(p.Message, "None") {
		t.Fatalf("panic_nested: %v", err)
	}
	// The process lives on.
	if v := call(t, "add", 1, 1); v != int64(2) {
		t.Fatal(v)
	}
}

func TestArgumentErrors(t *testing.T) {
	var ae *ferryman.ArgumentError
	// Arity, checked before the call.
	_, err := lib.Call("add", 1)
	if !errors.As(err, &ae) || ae.Kind != "arity" || ae.Function != "add" ||
		ae.Message != "`add()` takes 2 arguments (a, b) but was given 1 argument" {
		t.Fatalf("add(1): %#v", err)
	}
	// The library's type error names function and parameter.
	_, err = lib.Call("add", "x", 3)
	if !errors.As(err, &ae) || ae.Kind != "type" || ae.Function != "add" || ae.Param != "a" || ae.Index != 0 || ae.Expected != "i64" {
		t.Fatalf("add(\"x\", 3): %#v", err)
	}
	line := fixtureLine(t, "primitives.rs", "pub fn add(")
	if len(ae.Frames) != 1 || ae.Frames[0].Line != line {
		t.Fatalf("add(\"x\", 3) frames %+v, want line %d", ae.Frames, line)
	}
	_, err = lib.Call("add", 1, uint64(1)<<63)
	if !errors.As(err, &ae) || ae.Kind != "overflow" || ae.Param != "b" || ae.Index != 1 {
		t.Fatalf("add(1, 2^63): %#v", err)
	}
	// A Go value with no wire form, refused before the call.
	_, err = lib.Call("add", make(chan int), 1)
	if !errors.As(err, &ae) || ae.Param != "a" || !strings.Contains(ae.Message, "`add()` argument `a`") {
		t.Fatalf("add(chan, 1): %#v", err)
	}
	if ae.Expected != "i64" || !strings.Contains(ae.Message, "expected i64, but found a Go chan int") {
		t.Fatalf("add(chan, 1): %#v", err)
	}
	// An integer no Rust integer holds is an overflow, found before the call.
	_, err = lib.Call("echo_u128", new(big.Int).Lsh(big.NewInt(1), 128))
	if !errors.As(err, &ae) || ae.Kind != "overflow" || ae.Param != "value" || ae.Expected != "u128" {
		t.Fatalf("echo_u128(2^128): %#v", err)
	}
	_, err = lib.Call("no_such_function")
	var be *ferryman.BridgeError
	if !errors.As(err, &be) || be.Kind != "no_function" {
		t.Fatalf("no_such_function: %#v", err)
	}
}

func TestNotAFerrymanLibrary(t *testing.T) {
	for _, path := range []string{"libm.so.6", "libc.so.6"} {
		_, err := ferryman.Load(path)
		var le *ferryman.LoadError
		if !errors.As(err, &le) || !strings.Contains(le.Message, "not a ferryman library") {
			t.Fatalf("Load(%s): %v", path, err)
		}
	}
	_, err := ferryman.Load("/nonexistent/libnothing.so")
	var le *ferryman.LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "/nonexistent/libnothing.so") {
		t.Fatalf("Load(nonexistent): %v", err)
	}
}

func TestCallsFromManyGoroutines(t *testing.T) {
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				v, err := ferryman.Call[int64](lib, "add", g, i)
				if err != nil || v != int64(g+i) {
					done <- fmt.Errorf("add(%d, %d) = %v, %v", g, i, v, err)
					return
				}
				if _, err := lib.Call("divide", 1, 0); err == nil {
					done <- fmt.Errorf("divide(1, 0) did not fail")
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadingAgainIsTheSameLibrary(t *testing.T) {
	again, err := ferryman.Load(fixturePath())
	if err != nil || again != lib {
		t.Fatalf("Load again: %p, %v (first %p)", again, err, lib)
	}
}

func TestConcurrentLoadsOfOnePathAreOneLibrary(t *testing.T) {
	// A copy at another path: a library this process has not loaded yet.
	data, err := os.ReadFile(fixturePath())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "libfixture_copy.so")
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	libs := make([]*ferryman.Library, 8)
	errs := make([]error, 8)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range libs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			libs[i], errs[i] = ferryman.Load(path)
		}(i)
	}
	close(start)
	wg.Wait()
	for i := range libs {
		if errs[i] != nil || libs[i] != libs[0] {
			t.Fatalf("Load %d: %p, %v (first %p)", i, libs[i], errs[i], libs[0])
		}
	}
	if libs[0] == lib {
		t.Fatal("a copy at another path is another library")
	}
}

func TestOSErrorsMatchGosOwn(t *testing.T) {
	_, err := lib.Call("os_failure", 2) // ENOENT
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EACCES) {
		t.Fatalf("os_failure(2): %#v", err)
	}
	cases := map[string]error{"not_found": fs.ErrNotExist, "permission_denied": fs.ErrPermission, "already_exists": fs.ErrExist}
	for kind, want := range cases {
		_, err := lib.Call("io_kind_failure", kind)
		if !errors.Is(err, want) {
			t.Errorf("io_kind_failure(%q) is not %v: %v", kind, want, err)
		}
	}
	_, err = lib.Call("io_kind_failure", "timed_out")
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrExist) {
		t.Fatalf("timed_out matches a file error: %v", err)
	}
	// Through the source() chain: a user error over an io::Error.
	_, err = lib.Call("read_config", "/no/such/ferryman/config")
	var re *ferryman.RustError
	if !errors.As(err, &re) || re.Type != "ConfigFileError" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read_config: %#v", err)
	}
	// A Rust error that is no io::Error matches none of them.
	_, err = lib.Call("divide", 1, 0)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatal("divide(1, 0) matches fs.ErrNotExist")
	}
}

func TestErrorsFormatLikeOtherErrors(t *testing.T) {
	_, err := lib.Call("divide", 1, 0)
	message := err.Error()
	for format, want := range map[string]string{
		"%v": message, "%s": message, "%q": strconv.Quote(message),
		"%x": fmt.Sprintf("%x", message), "%12.4s": fmt.Sprintf("%12.4s", message),
	} {
		if got := fmt.Sprintf(format, err); got != want {
			t.Errorf("%s: %q, want %q", format, got, want)
		}
	}
	if full := fmt.Sprintf("%+v", err); !strings.HasPrefix(full, message+"\n    at divide (") {
		t.Errorf("%%+v: %q", full)
	}
}

// Errors returned again and again, of shapes alternating, each with its own
// message, causes and frame (the library keeps the error values it read,
// error_template.go): every one reads as the first of its kind did.
func TestRepeatedErrorsEachReadWhole(t *testing.T) {
	divideLine := fixtureLine(t, "errors.rs", "return Err(MathError::DivisionByZero)")
	for i := 0; i < 4; i++ {
		name := strings.Repeat("n", i*20) // past a fixstr from the third round
		_, err := lib.Call("load_config", name, "x")
		var re *ferryman.RustError
		if !errors.As(err, &re) || re.Message != "could not load config `"+name+"`" {
			t.Fatalf("round %d: load_config: %#v", i, err)
		}
		if cause := errors.Unwrap(re); cause == nil || cause.(*ferryman.RustError).Message != "line 1 is not a number" {
			t.Fatalf("round %d: load_config's cause: %#v", i, cause)
		}
		// Another cause, the same place: another shape.
		_, err = lib.Call("load_config", name, "")
		if !errors.As(err, &re) || errors.Unwrap(errors.Unwrap(re)).(*ferryman.RustError).Message != "cannot parse integer from empty string" {
			t.Fatalf("round %d: load_config of nothing: %#v", i, err)
		}
		_, err = lib.Call("divide", i, 0)
		if !errors.As(err, &re) || re.Variant != "DivisionByZero" || len(re.Fields) != 0 || re.Frames[0].Line != divideLine {
			t.Fatalf("round %d: divide: %#v", i, err)
		}
		// The error is the caller's to change.
		re.Fields["mine"], re.Frames[0].Line = i, 0
		_, err = lib.Call("checked_add", int64(1)<<62, int64(1)<<62+int64(i))
		if !errors.As(err, &re) || re.Fields["right"] != int64(1)<<62+int64(i) {
			t.Fatalf("round %d: checked_add: %#v", i, err)
		}
	}
}
