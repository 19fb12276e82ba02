package ferryman

import (
	"errors"
	"testing"
)

// An error value's array and map headers are checked against the bytes left
// before anything is allocated from them: a header claiming 2^32-1 frames in
// a 35-byte value is bad bytes (a *ProtocolError), not a 256 GiB allocation.
func TestAnErrorValueCannotClaimMoreThanItsBytes(t *testing.T) {
	head := func(key string, pairs byte) []byte {
		var w wireWriter
		_ = w.EncodeMapLen(int(pairs))
		_ = w.EncodeString("kind")
		_ = w.EncodeString("error")
		_ = w.EncodeString("message")
		_ = w.EncodeString("m")
		_ = w.EncodeString(key)
		return w.b
	}
	cases := map[string][]byte{
		"frames":          append(head("frames", 3), 0xdd, 0xff, 0xff, 0xff, 0xff),
		"notes":           append(head("notes", 3), 0xdd, 0x7f, 0xff, 0xff, 0xff),
		"causes":          append(head("causes", 3), 0xdd, 0x10, 0x00, 0x00, 0x00),
		"frames array16":  append(head("frames", 3), 0xdc, 0xff, 0xff, 0x80),
		"a frame's map":   append(head("frames", 3), 0x91, 0xdf, 0x7f, 0xff, 0xff, 0xff),
		"a cause's map":   append(head("causes", 3), 0x91, 0xde, 0x00, 0x02, 0xa1, 'x', 0xc0),
		"the value's map": {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa4, 'k', 'i', 'n', 'd'},
		"os_error's map":  append(head("os_error", 3), 0xde, 0xff, 0xff),
	}
	lib := &Library{}
	for name, data := range cases {
		var ev errorValue
		err := lib.readErrorValue("f", data, &ev)
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, not a *ProtocolError", name, err)
		}
	}
	// A header that tells the truth is still read.
	var ev errorValue
	ok := append(head("notes", 3), 0x92, 0xa1, 'a', 0xa1, 'b')
	if err := lib.readErrorValue("f", ok, &ev); err != nil || len(ev.Notes) != 2 || ev.Notes[1] != "b" {
		t.Fatalf("notes [a, b]: %+v, %v", ev.Notes, err)
	}
}
