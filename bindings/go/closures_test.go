package ferryman_test

import (
	"errors"
	"strings"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func liveClosures(t *testing.T) int {
	t.Helper()
	live, err := lib.LiveClosures()
	if err != nil {
		t.Fatal(err)
	}
	return len(live)
}

func TestClosures(t *testing.T) {
	before := liveClosures(t)
	add5, err := ferryman.Call[*ferryman.Closure](lib, "adder", 5)
	if err != nil {
		t.Fatal(err)
	}
	if liveClosures(t) != before+1 {
		t.Fatalf("the closure is not live")
	}
	if v, err := add5.Call(3); v != int64(8) || err != nil {
		t.Fatalf("add5(3) = %#v, %v", v, err)
	}
	if v, err := ferryman.CallClosure[int16](add5, -10); v != -5 || err != nil {
		t.Fatalf("add5(-10) = %v, %v", v, err)
	}
	f := add5.Func()
	if v, _ := f(1); v != int64(6) {
		t.Fatalf("Func()(1) = %#v", v)
	}
	// Passed back to Rust, next to a Go func: g(f(x)).
	if v := call(t, "compose_apply", add5, func(x int64) int64 { return x * 2 }, 1); v != int64(12) {
		t.Fatalf("compose_apply = %#v", v)
	}
	add5.Release()
	add5.Release() // once only
	if liveClosures(t) != before {
		t.Fatalf("the closure is still live after Release")
	}
	var be *ferryman.BridgeError
	if _, err := add5.Call(1); !errors.As(err, &be) {
		t.Fatalf("a released closure: %v", err)
	}
	var ae *ferryman.ArgumentError
	if _, err := lib.Call("compose_apply", add5, add5, 1); !errors.As(err, &ae) || ae.Param != "f" {
		t.Fatalf("a released closure as an argument: %v", err)
	}
	noLeaks(t)
}

func TestClosureFailures(t *testing.T) {
	sqrt, err := ferryman.Call[*ferryman.Closure](lib, "sqrt_closure")
	if err != nil {
		t.Fatal(err)
	}
	defer sqrt.Release()
	_, err = sqrt.Call(-4)
	var re *ferryman.RustError
	if !errors.As(err, &re) || re.Variant != "Negative" || re.Fields["0"] != int64(-4) {
		t.Fatalf("sqrt(-4): %#v", err)
	}
	line := fixtureLine(t, "closures.rs", "Callback::new(|value: i64| -> Result<i64, WithFields<MathError>>")
	if len(re.Frames) != 1 || re.Frames[0].Line != line || !strings.HasSuffix(re.Frames[0].File, "closures.rs") {
		t.Fatalf("frames %+v, want closures.rs:%d", re.Frames, line)
	}
	// The library checks a closure's arity.
	three, err := ferryman.Call[*ferryman.Closure](lib, "three_argument_closure")
	if err != nil {
		t.Fatal(err)
	}
	defer three.Release()
	var ae *ferryman.ArgumentError
	if _, err := three.Call("a"); !errors.As(err, &ae) || ae.Kind != "arity" || !strings.Contains(ae.Message, "`three_argument_closure()`'s closure") {
		t.Fatalf("three(\"a\"): %#v", err)
	}
	if v, err := three.Call("a", 1, true); v != "a1true" || err != nil {
		t.Fatalf("three = %#v, %v", v, err)
	}
	boom, err := ferryman.Call[*ferryman.Closure](lib, "panicking_closure")
	if err != nil {
		t.Fatal(err)
	}
	defer boom.Release()
	_, err = boom.Call(1)
	var p *ferryman.RustPanic
	if !errors.As(err, &p) || p.Message != "blew up on 1" || p.Location().Line != fixtureLine(t, "closures.rs", `panic!("blew up on {x}")`) {
		t.Fatalf("boom(1): %+v", err)
	}
}

func TestClosureReturningClosure(t *testing.T) {
	before := liveClosures(t)
	maker, err := ferryman.Call[*ferryman.Closure](lib, "adder_maker")
	if err != nil {
		t.Fatal(err)
	}
	add2, err := ferryman.CallClosure[*ferryman.Closure](maker, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ferryman.CallClosure[int](add2, 40); v != 42 || err != nil {
		t.Fatalf("add2(40) = %v, %v", v, err)
	}
	if v := call(t, "make_and_apply", maker, 3, 4); v != int64(7) {
		t.Fatalf("make_and_apply = %#v", v)
	}
	add2.Release()
	maker.Release()
	if liveClosures(t) != before {
		t.Fatalf("closures still live")
	}
}

// Messages name a closure as the library does, after the function whose
// result it was; one from a callback's arguments is "a closure".
func TestClosureNames(t *testing.T) {
	add5, err := ferryman.Call[*ferryman.Closure](lib, "adder", 5)
	if err != nil {
		t.Fatal(err)
	}
	var de *ferryman.DecodeError
	if _, err := ferryman.CallClosure[int8](add5, 200); !errors.As(err, &de) ||
		!strings.HasPrefix(err.Error(), "`adder()`'s closure result: expected int8") {
		t.Fatalf("add5(200) into int8: %v", err)
	}
	add5.Release()
	if _, err := add5.Call(1); err == nil || err.Error() != "`adder()`'s closure was already released" {
		t.Fatalf("a released closure: %v", err)
	}
	maker, err := ferryman.Call[*ferryman.Closure](lib, "adder_maker")
	if err != nil {
		t.Fatal(err)
	}
	defer maker.Release()
	add2, err := ferryman.CallClosure[*ferryman.Closure](maker, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer add2.Release()
	if _, err := ferryman.CallClosure[int8](add2, 200); err == nil || !strings.HasPrefix(err.Error(), "`adder_maker()`'s closure result") {
		t.Fatalf("add2(200) into int8: %v", err)
	}
	var inner error
	call(t, "apply_with_doubler", func(double *ferryman.Closure, x int64) int64 {
		defer double.Release()
		_, inner = ferryman.CallClosure[int8](double, 100)
		return x
	}, 1)
	if inner == nil || !strings.HasPrefix(inner.Error(), "a closure result: expected int8") {
		t.Fatalf("double(100) into int8: %v", inner)
	}
}
