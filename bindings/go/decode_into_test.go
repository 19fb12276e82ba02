package ferryman

import (
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

type intoInner struct {
	N int8 `msgpack:"n"`
}

type intoRecord struct {
	Name  string      `msgpack:"name"`
	ID    int64       `msgpack:"id"`
	Score float64     `msgpack:"score"`
	Tags  []int64     `msgpack:"tags"`
	Raw   []byte      `msgpack:"raw"`
	Ok    bool        `msgpack:"ok"`
	In    *intoInner  `msgpack:"in"`
	List  []intoInner `msgpack:"list"`
	Vals  []float64   `msgpack:"vals"`
	Skip  string      `msgpack:"-"`
}

// Call[T]'s fast path (decodeInto) gives what the general decoder and
// assign give, and hands every value it does not read plainly back to them.
func TestDecodeIntoMatchesTheGeneralPath(t *testing.T) {
	var w wireWriter
	enc := func(f func(w *wireWriter)) []byte { w.b = nil; f(&w); return w.b }
	record := enc(func(w *wireWriter) {
		_ = w.EncodeMapLen(9)
		_ = w.EncodeString("vals")
		_ = w.EncodeArrayLen(2)
		_ = w.EncodeFloat64(1.5)
		_ = w.EncodeInt(2)
		_ = w.EncodeString("name")
		_ = w.EncodeString("ferry")
		_ = w.EncodeString("id")
		_ = w.EncodeInt(-1 << 40)
		_ = w.EncodeString("score")
		_ = w.EncodeFloat64(2.5)
		_ = w.EncodeString("tags")
		_ = w.EncodeArrayLen(3)
		for _, n := range []int64{0, 300, -5} {
			_ = w.EncodeInt(n)
		}
		_ = w.EncodeString("raw")
		_ = w.EncodeBytes([]byte{1, 2})
		_ = w.EncodeString("ok")
		_ = w.EncodeBool(true)
		_ = w.EncodeString("in")
		_ = w.EncodeMapLen(1)
		_ = w.EncodeString("n")
		_ = w.EncodeInt(-7)
		_ = w.EncodeString("list")
		_ = w.EncodeArrayLen(1)
		_ = w.EncodeNil()
	})
	cases := []struct {
		name string
		data []byte
		into any // a pointer to the target type
		fast bool
	}{
		{"record", record, new(intoRecord), true},
		{"int into float", enc(func(w *wireWriter) { _ = w.EncodeInt(3) }), new(float64), true},
		{"nil into pointer", enc(func(w *wireWriter) { _ = w.EncodeNil() }), new(*intoInner), true},
		{"u64 into uint64", enc(func(w *wireWriter) { _ = w.EncodeUint(math.MaxUint64) }), new(uint64), false},
		{"overflow", enc(func(w *wireWriter) { _ = w.EncodeInt(300) }), new(int8), false},
		{"negative into uint", enc(func(w *wireWriter) { _ = w.EncodeInt(-1) }), new(uint), false},
		{"unknown key", enc(func(w *wireWriter) { _ = w.EncodeMapLen(1); _ = w.EncodeString("Name"); _ = w.EncodeString("x") }), new(intoRecord), false},
		{"string into int", enc(func(w *wireWriter) { _ = w.EncodeString("3") }), new(int), false},
		{"big int", enc(func(w *wireWriter) { _ = w.EncodeInt(5) }), new(*big.Int), false},
		{"duration", enc(func(w *wireWriter) { _ = w.EncodeArrayLen(2); _ = w.EncodeInt(1); _ = w.EncodeInt(0) }), new(time.Duration), false},
		{"durations", enc(func(w *wireWriter) {
			_ = w.EncodeArrayLen(1)
			_ = w.EncodeArrayLen(2)
			_ = w.EncodeInt(1)
			_ = w.EncodeInt(0)
		}), new([]time.Duration), false},
		{"short array", []byte{0x92, 0x01}, new([]int64), false},
		{"into any", enc(func(w *wireWriter) { _ = w.EncodeInt(1) }), new(any), false},
		{"bytes after", append(enc(func(w *wireWriter) { _ = w.EncodeInt(1) }), 0xc0), new(int), false},
		{"short", []byte{0xcd, 0x01}, new(int), false},
	}
	for _, c := range cases {
		fast := reflect.New(reflect.TypeOf(c.into).Elem())
		if got := decodeInto(fast.Elem(), c.data); got != c.fast {
			t.Errorf("%s: decodeInto answered %v", c.name, got)
			continue
		}
		if !c.fast {
			if !fast.Elem().IsZero() {
				t.Errorf("%s: a value handed back is not zeroed: %#v", c.name, fast.Elem().Interface())
			}
			continue
		}
		v, err := (&Library{}).decode("f", c.data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		general := reflect.New(reflect.TypeOf(c.into).Elem())
		if err := assign(general.Interface(), v, "f"); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(fast.Interface(), general.Interface()) {
			t.Errorf("%s: fast %#v, general %#v", c.name, fast.Elem().Interface(), general.Elem().Interface())
		}
	}
}

// Fields that share a wire name follow encoding/json: the one tagged with
// the name crosses, none when that is not exactly one; a key fills the field
// with its exact name, else the first whose name matches it case-insensitively
// and is not another key's. The fast path, the general one and the encoder
// agree, whatever the other fields' types.
func TestFieldsSharingAWireName(t *testing.T) {
	type bothTagged struct {
		X  float64 `msgpack:"x"`
		X2 float64 `msgpack:"x"`
		Y  float64 `msgpack:"y"`
	}
	type tagBeatsName struct {
		X float64 // wire name "X"
		A float64 `msgpack:"X"`
		Y float64 `msgpack:"y"`
	}
	type exactBeatsFold struct {
		A float64 `msgpack:"x"`
		X float64 // "X" matches the key "x" only case-insensitively, and "x" is A's
		Y float64 `msgpack:"y"`
	}
	type foldOnly struct {
		X float64 // "X": the key "x" is its own, case-insensitively
		Y float64 `msgpack:"y"`
	}
	// {xKey: 5, "y": 6}
	pointWith := func(xKey string) []byte {
		var w wireWriter
		_ = w.EncodeMapLen(2)
		_ = w.EncodeString(xKey)
		_ = w.EncodeFloat64(5)
		_ = w.EncodeString("y")
		_ = w.EncodeFloat64(6)
		return w.b
	}
	lower, upper := pointWith("x"), pointWith("X")
	cases := []struct {
		name string
		data []byte
		want any // a pointer to the expected value
		keys int // the encoder's keys for *want
	}{
		{"both tagged", lower, &bothTagged{Y: 6}, 1},
		{"tag beats name", upper, &tagBeatsName{A: 5, Y: 6}, 2},
		{"exact beats fold", lower, &exactBeatsFold{A: 5, Y: 6}, 3},
		{"fold only", lower, &foldOnly{X: 5, Y: 6}, 2},
	}
	for _, c := range cases {
		typ := reflect.TypeOf(c.want).Elem()
		fast := reflect.New(typ)
		if !decodeInto(fast.Elem(), c.data) {
			fast.Elem().SetZero()
			v, _ := (&Library{}).decode("f", c.data)
			if err := assign(fast.Interface(), v, "f"); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		v, err := (&Library{}).decode("f", c.data)
		if err != nil {
			t.Fatal(err)
		}
		general := reflect.New(typ)
		if err := assign(general.Interface(), v, "f"); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(fast.Interface(), c.want) || !reflect.DeepEqual(general.Interface(), c.want) {
			t.Errorf("%s: fast %+v, general %+v, want %+v", c.name, fast.Elem().Interface(), general.Elem().Interface(), reflect.ValueOf(c.want).Elem().Interface())
		}
		e := newEncoder(nil)
		if err := e.value(reflect.ValueOf(c.want).Elem(), 1); err != nil {
			t.Fatal(err)
		}
		if got := int(e.bytes()[0] & 0x0f); got != c.keys {
			t.Errorf("%s: encoded with %d keys, want %d", c.name, got, c.keys)
		}
	}
	// Through Call[T]: a float32 field sends the second type to the general path.
	type dupFast struct {
		X  float64 `msgpack:"x"`
		X2 float64 `msgpack:"x"`
		Y  float64 `msgpack:"y"`
	}
	type dupSlow struct {
		X  float64 `msgpack:"x"`
		X2 float64 `msgpack:"x"`
		Y  float32 `msgpack:"y"`
	}
	lib := fixture(t)
	point := map[string]float64{"x": 5, "y": 6}
	f, err1 := Call[dupFast](lib, "echo_point", point)
	s, err2 := Call[dupSlow](lib, "echo_point", point)
	if err1 != nil || err2 != nil || f.X != s.X || f.X2 != s.X2 || float32(f.Y) != s.Y {
		t.Fatalf("Call[T]: fast path %+v, %v; general path %+v, %v", f, err1, s, err2)
	}
}
