package ferryman_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// noLeaks fails when a Go value is still held by the library once a test is done.
func noLeaks(t *testing.T) {
	t.Helper()
	if n := ferryman.LiveHostObjects(); n != 0 {
		t.Fatalf("%d host objects still live", n)
	}
}

func TestCallbacks(t *testing.T) {
	if v := call(t, "apply", func(x int64) int64 { return x * 10 }, 4); v != int64(40) {
		t.Fatalf("apply = %#v", v)
	}
	got, err := ferryman.Call[[]int](lib, "map_values", []int{1, 2, 3}, func(x int) int { return x + 1 })
	if err != nil || fmt.Sprint(got) != "[2 3 4]" {
		t.Fatalf("map_values = %v, %v", got, err)
	}
	var seen []int64
	if v := call(t, "for_each_value", []int{5, 6}, func(x int64) { seen = append(seen, x) }); v != int64(2) || fmt.Sprint(seen) != "[5 6]" {
		t.Fatalf("for_each_value = %#v, saw %v", v, seen)
	}
	if v := call(t, "apply_two", func(s string, n int) string { return strings.Repeat(s, n) }, "ab", 3); v != "ababab" {
		t.Fatalf("apply_two = %#v", v)
	}
	// A callback taking ...any gets the decoded values.
	if v := call(t, "apply_two", func(args ...any) string { return fmt.Sprint(args...) }, "n=", 3); v != "n=3" {
		t.Fatalf("apply_two(variadic) = %#v", v)
	}
	noLeaks(t)
}

func TestCallbackErrors(t *testing.T) {
	sentinel := errors.New("no thanks")
	_, err := lib.Call("apply", func(x int64) (int64, error) { return 0, sentinel }, 1)
	if !errors.Is(err, sentinel) {
		t.Fatalf("apply(failing): %v is not the callback's error", err)
	}
	var ce *ferryman.CallbackError
	if !errors.As(err, &ce) || ce.Message != "no thanks" || ce.Function != "apply" {
		t.Fatalf("apply(failing): %#v", err)
	}
	// Frames: the Rust function, then the Go callback.
	if len(ce.Frames) < 2 || ce.Frames[0].Language != "rust" || ce.Frames[len(ce.Frames)-1].Language != "go" {
		t.Fatalf("frames %+v", ce.Frames)
	}
	// Wrapped as the source() of a Rust error: the callback's error is a cause.
	_, err = lib.Call("apply_wrapped", func(x int64) (int64, error) { return 0, sentinel }, 7)
	var re *ferryman.RustError
	if !errors.As(err, &re) || re.Type != "ProcessingError" || !errors.Is(err, sentinel) {
		t.Fatalf("apply_wrapped: %#v", err)
	}
	// A Go panic in a callback is recovered, never crosses into Rust.
	_, err = lib.Call("apply", func(x int64) int64 { panic("go boom") }, 1)
	var gp *ferryman.GoPanic
	if !errors.As(err, &gp) || gp.Value != "go boom" {
		t.Fatalf("apply(panicking): %#v", err)
	}
	// A panic with an error value unwraps to it.
	_, err = lib.Call("apply", func(x int64) int64 { panic(sentinel) }, 1)
	if !errors.As(err, &gp) || !errors.Is(err, sentinel) {
		t.Fatalf("apply(panic(sentinel)): %#v", err)
	}
	// A Rust panic while handling the callback's error keeps it as the cause.
	_, err = lib.Call("apply_or_panic", func(x int64) (int64, error) { return 0, sentinel }, 1)
	var rp *ferryman.RustPanic
	if !errors.As(err, &rp) || !errors.Is(err, sentinel) {
		t.Fatalf("apply_or_panic: %#v", err)
	}
	// A result of the wrong type is the library's argument error.
	_, err = lib.Call("apply", func(x int64) string { return "text" }, 1)
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Kind != "type" {
		t.Fatalf("apply(string result): %#v", err)
	}
	// Its message names the call the callback answered (spec/callbacks.md).
	if want := "`apply()`: a callback returned a value of the wrong type: expected i64, but found string \"text\""; err.Error() != want {
		t.Fatalf("apply(string result): %q, want %q", err.Error(), want)
	}
	// Arguments the func cannot take fail the callback, naming its type.
	_, err = lib.Call("apply", func(s string) int64 { return 0 }, 1)
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "func(string) int64") {
		t.Fatalf("apply(func(string)): %#v", err)
	}
	noLeaks(t)
}

