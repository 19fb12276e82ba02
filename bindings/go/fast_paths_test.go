package ferryman

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"testing"
)

// The fast paths of a call give what the general paths give: each test
// sets one beside the path it shortcuts, at the values where they part.

// A result of one byte is read by result as the decoder reads it, and the
// scalars among them are what spec/wire.md says they are.
func TestOneByteResultsReadAsTheDecoderReadsThem(t *testing.T) {
	l := &Library{}
	want := map[byte]any{
		0x00: int64(0), 0x01: int64(1), 0x7f: int64(127), 0xe0: int64(-32), 0xe1: int64(-31), 0xff: int64(-1),
		0xc0: nil, 0xc2: false, 0xc3: true,
		0x80: map[string]any{}, 0x90: []any{}, 0xa0: "", // read by the decoder, not byteValue
	}
	for c := 0; c < 256; c++ {
		data := []byte{byte(c)}
		fast, fastErr := l.result("f", &reply{bytes: data})
		general, generalErr := l.decode("f", data)
		if !reflect.DeepEqual(fast, general) || fmt.Sprint(fastErr) != fmt.Sprint(generalErr) {
			t.Errorf("0x%02x: result %#v, %v; decode %#v, %v", c, fast, fastErr, general, generalErr)
		}
		if w, known := want[byte(c)]; known && (!reflect.DeepEqual(fast, w) || fastErr != nil) {
			t.Errorf("0x%02x: %#v, %v, want %#v", c, fast, fastErr, w)
		}
		if _, scalar := byteValue(byte(c)); scalar && generalErr != nil {
			t.Errorf("0x%02x: byteValue reads it, the decoder refuses it: %v", c, generalErr)
		}
	}
}

// generalArgs encodes args as encodeArgs did before its typed fast paths:
// plain, lendArg, scalar, then reflection.
func generalArgs(t *testing.T, l *Library, params []Param, args []any) []byte {
	t.Helper()
	e := newEncoder(l)
	defer func() {
		if e.pinned {
			e.pins.Unpin()
		}
	}()
	_ = e.enc.EncodeArrayLen(len(args))
	for i, a := range args {
		var p *Param
		if i < len(params) {
			p = &params[i]
		}
		if e.plain(a) || e.lendArg(a, p) || e.scalar(a) {
			continue
		}
		if err := e.other("f", params, i, a); err != nil {
			t.Fatal(err)
		}
	}
	return append([]byte(nil), e.bytes()...)
}

// encodeArgs's ints, []byte and []int64 are written as the general path
// writes them: every int form, and byte strings and int slices on both
// sides of the lengths from which a parameter that takes them borrows them.
func TestTypedArgumentsEncodeAsTheGeneralPath(t *testing.T) {
	edges := []int64{
		0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64,
	}
	var args []any
	for _, n := range edges {
		args = append(args, int(n))
	}
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536, lendBytesFrom - 1, lendBytesFrom} {
		args = append(args, bytes.Repeat([]byte{0xab}, n))
	}
	args = append(args, []byte(nil))
	for _, n := range []int{0, 1, 15, 16, lendSliceFrom - 1, lendSliceFrom} {
		ints := make([]int64, n)
		for i := range ints {
			ints[i] = edges[i%len(edges)]
		}
		args = append(args, ints)
	}
	args = append(args, []int64(nil))
	libs := map[string]*Library{
		"no lending": {},
		"lending":    {handshake: Handshake{LentBytes: true, LentSlices: true}},
	}
	for name, l := range libs {
		// Each argument as the only one, for a parameter that may borrow it.
		for _, a := range args {
			params := []Param{{Name: "p", Type: "bytes"}}
			if _, isInts := a.([]int64); isInts {
				params[0].Type = map[string]any{"list": "i64"}
			}
			want := generalArgs(t, l, params, []any{a})
			e, err := l.encodeArgs("f", params, []any{a})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.bytes(), want) {
				t.Errorf("%s, %T of %v: % x, want % x", name, a, reflect.ValueOf(a).Len(), e.bytes()[:min(len(e.bytes()), 24)], want[:min(len(want), 24)])
			}
			e.done()
		}
		// All of them in one call, with no parameters described.
		want := generalArgs(t, l, nil, args)
		e, err := l.encodeArgs("f", nil, args)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.bytes(), want) {
			t.Errorf("%s, all at once: %d bytes differ from the general path's %d", name, len(e.bytes()), len(want))
		}
		e.done()
	}
}

