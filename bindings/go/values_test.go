package ferryman_test

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func TestHandshakeAndDescribe(t *testing.T) {
	hs := lib.Handshake()
	if hs.ABI != 1 || hs.Wire != 1 || hs.Library != "ferryman-fixture" {
		t.Fatalf("handshake %+v", hs)
	}
	d := lib.Describe()
	if len(d.Functions) != hs.Functions {
		t.Fatalf("describe has %d functions, the handshake says %d", len(d.Functions), hs.Functions)
	}
	add := lib.Function("add")
	if add == nil || add.Doc != "Adds two numbers." || len(add.Params) != 2 || add.Params[0].Type != "i64" {
		t.Fatalf("add: %+v", add)
	}
	names := lib.Functions()
	if len(names) != hs.Functions || names[0] > names[len(names)-1] {
		t.Fatalf("functions: %d names, not sorted?", len(names))
	}
}

func TestPrimitives(t *testing.T) {
	if v := call(t, "add", 2, 3); v != int64(5) {
		t.Fatalf("add(2, 3) = %#v", v)
	}
	// Every Go int width goes in.
	for _, pair := range [][2]any{{int8(2), int16(3)}, {int32(2), int64(3)}, {uint8(2), uint16(3)}, {uint32(2), uint64(3)}, {uint(2), 3}} {
		if v := call(t, "add", pair[0], pair[1]); v != int64(5) {
			t.Fatalf("add(%T, %T) = %#v", pair[0], pair[1], v)
		}
	}
	if v := call(t, "nothing"); v != nil {
		t.Fatalf("nothing() = %#v", v)
	}
	if v := call(t, "shout", "hi"); v != "HI" {
		t.Fatalf("shout = %#v", v)
	}
	n, err := ferryman.Call[int8](lib, "add", 2, 3)
	if err != nil || n != 5 {
		t.Fatalf("Call[int8] = %v, %v", n, err)
	}
	// A result that does not fit the Go type is an error, not a wrap-around.
	_, err = ferryman.Call[int8](lib, "add", 200, 3)
	var de *ferryman.DecodeError
	if !asError(err, &de) || de.Function != "add" {
		t.Fatalf("Call[int8](203): %v", err)
	}
	// The error names the place inside the result.
	type record struct {
		Name string `msgpack:"name"`
		Tags []int8 `msgpack:"tags"`
	}
	_, err = ferryman.Call[record](lib, "bump_record", map[string]any{"name": "r", "id": 1, "score": 1.5, "tags": []int{7, 300}})
	if !asError(err, &de) || de.Path != "tags[1]" || de.Expected != "int8" {
		t.Fatalf("Call[record] with tags [7, 300, 2]: %v", err)
	}
	_, err = ferryman.Call[[]map[string][]int8](lib, "echo_nested", []any{map[string]any{"a": []any{1, nil, -300}}})
	if !asError(err, &de) || de.Path != "[0][a][2]" {
		t.Fatalf("Call[[]map[string][]int8] with -300: %v", err)
	}
}

func TestBytesAndNil(t *testing.T) {
	data := []byte{0, 1, 2, 255}
	v := call(t, "echo_bytes", data)
	if b, ok := v.([]byte); !ok || !bytes.Equal(b, data) {
		t.Fatalf("echo_bytes = %#v", v)
	}
	v = call(t, "echo_bytes", []byte{})
	if b, ok := v.([]byte); !ok || len(b) != 0 {
		t.Fatalf("echo_bytes(empty) = %#v", v)
	}
}