func TestCallbacksFromRustThreads(t *testing.T) {
	var calls atomic.Int64
	v, err := ferryman.Call[int64](lib, "call_from_threads", func(i int64) int64 { calls.Add(1); return i }, 8)
	if err != nil || v != 0+1+2+3+4+5+6+7 || calls.Load() != 8 {
		t.Fatalf("call_from_threads = %v, %v (%d calls)", v, err, calls.Load())
	}
	// Stored by Rust past the call, called from another thread, dropped there.
	call(t, "store_callback", func(s string) string { return "<" + s + ">" })
	if ferryman.LiveHostObjects() != 1 {
		t.Fatalf("the stored callback is not held: %d", ferryman.LiveHostObjects())
	}
	if v := call(t, "call_stored_on_thread", "x"); v != "<x>" {
		t.Fatalf("call_stored_on_thread = %#v", v)
	}
	if v := call(t, "call_stored", "y"); v != "<y>" {
		t.Fatalf("call_stored = %#v", v)
	}
	if v := call(t, "drop_stored_on_thread"); v != true {
		t.Fatalf("drop_stored_on_thread = %#v", v)
	}
	noLeaks(t)
}

func TestNoLeakedHandlesAfterManyCalls(t *testing.T) {
	for i := 0; i < 2000; i++ {
		v, err := ferryman.Call[int](lib, "apply", func(x int) int { return x + 1 }, i)
		if err != nil || v != i+1 {
			t.Fatalf("apply #%d = %v, %v", i, v, err)
		}
		if i%100 == 0 {
			if _, err := lib.Call("apply", func(x int) (int, error) { return 0, errors.New("no") }, i); err == nil {
				t.Fatal("no error")
			}
		}
	}
	noLeaks(t)
}

func TestCallablesInsideCallbacks(t *testing.T) {
	// The host's own func comes back as itself.
	f := func(x int64) int64 { return x - 1 }
	back, err := ferryman.Call[func(int64) int64](lib, "identity_callback", f)
	if err != nil || back(10) != 9 {
		t.Fatalf("identity_callback: %v", err)
	}
	// A Rust closure as a callback's argument, called from Go.
	v, err := ferryman.Call[int64](lib, "apply_with_doubler", func(double *ferryman.Closure, x int64) (int64, error) {
		defer double.Release()
		return ferryman.CallClosure[int64](double, x)
	}, 21)
	if err != nil || v != 42 {
		t.Fatalf("apply_with_doubler = %v, %v", v, err)
	}
	// The host's own func inside a callback's arguments.
	v, err = ferryman.Call[int64](lib, "apply_passing", func(inner func(int64) int64, x int64) int64 {
		return inner(x) * 2
	}, func(x int64) int64 { return x + 1 }, 4)
	if err != nil || v != 10 {
		t.Fatalf("apply_passing = %v, %v", v, err)
	}
	// A callback returning a Go func: it lives until Rust has read the result.
	v, err = ferryman.Call[int64](lib, "make_and_apply", func(n int64) func(int64) int64 {
		return func(x int64) int64 { return x + n }
	}, 3, 4)
	if err != nil || v != 7 {
		t.Fatalf("make_and_apply = %v, %v", v, err)
	}
	noLeaks(t)
	if live, _ := lib.LiveClosures(); len(live) != 0 {
		t.Fatalf("closures still live: %+v", live)
	}
}

// A callback's result is checked as an argument is: no cycle, no str that
// is not UTF-8, and a nil slice is an empty one.
func TestCallbackResultsAreCheckedLikeArguments(t *testing.T) {
	var ae *ferryman.ArgumentError
	_, err := lib.Call("list_from_callback", func() any { var cycle any; cycle = &cycle; return cycle })
	if !errors.As(err, &ae) || !strings.Contains(ae.Message, "more than 256 pointers") {
		t.Fatalf("list_from_callback(a pointer cycle): %v", err)
	}
	_, err = lib.Call("call_with_one", func(s string) string { return s + "\xff" }, "caf")
	if !errors.As(err, &ae) || ae.Kind != "type" || !strings.Contains(ae.Message, "not valid UTF-8 (at byte 3") {
		t.Fatalf("call_with_one(a result not UTF-8): %v", err)
	}
	// A callback's error whose text is not UTF-8 still comes back as itself.
	bad := errors.New("caf\xe9")
	if _, err := lib.Call("apply", func(int64) (int64, error) { return 0, bad }, 1); !errors.Is(err, bad) {
		t.Fatalf("apply(an error not UTF-8): %v", err)
	}
	type ints []int32
	if v := call(t, "list_from_callback", func() ints { return nil }); !reflect.DeepEqual(v, []any{}) {
		t.Fatalf("list_from_callback(nil) = %#v", v)
	}
	noLeaks(t)
}