type intIDs []int64
type score float64

// decodeInto reads int and float slices (of any name) into slices of their
// exact length, as the general path does, and hands back a slice with an
// item that is not a plain number.
func TestDecodeIntoNumberSlicesMatchTheGeneralPath(t *testing.T) {
	type slices struct {
		Ints   []int64   `msgpack:"ints"`
		IDs    intIDs    `msgpack:"ids"`
		Scores []score   `msgpack:"scores"`
		Floats []float64 `msgpack:"floats"`
		Empty  []int64   `msgpack:"empty"`
	}
	edges := []int64{0, 0x7f, 0x80, -32, -33, math.MaxInt64, math.MinInt64}
	var w wireWriter
	_ = w.EncodeMapLen(5)
	_ = w.EncodeString("ints")
	w.EncodeInts(edges)
	_ = w.EncodeString("ids")
	w.EncodeInts(edges[:5])
	_ = w.EncodeString("scores")
	_ = w.EncodeArrayLen(3)
	_ = w.EncodeFloat64(1.5)
	_ = w.EncodeFloat32(-2)
	_ = w.EncodeInt(-33)
	_ = w.EncodeString("floats")
	_ = w.EncodeArrayLen(1)
	_ = w.EncodeFloat64(math.Inf(1))
	_ = w.EncodeString("empty")
	_ = w.EncodeArrayLen(0)

	var fast slices
	if !decodeInto(reflect.ValueOf(&fast).Elem(), w.b) {
		t.Fatal("decodeInto handed plain number slices back")
	}
	v, err := (&Library{}).decode("f", w.b)
	if err != nil {
		t.Fatal(err)
	}
	var general slices
	if err := assign(&general, v, "f"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, general) {
		t.Errorf("fast %+v, general %+v", fast, general)
	}
	for _, s := range []reflect.Value{reflect.ValueOf(fast.Ints), reflect.ValueOf(fast.IDs), reflect.ValueOf(fast.Scores), reflect.ValueOf(fast.Empty)} {
		if s.IsNil() || s.Cap() != s.Len() {
			t.Errorf("%s: len %d, cap %d, nil %v", s.Type(), s.Len(), s.Cap(), s.IsNil())
		}
	}
	// An item that is not a plain int: the caller decodes the general way.
	for _, bad := range [][]byte{{0x92, 0x01, 0xc0}, {0x92, 0x01, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x92, 0x01}} {
		var ints []int64
		if decodeInto(reflect.ValueOf(&ints).Elem(), bad) || ints != nil {
			t.Errorf("% x: read as %v", bad, ints)
		}
	}
}

// structInfoOf answers each type with its own fields, also when more types
// than its cache of recent ones has slots take turns.
func TestStructInfoOfManyTypes(t *testing.T) {
	var types []reflect.Type
	for i := 0; i < 3*len(structRecent); i++ {
		types = append(types, reflect.StructOf([]reflect.StructField{
			{Name: fmt.Sprintf("F%d", i), Type: reflect.TypeOf(0), Tag: reflect.StructTag(fmt.Sprintf(`msgpack:"f%d"`, i))},
		}))
	}
	for round := 0; round < 2; round++ {
		for i, typ := range types {
			info := structInfoOf(typ)
			if info.typ != typ || len(info.fields) != 1 || info.fields[0].name != fmt.Sprintf("f%d", i) {
				t.Fatalf("type %d: %+v", i, info.fields)
			}
		}
	}
}