func TestBigIntegers(t *testing.T) {
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	v := call(t, "echo_i128", two64)
	if b, ok := v.(*big.Int); !ok || b.Cmp(two64) != 0 {
		t.Fatalf("echo_i128(2^64) = %#v", v)
	}
	neg := new(big.Int).Neg(two64)
	if b, err := ferryman.Call[*big.Int](lib, "echo_i128", neg); err != nil || b.Cmp(neg) != 0 {
		t.Fatalf("echo_i128(-2^64) = %v, %v", b, err)
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	if b, err := ferryman.Call[*big.Int](lib, "echo_u128", max); err != nil || b.Cmp(max) != 0 {
		t.Fatalf("echo_u128(2^128-1) = %v, %v", b, err)
	}
	if v := call(t, "echo_i128", -1); v != int64(-1) {
		t.Fatalf("echo_i128(-1) = %#v", v)
	}
	// Beyond u128 is refused by the library as an overflow.
	_, err := lib.Call("echo_u128", new(big.Int).Neg(big.NewInt(1)))
	var ae *ferryman.ArgumentError
	if !asError(err, &ae) || ae.Kind != "overflow" || ae.Param == "" {
		t.Fatalf("echo_u128(-1): %v", err)
	}
}

type point struct {
	X float64 `msgpack:"x"`
	Y float64 `msgpack:"y"`
}

func TestRecordsAndCollections(t *testing.T) {
	p, err := ferryman.Call[point](lib, "echo_point", point{X: 1.5, Y: -2})
	if err != nil || p != (point{1.5, -2}) {
		t.Fatalf("echo_point = %+v, %v", p, err)
	}
	v := call(t, "echo_point", map[string]float64{"x": 1, "y": 2})
	if !reflect.DeepEqual(v, map[string]any{"x": 1.0, "y": 2.0}) {
		t.Fatalf("echo_point(map) = %#v", v)
	}
	keys := call(t, "echo_int_keys", map[int64]string{7: "x"})
	if !reflect.DeepEqual(keys, map[any]any{int64(7): "x"}) {
		t.Fatalf("echo_int_keys = %#v", keys)
	}
	typed, err := ferryman.Call[map[int32]string](lib, "echo_int_keys", map[int64]string{7: "x"})
	if err != nil || typed[7] != "x" {
		t.Fatalf("Call[map[int32]string] = %v, %v", typed, err)
	}
	lists := call(t, "echo_byte_lists", [][]byte{[]byte("ab"), {}})
	if !reflect.DeepEqual(lists, []any{[]byte("ab"), []byte{}}) {
		t.Fatalf("echo_byte_lists = %#v", lists)
	}
	f, err := ferryman.Call[float32](lib, "echo_f32", float32(1.5))
	if err != nil || f != 1.5 {
		t.Fatalf("echo_f32 = %v, %v", f, err)
	}
	if v := call(t, "echo_f64", math.Inf(1)); v != math.Inf(1) {
		t.Fatalf("echo_f64(inf) = %#v", v)
	}
	if v := call(t, "echo_f64", 3); v != 3.0 {
		t.Fatalf("echo_f64(3) = %#v", v)
	}
	tk := call(t, "echo_tuple_keys", map[[2]any]bool{{1, "a"}: true})
	if !reflect.DeepEqual(tk, map[any]any{[2]any{int64(1), "a"}: true}) {
		t.Fatalf("echo_tuple_keys = %#v", tk)
	}
	tup, err := ferryman.Call[[]any](lib, "echo_tuple", []any{int32(1), "x", true})
	if err != nil || !reflect.DeepEqual(tup, []any{int64(1), "x", true}) {
		t.Fatalf("echo_tuple = %#v, %v", tup, err)
	}
	if v := call(t, "echo_option", nil); v != nil {
		t.Fatalf("echo_option(nil) = %#v", v)
	}
	var seven int64 = 7
	opt, err := ferryman.Call[*int64](lib, "echo_option", &seven)
	if err != nil || opt == nil || *opt != 7 {
		t.Fatalf("echo_option(&7) = %v, %v", opt, err)
	}
	none, err := ferryman.Call[*int64](lib, "echo_option", (*int64)(nil))
	if err != nil || none != nil {
		t.Fatalf("echo_option(nil ptr) = %v, %v", none, err)
	}
	strs, err := ferryman.Call[[]string](lib, "echo_strings", []string{"a", "b"})
	if err != nil || !reflect.DeepEqual(strs, []string{"a", "b"}) {
		t.Fatalf("echo_strings = %v, %v", strs, err)
	}
}

// asError is errors.As for a test's target.
func asError[E error](err error, target *E) bool { return errors.As(err, target) }

func TestNestingLimit(t *testing.T) {
	var deep any = "x"
	for i := 0; i < 300; i++ {
		deep = []any{deep}
	}
	_, err := lib.Call("echo_strings", deep)
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Param != "values" || !strings.Contains(ae.Message, "deeper than 256") {
		t.Fatalf("a value 300 levels deep: %v", err)
	}
}

func TestTimes(t *testing.T) {
	d, err := ferryman.Call[time.Duration](lib, "scale_duration", 1500*time.Millisecond, 3)
	if err != nil || d != 4500*time.Millisecond {
		t.Fatalf("scale_duration = %v, %v", d, err)
	}
	at := time.Date(2024, 5, 1, 12, 0, 0, 500, time.UTC)
	back, err := ferryman.Call[time.Time](lib, "echo_system_time", at)
	if err != nil || !back.Equal(at) {
		t.Fatalf("echo_system_time = %v, %v", back, err)
	}
}

func TestIterator(t *testing.T) {
	vocab, err := lib.New("Vocabulary", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	defer vocab.Close()
	words, err := ferryman.CallMethod[*ferryman.Closure](vocab, "words")
	if err != nil {
		t.Fatal(err)
	}
	defer words.Release()
	var got []string
	for {
		batch, err := ferryman.CallClosure[[]string](words, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		got = append(got, batch...)
	}
	if strings.Join(got, "") != "abc" {
		t.Fatalf("words = %v", got)
	}
	// Called with other than how many items to pull: the iterator says so.
	want := "`Vocabulary.words()`'s iterator takes 1 argument (how many items to pull, a u32) but was given 2 arguments"
	if _, err := words.Call(1, 2); err == nil || err.Error() != want {
		t.Fatalf("words(1, 2): %v", err)
	}
}

func TestLargeResultSpillsIntoALibraryBox(t *testing.T) {
	// Larger than the host's out buffer: the library allocates, the host frees.
	big := bytes.Repeat([]byte{7}, 1<<20)
	for i := 0; i < 3; i++ {
		v := call(t, "echo_bytes", big)
		if b, ok := v.([]byte); !ok || !bytes.Equal(b, big) {
			t.Fatalf("echo_bytes(1 MiB) came back as %d bytes", len(b))
		}
	}
}

// A cycle through pointers and interfaces alone nests nothing on the wire,
// so the nesting limit does not see it: its steps are counted apart.
func TestPointerCycleIsAnArgumentError(t *testing.T) {
	var cycle any
	cycle = &cycle
	_, err := lib.Call("echo_option", cycle)
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Kind != "type" || ae.Param != "value" || !strings.Contains(ae.Message, "more than 256 pointers") {
		t.Fatalf("echo_option(a pointer cycle): %v", err)
	}
	// A chain that ends is its end's value.
	n := int64(7)
	p := &n
	var i any = &p
	if v := call(t, "echo_option", &i); v != int64(7) {
		t.Fatalf("echo_option(&any(&&7)) = %#v", v)
	}
}

// An integer beyond i128 and u128 together is refused before the call (16
// bytes of two's complement would drop its sign); within that range the
// library checks its parameter's own.
func TestBigIntegersOutOfRange(t *testing.T) {
	pow := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	add := func(a *big.Int, b int64) *big.Int { return new(big.Int).Add(a, big.NewInt(b)) }
	neg := func(a *big.Int) *big.Int { return new(big.Int).Neg(a) }
	minI128 := neg(pow(127))
	if b, err := ferryman.Call[*big.Int](lib, "echo_i128", minI128); err != nil || b.Cmp(minI128) != 0 {
		t.Fatalf("echo_i128(i128::MIN) = %v, %v", b, err)
	}
	for _, c := range []struct {
		function string
		n        *big.Int
	}{
		{"echo_i128", add(minI128, -1)},
		{"echo_u128", add(minI128, -1)},
		{"echo_i128", neg(add(pow(128), -1))},
		{"echo_u128", neg(add(pow(128), -1))},
		{"echo_u128", pow(128)},
		{"echo_i128", pow(127)},     // the library's check
		{"echo_u128", minI128},      // the library's check
		{"echo_u128", neg(pow(64))}, // the library's check
	} {
		v, err := lib.Call(c.function, c.n)
		var ae *ferryman.ArgumentError
		if !errors.As(err, &ae) || ae.Kind != "overflow" || ae.Param != "value" {
			t.Errorf("%s(%v) = %v, %v; want an overflow", c.function, c.n, v, err)
		}
	}
}

// Call[float32] refuses a finite result float32 cannot hold, as the
// library refuses one for an f32 parameter; NaN and the infinities stay.
func TestFloat32ResultsOutOfRange(t *testing.T) {
	var de *ferryman.DecodeError
	for _, x := range []float64{1e300, -1e300, 2 * math.MaxFloat32} {
		if f, err := ferryman.Call[float32](lib, "echo_f64", x); !errors.As(err, &de) || de.Expected != "float32" {
			t.Errorf("Call[float32](%g) = %v, %v", x, f, err)
		}
	}
	type pointF32 struct {
		X float32 `msgpack:"x"`
		Y float32 `msgpack:"y"`
	}
	if p, err := ferryman.Call[pointF32](lib, "echo_point", point{X: 1, Y: -1e300}); !errors.As(err, &de) || de.Path != "y" {
		t.Errorf("Call[pointF32] with y -1e300 = %+v, %v", p, err)
	}
	for _, x := range []float64{math.MaxFloat32, -math.MaxFloat32, math.Inf(1), math.Inf(-1)} {
		if f, err := ferryman.Call[float32](lib, "echo_f64", x); err != nil || f != float32(x) {
			t.Errorf("Call[float32](%g) = %v, %v", x, f, err)
		}
	}
	if f, err := ferryman.Call[float32](lib, "echo_f64", math.NaN()); err != nil || !math.IsNaN(float64(f)) {
		t.Errorf("Call[float32](NaN) = %v, %v", f, err)
	}
}

func TestDurationResultsOutOfRange(t *testing.T) {
	_, err := ferryman.Call[time.Duration](lib, "scale_duration", 200*365*24*time.Hour, 2)
	var de *ferryman.DecodeError
	if !errors.As(err, &de) || de.Expected != "time.Duration" {
		t.Fatalf("Call[time.Duration] of 400 years: %v", err)
	}
	longest := time.Duration(math.MaxInt64)
	if d, err := ferryman.Call[time.Duration](lib, "scale_duration", longest, 1); err != nil || d != longest {
		t.Fatalf("Call[time.Duration] of the longest Duration = %v, %v", d, err)
	}
}

// Every time.Duration crosses and comes back, MinInt64 too: its seconds
// alone (-9223372037s, plus 145224192ns) do not fit a Duration.
func TestDurationsRoundTripAtTheEdges(t *testing.T) {
	for _, d := range []time.Duration{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, math.MaxInt64 - 1,
		-time.Second, time.Second, -time.Second - 1, time.Second + 1, -1, 0, 1} {
		got, err := ferryman.Call[time.Duration](lib, "scale_delta", d, 1)
		if err != nil || got != d {
			t.Errorf("scale_delta(%d, 1) = %d, %v", int64(d), int64(got), err)
		}
	}
}

// A nil slice or map is an empty one, whatever its type, wherever it is;
// only nil itself and nil pointers are None.
func TestNilSlicesAndMapsAreEmpty(t *testing.T) {
	type ints []int64
	for _, c := range []struct {
		function string
		arg      any
		want     any
	}{
		{"sum", []int64(nil), int64(0)},
		{"sum", []int32(nil), int64(0)},
		{"sum", ints(nil), int64(0)},
		{"echo_i32s", []int32(nil), []any{}},
		{"echo_strings", []string(nil), []any{}},
		{"echo_map", map[string]int64(nil), map[string]any{}},
		{"echo_nested", []map[string][]*int32{{"k": nil}}, []any{map[string]any{"k": []any{}}}},
		{"echo_option", (*int64)(nil), nil},
	} {
		if v, err := lib.Call(c.function, c.arg); err != nil || !reflect.DeepEqual(v, c.want) {
			t.Errorf("%s(%T(nil)) = %#v, %v; want %#v", c.function, c.arg, v, err, c.want)
		}
	}
	var ae *ferryman.ArgumentError
	if _, err := lib.Call("sum", (*[]int64)(nil)); !errors.As(err, &ae) || ae.Param != "values" {
		t.Errorf("sum(a nil *[]int64): %v", err)
	}
}

// A host never sends a str that is not UTF-8 (spec/wire.md): such a string
// is the caller's bad argument, refused before the call.
func TestInvalidUTF8IsAnArgumentError(t *testing.T) {
	type name string
	for _, c := range []struct {
		function string
		args     []any
		param    string
	}{
		{"join_path", []any{"/tmp/caf\xe9", "x"}, "base"},
		{"shout", []any{name("caf\xe9")}, "text"},
		{"echo_strings", []any{[]string{"ok", "caf\xe9"}}, "values"},
		{"echo_map", []any{map[string]int64{"caf\xe9": 1}}, "map"},
	} {
		_, err := lib.Call(c.function, c.args...)
		var ae *ferryman.ArgumentError
		if !errors.As(err, &ae) || ae.Kind != "type" || ae.Param != c.param || !strings.Contains(ae.Message, "not valid UTF-8 (at byte ") {
			t.Errorf("%s(%q): %v", c.function, c.args, err)
		}
	}
}

func TestBytesIntoByteArrays(t *testing.T) {
	// A [N]byte argument is sent as bytes; a bytes result of N bytes fills one.
	got, err := ferryman.Call[[3]byte](lib, "echo_bytes", [3]byte{1, 2, 3})
	if err != nil || got != [3]byte{1, 2, 3} {
		t.Fatalf("echo_bytes into [3]byte: %v %v", got, err)
	}
	var de *ferryman.DecodeError
	if _, err := ferryman.Call[[3]byte](lib, "echo_bytes", []byte{1, 2, 3, 4}); !errors.As(err, &de) {
		t.Fatalf("4 bytes into [3]byte: %#v", err)
	}
}
