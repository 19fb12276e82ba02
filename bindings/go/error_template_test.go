package ferryman

import (
	"errors"
	"reflect"
	"testing"
)

// pair is one key of an error value and the writer of its value.
type pair struct {
	key   string
	value func(w *wireWriter)
}

func strValue(s string) func(*wireWriter) { return func(w *wireWriter) { _ = w.EncodeString(s) } }

func nilValue(w *wireWriter) { _ = w.EncodeNil() }

func errorBytes(pairs ...pair) []byte {
	var w wireWriter
	_ = w.EncodeMapLen(len(pairs))
	for _, p := range pairs {
		_ = w.EncodeString(p.key)
		p.value(&w)
	}
	return w.b
}

// returned is an error value as the library writes a returned Err (every
// key, in the spec's order) with this message and frame line; change
// replaces keys.
func returned(message string, line int, change ...pair) []byte {
	return errorBytes(returnedPairs(message, line, change...)...)
}

func returnedPairs(message string, line int, change ...pair) []pair {
	pairs := []pair{
		{"kind", strValue("error")},
		{"type", strValue("ParseError")},
		{"rust_type", strValue("m::ParseError")},
		{"message", strValue(message)},
		{"function", strValue("parse")},
		{"param", nilValue}, {"index", nilValue}, {"expected", nilValue}, {"found", nilValue},
		{"variant", strValue("Empty")},
		{"fields", func(w *wireWriter) { _ = w.EncodeMapLen(0) }},
		{"base", nilValue},
		{"os_error", nilValue},
		{"causes", func(w *wireWriter) {
			_ = w.EncodeArrayLen(1)
			_ = w.EncodeMapLen(2)
			_ = w.EncodeString("type")
			_ = w.EncodeNil()
			_ = w.EncodeString("message")
			_ = w.EncodeString("the cause")
		}},
		{"notes", func(w *wireWriter) { _ = w.EncodeArrayLen(1); _ = w.EncodeString("a note") }},
		{"frames", func(w *wireWriter) {
			_ = w.EncodeArrayLen(1)
			_ = w.EncodeMapLen(5)
			for _, kv := range []struct {
				k string
				v any
			}{{"function", "parse"}, {"file", "src/lib.rs"}, {"line", line}, {"column", 5}, {"language", "rust"}} {
				_ = w.EncodeString(kv.k)
				if s, ok := kv.v.(string); ok {
					_ = w.EncodeString(s)
				} else {
					_ = w.EncodeInt(int64(kv.v.(int)))
				}
			}
		}},
		{"host_exception", nilValue},
	}
	for _, c := range change {
		for i := range pairs {
			if pairs[i].key == c.key {
				pairs[i] = c
			}
		}
	}
	return pairs
}

func fail(l *Library, data []byte) error {
	return l.failure("parse", &reply{status: 1, bytes: data})
}

// readWhole is data's error as a library that kept no template reads it.
func readWhole(t *testing.T, data []byte) error {
	t.Helper()
	return fail(&Library{}, data)
}

func TestAnErrorAgainReadsOnlyItsMessage(t *testing.T) {
	l := &Library{}
	first := fail(l, returned("first", 7))
	var ev errorValue
	if !l.fromTemplate(returned("a longer second message", 7), &ev) || ev.Message != "a longer second message" {
		t.Fatalf("the second error of one shape was not read from the first's template: %+v", ev)
	}
	// An error from the template is the error read whole.
	for _, message := range []string{"second", "", "ünïcödé, and longer than a fixstr holds: 0123456789"} {
		got, want := fail(l, returned(message, 7)), readWhole(t, returned(message, 7))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: from the template %#v, read whole %#v", message, got, want)
		}
	}
	// Each error's slices and maps are its own.
	var re *RustError
	if !errors.As(first, &re) || len(re.Frames) != 1 || len(re.Notes) != 1 || re.Fields == nil {
		t.Fatalf("first: %#v", first)
	}
	re.Frames[0].Line, re.Notes[0], re.Fields["x"] = 99, "changed", 1
	again := fail(l, returned("again", 7))
	if !errors.As(again, &re) || re.Frames[0].Line != 7 || re.Notes[0] != "a note" || len(re.Fields) != 0 {
		t.Fatalf("a change to the first error shows in the next: %#v", again)
	}
	re.Frames[0].Line, re.Notes[0], re.Fields["y"] = 98, "changed too", 2
	if err := fail(l, returned("once more", 7)); !reflect.DeepEqual(err, readWhole(t, returned("once more", 7))) {
		t.Fatalf("a change to an error from the template shows in the next: %#v", err)
	}
}

