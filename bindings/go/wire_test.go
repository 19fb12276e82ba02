package ferryman

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// The MessagePack writer picks each value's shortest form, and the reader
// reads every form back (spec/wire.md: MessagePack as specified).
func TestWireRoundTrip(t *testing.T) {
	ints := []struct {
		n    int64
		head byte
	}{
		{0, 0x00}, {127, 0x7f}, {128, 0xcc}, {255, 0xcc}, {256, 0xcd}, {65535, 0xcd}, {65536, 0xce},
		{math.MaxUint32, 0xce}, {math.MaxUint32 + 1, 0xcf}, {math.MaxInt64, 0xcf},
		{-1, 0xff}, {-32, 0xe0}, {-33, 0xd0}, {-128, 0xd0}, {-129, 0xd1}, {-32768, 0xd1},
		{-32769, 0xd2}, {math.MinInt32, 0xd2}, {math.MinInt32 - 1, 0xd3}, {math.MinInt64, 0xd3},
	}
	for _, c := range ints {
		var w wireWriter
		_ = w.EncodeInt(c.n)
		if w.b[0] != c.head {
			t.Errorf("%d: header 0x%02x, want 0x%02x", c.n, w.b[0], c.head)
		}
		if got := roundTrip(t, w.b); got != c.n {
			t.Errorf("%d read back as %#v", c.n, got)
		}
	}
	var w wireWriter
	_ = w.EncodeUint(math.MaxUint64)
	if got := roundTrip(t, w.b); got != uint64(math.MaxUint64) {
		t.Errorf("MaxUint64 read back as %#v", got)
	}
	values := []any{
		nil, true, false, 1.5, math.Inf(-1), "", "é", strings.Repeat("a", 31), strings.Repeat("b", 32),
		strings.Repeat("c", 256), strings.Repeat("d", 70000), []byte{}, bytes.Repeat([]byte{7}, 300),
		[]any{}, make([]any, 15), make([]any, 16), make([]any, 70000),
		map[string]any{}, map[string]any{"k": []any{int64(1), "v"}},
	}
	for _, v := range values {
		e := newEncoder(nil)
		if err := e.value(reflect.ValueOf(v), 1); err != nil {
			t.Fatal(err)
		}
		if got := roundTrip(t, e.bytes()); !reflect.DeepEqual(got, v) {
			t.Errorf("%.40v read back as %.40v", v, got)
		}
	}
	var f wireWriter
	_ = f.EncodeFloat32(0.1)
	if got := roundTrip(t, f.b); got != float64(float32(0.1)) {
		t.Errorf("float 32 read back as %v", got)
	}
}

func roundTrip(t *testing.T, b []byte) any {
	t.Helper()
	v, err := (&Library{}).decode("test", b)
	if err != nil {
		t.Fatalf("% x: %v", b[:min(len(b), 16)], err)
	}
	return v
}

// Truncated and malformed bytes are protocol errors, never a panic.
func TestWireRefusesBadBytes(t *testing.T) {
	for _, b := range [][]byte{
		{}, {0xcd, 0x01}, {0xa3, 'a'}, {0x92, 0x01}, {0x81, 0xa1, 'k'}, {0xc1}, {0xdd, 0xff, 0xff, 0xff, 0xff},
		{0xa2, 0xff, 0xfe}, {0x01, 0x02}, {0xc7, 0x05, 0x04, 0x00},
	} {
		if v, err := (&Library{}).decode("test", b); err == nil {
			t.Errorf("% x decoded as %#v", b, v)
		}
	}
}
