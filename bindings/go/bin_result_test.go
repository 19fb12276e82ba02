package ferryman

import (
	"bytes"
	"testing"
)

func TestOnlyOneLargeBinFillingTheBytesIsAPayload(t *testing.T) {
	bin := func(header []byte, n int) []byte { return append(append([]byte{}, header...), make([]byte, n)...) }
	n := binResultFrom
	b16 := []byte{0xc5, byte(n >> 8), byte(n)}
	if start, got, ok := binPayload(bin(b16, n)); !ok || start != 3 || got != n {
		t.Fatalf("bin 16 of %d bytes: %d %d %v", n, start, got, ok)
	}
	big := 1 << 20
	b32 := []byte{0xc6, byte(big >> 24), byte(big >> 16), byte(big >> 8), byte(big)}
	if start, got, ok := binPayload(bin(b32, big)); !ok || start != 5 || got != big {
		t.Fatalf("bin 32 of %d bytes: %d %d %v", big, start, got, ok)
	}
	short := []byte{0xc5, byte((n - 1) >> 8), byte(n - 1)}
	for name, b := range map[string][]byte{
		"too short":         bin(short, n-1),
		"a byte after it":   append(bin(b16, n), 0xc0),
		"inside an array":   bin(append([]byte{0x91}, b16...), n),
		"cut short":         bin(b16, n-1),
		"empty":             nil,
		"a header, no more": {0xc6, 0, 1},
	} {
		if _, _, ok := binPayload(b); ok {
			t.Errorf("%s: taken for a large bin", name)
		}
	}
}

// fm_call_into: a value that fits is written into the Go memory offered and
// read from there; one that does not lands in a library box.
func TestTheLibraryWritesIntoTheRoomOffered(t *testing.T) {
	lib := fixture(t)
	f := lib.function("bytes_echo")
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 16<<10)
	for _, extra := range []int{binHeader, 100, -1} {
		e, err := lib.encodeArgs(f.Name, f.Params, []any{data})
		if err != nil {
			t.Fatal(err)
		}
		into := make([]byte, len(data)+extra)
		r := &e.reply
		lib.sym.callIDInto(lib.sym.call, f.ID, e.bytes(), e.out, e.keep, into, r)
		b, ok := inPlaceBin(r, len(into))
		switch {
		case extra < 0 && (r.inPlace || ok || !r.spilled):
			t.Errorf("a value larger than the room: in place %v, spilled %v", r.inPlace, r.spilled)
		case extra >= 0 && (!r.inPlace || !ok || &b[0] != &into[binHeader]):
			t.Errorf("room of %d more bytes: not read in place (%v, %v)", extra, r.inPlace, ok)
		case !bytes.Equal(r.bytes[binHeader:], data):
			t.Errorf("room of %d more bytes: the value differs", extra)
		}
		r.done()
		e.done()
	}
}