func TestErrorsOfOtherShapesAreReadWhole(t *testing.T) {
	l := &Library{}
	_ = fail(l, returned("first", 7))
	var ev errorValue
	// Another frame line, another variant: another shape, read whole (then kept).
	for _, data := range [][]byte{returned("m", 8), returned("m", 7, pair{"variant", strValue("Full")})} {
		if l.fromTemplate(data, &ev) {
			t.Fatalf("%q read from another shape's template", data)
		}
		if got, want := fail(l, data), readWhole(t, data); !reflect.DeepEqual(got, want) {
			t.Fatalf("%#v, read whole %#v", got, want)
		}
	}
	// Two shapes alternating in a loop each keep their template.
	l = &Library{}
	_, _ = fail(l, returned("m", 7)), fail(l, returned("m", 8))
	for i := 0; i < 3; i++ {
		for _, line := range []int{7, 8} {
			if !l.fromTemplate(returned("m", line), &ev) || ev.Frames[0].Line != line {
				t.Fatalf("line %d: not read from its template (round %d)", line, i)
			}
		}
	}
}

func TestOnlyErrorsWhosePartsCanBeSharedAreKept(t *testing.T) {
	fields := func(w *wireWriter) { _ = w.EncodeMapLen(1); _ = w.EncodeString("n"); _ = w.EncodeInt(1) }
	cases := map[string][]byte{
		// Each error gets its own map of fields: {} only.
		"fields": returned("m", 7, pair{"fields", fields}),
		// A handle is resolved once: it cannot be shared. (One no one
		// holds, which resolves to nothing.)
		"a host exception": returned("m", 7, pair{"host_exception", func(w *wireWriter) { _ = w.EncodeInt(1 << 40) }}),
		"a panic":          returned("m", 7, pair{"kind", strValue("panic")}),
		// Two messages: the whole read keeps the second, the template would the first.
		"two messages": errorBytes(append(returnedPairs("m", 7), pair{"message", strValue("again")})...),
	}
	for name, data := range cases {
		l := &Library{}
		_ = fail(l, data)
		var ev errorValue
		if l.fromTemplate(data, &ev) {
			t.Errorf("%s: kept as a template", name)
		}
	}
	// The two messages are read as the whole read reads them: the last wins.
	var re *RustError
	if err := readWhole(t, cases["two messages"]); !errors.As(err, &re) || re.Message != "again" {
		t.Fatalf("two messages: %#v", err)
	}
}

func TestABadMessageOfAKeptShapeIsStillABadValue(t *testing.T) {
	l := &Library{}
	_ = fail(l, returned("first", 7))
	good := returned("abc", 7)
	start, end, _ := messageAt(good)
	cases := map[string][]byte{
		// The str's length claims the bytes after it: what is left is not the tail.
		"a length past the message": append(append(append([]byte{}, good[:start]...), 0xa5, 'a', 'b', 'c'), good[end:]...),
		"not UTF-8":                 append(append(append([]byte{}, good[:start]...), 0xa3, 0xff, 0xfe, 0xfd), good[end:]...),
		"not a str":                 append(append(append([]byte{}, good[:start]...), 0x07), good[end:]...),
	}
	for name, data := range cases {
		var ev errorValue
		if l.fromTemplate(data, &ev) {
			t.Errorf("%s: read from the template", name)
		}
		var pe *ProtocolError
		if err := fail(l, data); !errors.As(err, &pe) {
			t.Errorf("%s: %#v, not a *ProtocolError", name, err)
		}
	}
}
