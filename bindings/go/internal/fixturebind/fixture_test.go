package fixturebind_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
	"github.com/ferryman-rs/ferryman/bindings/go/internal/fixturebind"
	"github.com/ferryman-rs/ferryman/bindings/go/internal/gogen"
)

var (
	lib   *ferryman.Library
	typed *fixturebind.Library
)

func TestMain(m *testing.M) {
	path := os.Getenv("FERRYMAN_FIXTURE")
	if path == "" {
		path = filepath.Join("..", "..", "..", "..", "target", "debug", "libferryman_fixture.so")
	}
	var err error
	if lib, err = ferryman.Load(path); err == nil {
		typed, err = fixturebind.New(lib)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n(build it with `cargo build -p ferryman-fixture`, or set FERRYMAN_FIXTURE)\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// The committed bindings are what ferryman-go writes for today's fixture.
func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := gogen.Generate(lib.Describe(), gogen.Options{Package: "fixturebind", Source: "libferryman_fixture.so"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("fixture_ferryman.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("fixture_ferryman.go is not what ferryman-go writes for the fixture: run `go generate ./internal/fixturebind` in bindings/go")
	}
}

// same checks a typed call against Call[T] of the same arguments.
func same[T any](t *testing.T, name string, got T, err error, args ...any) {
	t.Helper()
	want, werr := ferryman.Call[T](lib, name, args...)
	if err != nil || werr != nil {
		t.Fatalf("%s: typed %v, Call %v", name, err, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: typed %#v, Call %#v", name, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

func TestTypedCallsAnswerAsCall(t *testing.T) {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i % 251)
	}
	longInts := make([]int64, 1000)
	longFloats := make([]float64, 1000)
	for i := range longInts {
		longInts[i], longFloats[i] = int64(i*i)-500, float64(i)/8
	}
	record := fixturebind.Record{Name: "ferry", ID: 41, Score: 1.25, Tags: []int64{0, 1, 2, 300, -4}}

	v, err := typed.Add(40, 2)
	same(t, "add", v, err, 40, 2)
	if v != 42 {
		t.Fatalf("add(40, 2) = %d", v)
	}
	for _, n := range []int8{math.MinInt8, -1, 0, math.MaxInt8} {
		got, err := typed.EchoI8(n)
		same(t, "echo_i8", got, err, n)
	}
	for _, n := range []int32{math.MinInt32, math.MaxInt32} {
		got, err := typed.EchoI32(n)
		same(t, "echo_i32", got, err, n)
	}
	for _, n := range []uint64{0, 200, math.MaxUint64} {
		got, err := typed.EchoU64(n)
		same(t, "echo_u64", got, err, n)
	}
	for _, n := range []uint16{0, math.MaxUint16} {
		got, err := typed.EchoU16(n)
		same(t, "echo_u16", got, err, n)
	}
	for _, n := range []int64{math.MinInt64, -33, math.MaxInt64} {
		got, err := typed.EchoIsize(n)
		same(t, "echo_isize", got, err, n)
	}
	f32, err := typed.EchoF32(1.5)
	same(t, "echo_f32", f32, err, float32(1.5))
	f64, err := typed.EchoF64(math.Inf(-1))
	same(t, "echo_f64", f64, err, math.Inf(-1))
	b, err := typed.EchoBool(true)
	same(t, "echo_bool", b, err, true)
	s, err := typed.EchoString("ferry ⛴ 🦀")
	same(t, "echo_string", s, err, "ferry ⛴ 🦀")
	for _, data := range [][]byte{nil, {1, 2, 3}, big} {
		got, err := typed.EchoBytes(data)
		same(t, "echo_bytes", got, err, data)
		got, err = typed.EchoBytes(data) // a large result now lands in Go memory (bin_result.go)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("echo_bytes of %d bytes, twice: %d bytes, %v", len(data), len(got), err)
		}
	}
	ints, err := typed.EchoVecI64(longInts)
	same(t, "echo_vec_i64", ints, err, longInts)
	total, err := typed.Sum(longInts)
	same(t, "sum", total, err, longInts)
	mean, err := typed.Mean(longFloats)
	same(t, "mean", mean, err, longFloats)
	none, err := typed.Mean(nil)
	if err != nil || none != nil {
		t.Fatalf("mean([]) = %v, %v", none, err)
	}
	strs, err := typed.EchoStrings([]string{"a", "", "ß"})
	same(t, "echo_strings", strs, err, []string{"a", "", "ß"})
	m, err := typed.EchoMap(map[string]int64{"a": 1, "b": -2})
	same(t, "echo_map", m, err, map[string]int64{"a": 1, "b": -2})
	keys, err := typed.EchoIntKeys(map[int64]string{-1: "x", 7: "y"})
	same(t, "echo_int_keys", keys, err, map[int64]string{-1: "x", 7: "y"})
	nested := []map[string][]*int32{{"a": {ptr(int32(1)), nil}}, {}}
	gotNested, err := typed.EchoNested(nested)
	same(t, "echo_nested", gotNested, err, nested)
	opt, err := typed.EchoOption(ptr(int64(-9)))
	same(t, "echo_option", opt, err, ptr(int64(-9)))
	opt, err = typed.EchoOption(nil)
	if err != nil || opt != nil {
		t.Fatalf("echo_option(nil) = %v, %v", opt, err)
	}
	bumped, err := typed.BumpRecord(record)
	same(t, "bump_record", bumped, err, record)
	if bumped.Name != "ferry" || bumped.ID != 42 || len(bumped.Tags) != 6 || bumped.Tags[5] != 42 {
		t.Fatalf("bump_record: %+v", bumped)
	}
	p, err := typed.EchoPoint(fixturebind.Point{X: 1.5, Y: -2})
	same(t, "echo_point", p, err, fixturebind.Point{X: 1.5, Y: -2})
	d, err := typed.Distance(fixturebind.Point{}, fixturebind.Point{X: 3, Y: 4})
	if err != nil || d != 5 {
		t.Fatalf("distance = %v, %v", d, err)
	}
	blob := fixturebind.Blob{Name: "b", Data: []byte{1}, Parts: [][]byte{{2}, {}}, Checksum: ptr([]byte{9})}
	gotBlob, err := typed.EchoBlob(blob)
	same(t, "echo_blob", gotBlob, err, blob)
	tree, err := typed.Tree("/r", 2)
	same(t, "tree", tree, err, "/r", 2)
	if len(tree.Children) != 1 || len(tree.Children[0].Children) != 1 {
		t.Fatalf("tree: %+v", tree)
	}
	rows, err := typed.RowSums([][]float64{{1, 2}, {}, {0.5}})
	same(t, "row_sums", rows, err, [][]float64{{1, 2}, {}, {0.5}})
	if err := typed.Nothing(); err != nil {
		t.Fatal(err)
	}
	if err := typed.EchoUnit(struct{}{}); err != nil {
		t.Fatal(err)
	}
	greeting, err := typed.Greet("hi", "Ann", 2, true)
	same(t, "greet", greeting, err, "hi", "Ann", 2, true)
}

// A large []byte and []int64 are lent for the call, as Library.Call lends them.
func TestTypedCallsLend(t *testing.T) {
	data := make([]byte, 4096)
	addr, err := typed.SliceAddress(data)
	if err != nil || uintptr(addr) != uintptr(reflectAddr(data)) {
		t.Fatalf("slice_address: %x, %v; the []byte is at %x", addr, err, reflectAddr(data))
	}
	floats := make([]float64, 100)
	addr, err = typed.F64SliceAddress(floats)
	if err != nil || uintptr(addr) != reflectAddr(floats) {
		t.Fatalf("f64_slice_address: %x, %v; the slice is at %x", addr, err, reflectAddr(floats))
	}
	small := make([]float64, 3)
	if addr, err = typed.F64SliceAddress(small); err != nil || uintptr(addr) == reflectAddr(small) {
		t.Fatalf("f64_slice_address of 3: %x, %v: a short slice is written, not lent", addr, err)
	}
}

func reflectAddr[T any](s []T) uintptr { return reflect.ValueOf(s).Pointer() }

func TestTypedErrors(t *testing.T) {
	_, err := typed.Divide(1, 0)
	var re *ferryman.RustError
	if !errors.As(err, &re) || re.Type != "MathError" || re.Variant != "DivisionByZero" || re.Function != "divide" {
		t.Fatalf("divide(1, 0): %#v", err)
	}
	_, want := lib.Call("divide", 1, 0)
	if fmt.Sprintf("%+v", err) != fmt.Sprintf("%+v", want) {
		t.Fatalf("divide(1, 0):\n%+v\nCall gave\n%+v", err, want)
	}
	err = typed.PanicNow("boom")
	var p *ferryman.RustPanic
	if !errors.As(err, &p) || p.Message != "boom" || !strings.HasSuffix(p.Location().File, "panics.rs") {
		t.Fatalf("panic_now: %#v", err)
	}
	_, err = typed.Greet("hi", "A\xffnn", 1, false)
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Function != "greet" || ae.Param != "name" || ae.Index != 1 || ae.Expected != "String" ||
		!strings.Contains(ae.Message, "not valid UTF-8 (at byte 1") {
		t.Fatalf("greet with a name that is not UTF-8: %#v", err)
	}
	// The call after a refused one is whole (the encoder was given back clean).
	if v, err := typed.Add(1, 2); err != nil || v != 3 {
		t.Fatalf("add after a refused call: %v, %v", v, err)
	}
}

// A result the typed reader does not take goes to Decode, which reads it
// the general way and explains a mismatch as Call[T] does.
func TestDecodeExplains(t *testing.T) {
	fn, err := lib.Bind("echo_string", "(str) -> str")
	if err != nil {
		t.Fatal(err)
	}
	args := fn.Args()
	args.Param(0)
	args.String("not a number")
	res, err := args.Call()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Int(); ok {
		t.Fatal("Int read a str")
	}
	var n int64
	err = res.Decode(&n)
	var de *ferryman.DecodeError
	_, want := ferryman.Call[int64](lib, "echo_string", "not a number")
	if !errors.As(err, &de) || de.Function != "echo_string" || err.Error() != want.Error() {
		t.Fatalf("Decode: %v; Call[int64] gave %v", err, want)
	}
	// And a result it does take, read the general way, is the same value.
	args = fn.Args()
	args.Param(0)
	args.String("ok")
	if res, err = args.Call(); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := res.Decode(&s); err != nil || s != "ok" {
		t.Fatalf("Decode: %q, %v", s, err)
	}
}

// Bindings generated from another version of the library are refused at
// New, naming the function and both signatures.
func TestBindChecksTheSignature(t *testing.T) {
	_, err := lib.Bind("add", "(i64) -> i64")
	if err == nil || !strings.Contains(err.Error(), "`add` is (i64, i64) -> i64, but the bindings were generated for (i64) -> i64") {
		t.Fatalf("Bind with another signature: %v", err)
	}
	_, err = lib.Bind("no_such_function", "() -> unit")
	var be *ferryman.BridgeError
	if !errors.As(err, &be) || be.Kind != "no_function" || be.Function != "no_such_function" {
		t.Fatalf("Bind of a missing function: %#v", err)
	}
	sig := lib.Describe().Signature(lib.Function("bump_record"))
	if sig != "(Record{fields: [{name: name, optional: false, type: str}, {name: id, optional: false, type: i64}, "+
		"{name: score, optional: false, type: f64}, {name: tags, optional: false, type: list(i64)}]; kind: struct}) -> Record" {
		t.Fatalf("bump_record's signature: %s", sig)
	}
}

func TestTypedAsync(t *testing.T) {
	v, err := typed.AsyncAdd(context.Background(), 2, 3)
	if err != nil || v != 5 {
		t.Fatalf("async_add: %v, %v", v, err)
	}
	s, err := typed.AsyncSleep(context.Background(), 1, "slept")
	if err != nil || s != "slept" {
		t.Fatalf("async_sleep: %q, %v", s, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = typed.AsyncSleep(ctx, 600_000, "never")
	var ce *ferryman.CancelledError
	if !errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) || ce.Function != "async_sleep" {
		t.Fatalf("async_sleep under a 30 ms deadline: %#v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("the cancelled call took %v", time.Since(start))
	}
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, err = typed.AsyncAdd(done, 1, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("async_add under a done context: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		live, err := lib.LiveFutures()
		if err != nil {
			t.Fatal(err)
		}
		if len(live) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("futures left: %+v", live)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The general-way methods (streams, a callback taking a callback) call
// Library.Call; a type that holds an enum is any there.
func TestGeneralMethods(t *testing.T) {
	summary, err := typed.Summarize([]any{"Start", map[string]any{"Resize": []any{1, 2}}}, 1)
	if err != nil || !reflect.DeepEqual(summary, map[string]any{"count": int64(2)}) {
		t.Fatalf("summarize: %#v, %v", summary, err)
	}
}

// An enum is a Go interface with a struct per variant; each variant goes
// out and comes back as the library has it (the wire form Call sends).
func TestTypedEnums(t *testing.T) {
	type F = fixturebind.Shape
	shapes := []struct {
		shape fixturebind.Shape
		wire  any
		area  float64
	}{
		{fixturebind.ShapeEmpty{}, "Empty", 0},
		{fixturebind.ShapeSquare{Value: 3}, map[string]any{"Square": 3.0}, 9},
		{fixturebind.ShapeCircle{Center: fixturebind.Point{X: 1, Y: -2}, Radius: 2},
			map[string]any{"Circle": map[string]any{"center": map[string]any{"x": 1.0, "y": -2.0}, "radius": 2.0}}, 4 * math.Pi},
	}
	for _, c := range shapes {
		area, err := typed.Area(c.shape)
		same(t, "area", area, err, c.wire)
		if area != c.area {
			t.Errorf("Area(%#v) = %v, want %v", c.shape, area, c.area)
		}
		back, err := typed.EchoShape(c.shape)
		if err != nil || !reflect.DeepEqual(back, c.shape) {
			t.Errorf("EchoShape(%#v) = %#v, %v", c.shape, back, err)
		}
	}
	// A pointer to a variant is the variant.
	if area, err := typed.Area(&fixturebind.ShapeSquare{Value: 2}); err != nil || area != 4 {
		t.Errorf("Area(&ShapeSquare{2}) = %v, %v", area, err)
	}
	// nil (or a nil pointer to a variant) is sent as nil: the library says what it takes.
	for _, shape := range []F{nil, (*fixturebind.ShapeSquare)(nil)} {
		_, err := typed.Area(shape)
		var ae *ferryman.ArgumentError
		if !errors.As(err, &ae) || ae.Function != "area" || ae.Param != "shape" {
			t.Errorf("Area(%#v): %v, want an ArgumentError naming area and shape", shape, err)
		}
	}
	// Every variant kind: unit, newtype, tuple, and a renamed struct variant
	// with a defaulted field; an Option<Event> result, nil for no events.
	events := []fixturebind.Event{
		fixturebind.EventStart{},
		fixturebind.EventMove{Value: fixturebind.Point{X: 0.5, Y: 2}},
		fixturebind.EventResize{Field0: 640, Field1: 480},
		fixturebind.EventClose{Code: -7, Reason: "bye"},
	}
	for i := range events {
		last, err := typed.Replay(1, events[:i+1])
		if err != nil || !reflect.DeepEqual(last, events[i]) {
			t.Errorf("Replay(…%#v) = %#v, %v", events[i], last, err)
		}
	}
	if last, err := typed.Replay(1, nil); err != nil || last != nil {
		t.Errorf("Replay(nil) = %#v, %v, want nil", last, err)
	}
	got, err := lib.Call("replay", 1, []any{map[string]any{"Resize": []any{640, 480}}})
	if want := map[string]any{"Resize": []any{int64(640), int64(480)}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Call(replay) = %#v, %v: the wire form differs from %#v", got, err, want)
	}
	// A value out of a field's range is the library's error, naming the parameter.
	_, err = typed.Replay(1, []fixturebind.Event{fixturebind.EventMove{}, nil})
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Param != "events" {
		t.Errorf("Replay with a nil event: %v", err)
	}
}

// Tuples, tuple structs and unit structs are Go structs (Field0, …) that
// travel as arrays: each goes out and comes back as the library has it.
func TestTypedTuples(t *testing.T) {
	in := fixturebind.TupleI32StrBool{Field0: -5, Field1: "héllo", Field2: true}
	if got, err := typed.EchoTuple(in); err != nil || got != in {
		t.Errorf("EchoTuple(%#v) = %#v, %v", in, got, err)
	}
	parts, err := typed.SplitFloat(-2.75)
	wire, werr := lib.Call("split_float", -2.75)
	if err != nil || werr != nil || parts != (fixturebind.TupleI64F64{Field0: -2, Field1: -0.75}) ||
		!reflect.DeepEqual(wire, []any{int64(-2), -0.75}) {
		t.Errorf("SplitFloat(-2.75) = %#v, %v; Call: %#v, %v", parts, err, wire, werr)
	}
	bt := fixturebind.TupleBytesU8{Field0: []byte{0, 1, 255}, Field1: 255}
	if got, err := typed.EchoByteTuple(bt); err != nil || !reflect.DeepEqual(got, bt) {
		t.Errorf("EchoByteTuple = %#v, %v", got, err)
	}
	label := "l"
	settings := fixturebind.Settings{MaxDepth: 3, Label: &label, Key: []byte{9}, Mode: fixturebind.ModeCareful{Retries: 2}}
	got, err := typed.Configure(settings, fixturebind.Marker{})
	want := settings
	want.MaxDepth = 6
	if err != nil || !reflect.DeepEqual(got, fixturebind.TupleSettingsPair{Field0: want, Field1: fixturebind.Pair{Field0: 1, Field1: "one"}}) {
		t.Errorf("Configure = %#v, %v", got, err)
	}
	// The wire form Call sends, for the same call: an array for the tuple and the pair.
	wire, err = lib.Call("configure", map[string]any{"maxDepth": 3, "label": "l", "key": []byte{9},
		"mode": map[string]any{"Careful": map[string]any{"retries": 2}}}, nil)
	if err != nil || !reflect.DeepEqual(wire.([]any)[1], []any{int64(1), "one"}) {
		t.Errorf("Call(configure) = %#v, %v", wire, err)
	}
}

// 128-bit integers, durations and times are sent as Library.Call sends
// them and read as Call[T] converts them (Args.Value, Result.Value).
func TestTypedValues(t *testing.T) {
	minI128, _ := new(big.Int).SetString("-170141183460469231731687303715884105728", 10)
	for _, n := range []*big.Int{big.NewInt(7), minI128, new(big.Int).Lsh(big.NewInt(1), 100)} {
		got, err := typed.EchoI128(n)
		same(t, "echo_i128", got, err, n)
		if got.Cmp(n) != 0 {
			t.Errorf("EchoI128(%v) = %v", n, got)
		}
	}
	maxU128 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	if got, err := typed.EchoU128(maxU128); err != nil || got.Cmp(maxU128) != 0 {
		t.Errorf("EchoU128(u128::MAX) = %v, %v", got, err)
	}
	// Beyond every 128-bit integer: an overflow naming the parameter, no call made.
	_, err := typed.EchoI128(new(big.Int).Lsh(big.NewInt(1), 130))
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Kind != "overflow" || ae.Function != "echo_i128" || ae.Param != "value" {
		t.Errorf("EchoI128(2^130): %v", err)
	}
	// An Option<i128> is a *big.Int, nil for None.
	if p, err := typed.MulI128(minI128, big.NewInt(2)); err != nil || p != nil {
		t.Errorf("MulI128 overflowing = %v, %v, want nil", p, err)
	}
	if p, err := typed.MulI128(big.NewInt(6), big.NewInt(-7)); err != nil || p.Int64() != -42 {
		t.Errorf("MulI128(6, -7) = %v, %v", p, err)
	}
	secs, err := typed.DurationSeconds(1500 * time.Millisecond)
	same(t, "duration_seconds", secs, err, 1500*time.Millisecond)
	if secs != 1.5 {
		t.Errorf("DurationSeconds(1.5s) = %v", secs)
	}
	at := time.Date(2024, 5, 1, 12, 0, 0, 500_000_000, time.UTC)
	back, err := typed.EchoSystemTime(at)
	same(t, "echo_system_time", back, err, at)
	if !back.Equal(at) {
		t.Errorf("EchoSystemTime(%v) = %v", at, back)
	}
	later, err := typed.LaterTimes([]time.Time{at, at.Add(time.Hour)}, 2*time.Second)
	same(t, "later_times", later, err, []time.Time{at, at.Add(time.Hour)}, 2*time.Second)
	if len(later) != 2 || !later[1].Equal(at.Add(time.Hour+2*time.Second)) {
		t.Errorf("LaterTimes = %v", later)
	}
	// The time crate writes its own forms (an array of 9 ints, [secs, nanos]).
	moved, err := typed.TimePlus(at.In(time.FixedZone("", 7200)), 90*time.Minute)
	same(t, "time_plus", moved, err, at, 90*time.Minute)
	if moved == nil || !moved.Equal(at.Add(90*time.Minute)) {
		t.Errorf("TimePlus = %v", moved)
	}
	// jiff writes a duration as ISO 8601 text (-PT3S).
	scaled, err := typed.JiffScale(-1500*time.Millisecond, 2)
	same(t, "jiff_scale", scaled, err, -1500*time.Millisecond, 2)
	if scaled == nil || *scaled != -3*time.Second {
		t.Errorf("JiffScale(-1.5s, 2) = %v", scaled)
	}
}

// A callback parameter is a Go func of the callback's types that returns an
// error too: Rust calls it (from its own threads too), a returned error
// comes out of the call, and nothing is left registered afterwards.
func TestTypedCallbacks(t *testing.T) {
	before := ferryman.LiveHostObjects()
	triple := func(x int64) (int64, error) { return x * 3, nil }
	if v, err := typed.Apply(triple, 5); err != nil || v != 15 {
		t.Errorf("Apply(triple, 5) = %v, %v", v, err)
	}
	repeat := func(s string, n int64) (string, error) { return strings.Repeat(s, int(n)), nil }
	if v, err := typed.ApplyTwo(repeat, "ab", 3); err != nil || v != "ababab" {
		t.Errorf("ApplyTwo = %q, %v", v, err)
	}
	if v, err := typed.CallFromThreads(triple, 4); err != nil || v != 3*(0+1+2+3) {
		t.Errorf("CallFromThreads = %v, %v", v, err)
	}
	refused := errors.New("refused")
	_, err := typed.Apply(func(int64) (int64, error) { return 0, refused }, 1)
	var ce *ferryman.CallbackError
	if !errors.As(err, &ce) || !errors.Is(err, refused) {
		t.Errorf("Apply with a failing callback: %v", err)
	}
	// A nil func is sent as nil, which the library refuses, naming the parameter.
	_, err = typed.Apply(nil, 1)
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Param != "f" {
		t.Errorf("Apply(nil, 1): %v", err)
	}
	// A class method through the general API takes the same func type.
	counter, err := typed.NewCounter("c", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer counter.Close()
	if v, err := counter.Visit(func(name string) (int64, error) { return int64(len(name)), nil }); err != nil || v != 1 {
		t.Errorf("Visit = %v, %v", v, err)
	}
	runtime.GC()
	if after := ferryman.LiveHostObjects(); after > before {
		t.Errorf("%d host objects live after the calls, %d before", after, before)
	}
}

func TestTypedCallsFromGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				r := fixturebind.Record{Name: fmt.Sprint(g, i), ID: int64(i), Tags: []int64{int64(g)}}
				got, err := typed.BumpRecord(r)
				if err != nil || got.Name != r.Name || got.ID != r.ID+1 || got.Tags[0] != int64(g) {
					errs <- fmt.Errorf("bump_record(%+v) = %+v, %v", r, got, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Classes: a Go type per class, constructors and statics on the library,
// objects of generated classes in and out of functions.
// Objects of a generated class in a free function's parameters and results
// go the typed way: *Counter in (its Object), *Counter out (wrapped), lists
// and options of them too; nothing is left live once they are closed.
func TestTypedObjects(t *testing.T) {
	live := func() int {
		objs, err := lib.LiveObjects()
		if err != nil {
			t.Fatal(err)
		}
		return len(objs)
	}
	before := live()
	counters, err := typed.Counters(3)
	if err != nil || len(counters) != 3 {
		t.Fatalf("Counters(3) = %v, %v", counters, err)
	}
	for i, c := range counters {
		if v, err := typed.CounterValue(c); err != nil || v != int64(i) {
			t.Errorf("CounterValue(counters[%d]) = %v, %v", i, v, err)
		}
		if v, err := typed.CounterInThread(c, 10); err != nil || v != int64(i)+10 {
			t.Errorf("CounterInThread(counters[%d], 10) = %v, %v", i, v, err)
		}
		c.Close()
	}
	if v, err := typed.MaybeCounterValue(nil); err != nil || v != -1 {
		t.Errorf("MaybeCounterValue(nil) = %v, %v, want -1 (None)", v, err)
	}
	if c, err := typed.MaybeCounter(false); err != nil || c != nil {
		t.Errorf("MaybeCounter(false) = %v, %v, want nil", c, err)
	}
	c, err := typed.MaybeCounter(true)
	if err != nil || c == nil {
		t.Fatalf("MaybeCounter(true) = %v, %v", c, err)
	}
	c.Close()
	// A closed object, or a nil one, is the library's ArgumentError naming the parameter.
	for _, bad := range []*fixturebind.Counter{c, nil} {
		_, err := typed.CounterValue(bad)
		var ae *ferryman.ArgumentError
		if !errors.As(err, &ae) || ae.Param != "counter" {
			t.Errorf("CounterValue(%v): %v", bad, err)
		}
	}
	if after := live(); after != before {
		t.Errorf("%d objects live after, %d before", after, before)
	}
}

func TestTypedClasses(t *testing.T) {
	c, err := typed.NewCounter("ferry", 40)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Add(2); err != nil || v != 42 {
		t.Fatalf("Counter.add(2) = %v, %v", v, err)
	}
	if err := c.Rename("boat"); err != nil {
		t.Fatal(err)
	}
	if name, err := c.Name(); err != nil || name != "boat" {
		t.Fatalf("Counter.name() = %q, %v", name, err)
	}
	if v, err := typed.CounterValue(c); err != nil || v != 42 {
		t.Fatalf("counter_value(c) = %v, %v", v, err)
	}
	clone, err := c.CloneCounter()
	if err != nil || clone == nil || clone.Object().Class() != "Counter" {
		t.Fatalf("clone_counter: %v, %v", clone, err)
	}
	if err := clone.Close(); err != nil {
		t.Fatal(err)
	}
	named, err := typed.CounterNamed("n")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := named.Value(); err != nil || v != 0 {
		t.Fatalf("Counter.named(\"n\").value() = %v, %v", v, err)
	}
	named.Close()
	if c.String() == "" {
		t.Fatal("Counter has a Display, and String is empty")
	}
	err = c.Fail("nope")
	var re *ferryman.RustError
	if !errors.As(err, &re) {
		t.Fatalf("Counter.fail: %#v", err)
	}
	_, err = typed.CounterValue(nil)
	var ae *ferryman.ArgumentError
	if err == nil {
		t.Fatal("counter_value(nil) answered")
	} else if errors.As(err, &ae) && ae.Param != "counter" {
		t.Fatalf("counter_value(nil): %v", err)
	}
	ac, err := typed.NewAsyncCounter(1)
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	if v, err := ac.AddLater(context.Background(), 1, 2); err != nil || v != 3 {
		t.Fatalf("AsyncCounter.add_later = %v, %v", v, err)
	}
	c.Close()
	if _, err := c.Value(); err == nil {
		t.Fatal("a closed Counter answered")
	}
}

// Calls of numbers (ferryman.Small): the arguments and the reply cross by
// value, on the caller's stack. Every length of argument array answers as
// Library.Call does — those that fit the words, those that outgrow them
// while written, lists long enough to lend — and so does a panic, whose
// error value comes in a library box.
func TestSmallCalls(t *testing.T) {
	for n := 0; n <= 70; n++ {
		for _, scale := range []int64{1, 1000, math.MaxInt64 / 100} {
			values := make([]int64, n)
			for i := range values {
				values[i] = int64(i) * scale * int64(1-2*(i%2))
			}
			got, err := typed.Sum(values)
			same(t, "sum", got, err, values)
			at, err := typed.IndexOutOfBounds(values, uint64(n/2))
			if n > 0 {
				same(t, "index_out_of_bounds", at, err, values, n/2)
			}
		}
	}
	scaled, err := typed.Scaled(-1.5e300, 2, false)
	same(t, "scaled", scaled, err, -1.5e300, 2.0, false)

	_, err = typed.IndexOutOfBounds([]int64{1, 2, 3}, 7)
	_, want := lib.Call("index_out_of_bounds", []int64{1, 2, 3}, 7)
	var p *ferryman.RustPanic
	if !errors.As(err, &p) || !strings.Contains(p.Message, "index out of bounds") || fmt.Sprintf("%+v", err) != fmt.Sprintf("%+v", want) {
		t.Fatalf("index_out_of_bounds past the end:\n%+v\nCall gave\n%+v", err, want)
	}
	if v, err := typed.Add(1, 2); err != nil || v != 3 {
		t.Fatalf("add after a panic: %v, %v", v, err)
	}
}

// A small call allocates nothing: the Small stays on the caller's stack.
func TestSmallCallsDoNotAllocate(t *testing.T) {
	ten := []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for name, call := range map[string]func(){
		"add":      func() { _, _ = typed.Add(1, 2) },
		"sum":      func() { _, _ = typed.Sum(ten) },
		"echo_f64": func() { _, _ = typed.EchoF64(0.5) },
		"scaled":   func() { _, _ = typed.Scaled(1, 2, true) },
		"nothing":  func() { _ = typed.Nothing() },
	} {
		if n := testing.AllocsPerRun(100, call); n != 0 {
			t.Errorf("%s: %v allocations a call", name, n)
		}
	}
}