// An error value reads the same whatever form its keys and integers take:
// the fixstr keys and fixints the library writes, read in place, or the
// longer forms another writer may choose.
func TestErrorValueFormsReadAlike(t *testing.T) {
	write := func(long bool) []byte {
		var w wireWriter
		key := func(s string) {
			if long {
				w.b = append(append(w.b, 0xd9, byte(len(s))), s...)
			} else {
				_ = w.EncodeString(s)
			}
		}
		small := func(n int) {
			if long {
				w.b = append(w.b, 0xcd, byte(n>>8), byte(n))
			} else {
				_ = w.EncodeInt(int64(n))
			}
		}
		_ = w.EncodeMapLen(6)
		key("kind")
		key("error") // a name: read as keys are
		key("message")
		_ = w.EncodeString("failed")
		key("index")
		small(3)
		key("host_exception")
		w.b = append(w.b, 0xc0)
		key("param")
		key("n")
		key("frames")
		_ = w.EncodeArrayLen(1)
		_ = w.EncodeMapLen(3)
		key("file")
		key("lib.rs")
		key("line")
		small(72)
		key("column")
		small(5)
		return w.b
	}
	var short, long errorValue
	if err := (&Library{}).readErrorValue("f", write(false), &short); err != nil {
		t.Fatal(err)
	}
	if err := (&Library{}).readErrorValue("f", write(true), &long); err != nil {
		t.Fatal(err)
	}
	// (Where the message lay differs with the forms.)
	short.messageStart, short.messageEnd, long.messageStart, long.messageEnd = 0, 0, 0, 0
	if !reflect.DeepEqual(short, long) {
		t.Errorf("fixstr and fixint forms %+v, longer forms %+v", short, long)
	}
	if short.Kind != "error" || short.Message != "failed" || short.Index == nil || *short.Index != 3 || short.Param != "n" ||
		len(short.Frames) != 1 || short.Frames[0] != (Frame{File: "lib.rs", Line: 72, Column: 5}) {
		t.Errorf("read %+v", short)
	}
}

// A returned error's one frame, made with the RustError when the kind comes
// first (as the library writes it), gives the error the general reading
// gives when it does not; no two errors share frames.
func TestRustErrorWithOneFrameMatchesTheGeneralPath(t *testing.T) {
	write := func(kindFirst bool) []byte {
		var w wireWriter
		_ = w.EncodeMapLen(3)
		kind := func() { _ = w.EncodeString("kind"); _ = w.EncodeString("error") }
		if kindFirst {
			kind()
		}
		_ = w.EncodeString("message")
		_ = w.EncodeString("failed")
		_ = w.EncodeString("frames")
		_ = w.EncodeArrayLen(1)
		_ = w.EncodeMapLen(2)
		_ = w.EncodeString("function")
		_ = w.EncodeString("fail")
		_ = w.EncodeString("line")
		_ = w.EncodeInt(72)
		if !kindFirst {
			kind()
		}
		return w.b
	}
	l := &Library{}
	read := func(data []byte) *RustError {
		var ev errorValue
		if err := l.readErrorValue("f", data, &ev); err != nil {
			t.Fatal(err)
		}
		return ev.toError(1).(*RustError)
	}
	together, apart, again := read(write(true)), read(write(false)), read(write(true))
	if !reflect.DeepEqual(together, apart) || len(together.Frames) != 1 || cap(together.Frames) != 1 {
		t.Fatalf("kind first %+v, kind last %+v", together, apart)
	}
	if &together.Frames[0] == &again.Frames[0] {
		t.Fatal("two errors share their frame")
	}
	together.Frames[0].Line = 1
	if again.Frames[0].Line != 72 {
		t.Fatal("writing one error's frame changed another's")
	}
}

// Arguments written straight into the C argument buffer, then outgrowing
// it (a buffer of Go memory takes over), then outgrowing what an encoder
// keeps: each call's arguments arrive whole, also from goroutines at once.
func TestArgumentsInAndBeyondTheCBuffer(t *testing.T) {
	lib := fixture(t)
	sizes := []int{1, argsBufferSize - 8, argsBufferSize, 300, 1, 70_000, 2, argsBufferSize + 1, 3}
	errs := make(chan error, 4)
	for g := 0; g < cap(errs); g++ {
		go func() {
			for round := 0; round < 20; round++ {
				for i, n := range sizes {
					want := []any{fmt.Sprintf("%d-%d", g, round), string(bytes.Repeat([]byte{'a' + byte(i)}, n))}
					got, err := lib.Call("echo_strings", []string{want[0].(string), want[1].(string)})
					if err == nil && !reflect.DeepEqual(got, want) {
						err = fmt.Errorf("%d bytes: got %.40v", n, got)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < cap(errs); g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
