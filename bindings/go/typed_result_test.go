package ferryman

import (
	"math"
	"testing"
)

// readAll drives Result's readers over data, the reader of each step chosen
// by a byte of plan, as generated code would over a library's reply; no
// bytes may make a reader panic or move the cursor backwards or past the end.
func readAll(t *testing.T, data, plan []byte) {
	r := &Result{r: wireReader{b: data}}
	for _, step := range plan {
		before := r.r.i
		switch step % 16 {
		case 0:
			r.Nil()
		case 1:
			r.Bool()
		case 2:
			r.Int()
		case 3:
			r.Uint()
		case 4:
			r.IntIn(math.MinInt8, math.MaxInt8)
		case 5:
			r.UintTo(math.MaxUint16)
		case 6:
			r.Float64()
		case 7:
			r.Float32()
		case 8:
			r.Str()
		case 9:
			r.Key()
		case 10:
			r.Bytes()
		case 11:
			r.ArrayLen()
		case 12:
			r.MapLen()
		case 13:
			r.Ints()
		case 14:
			r.Floats()
		case 15:
			r.End()
		}
		if r.r.i < before || r.r.i > len(data) {
			t.Fatalf("step %d moved the cursor from %d to %d of %d", step%16, before, r.r.i, len(data))
		}
	}
}

func FuzzResultReaders(f *testing.F) {
	for _, seed := range [][2][]byte{
		{{0x84, 0xa4, 'n', 'a', 'm', 'e', 0xa1, 'x', 0xa2, 'i', 'd', 0x2a}, {12, 9, 8, 9, 2, 15}},
		{{0x93, 0x01, 0xcd, 0xff, 0xff, 0xd3}, {11, 2, 3, 2, 13}},
		{{0xdc, 0xff, 0xff, 0x01}, {13, 14, 11}},
		{{0xde, 0x00, 0x10}, {12, 9}},
		{{0xc6, 0xff, 0xff, 0xff, 0xff, 0x00}, {10, 10}},
		{{0xdb, 0x00, 0x00, 0x00, 0x05, 'a'}, {8, 9}},
		{{0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0xca, 0x3f}, {7, 6, 7, 4}},
		{{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xe0}, {2, 3, 4, 5}},
		{{}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, data, plan []byte) { readAll(t, data, plan) })
}

// What the readers take, and what they leave for Decode.
func TestResultReaders(t *testing.T) {
	r := &Result{r: wireReader{b: []byte{0xd0, 0x80, 0xcc, 0xff, 0xa2, 'o', 'k', 0xc4, 0x01, 0x07, 0xca, 0x3f, 0xc0, 0x00, 0x00}}}
	if n, ok := r.IntIn(math.MinInt8, math.MaxInt8); !ok || n != -128 {
		t.Fatalf("IntIn: %d %v", n, ok)
	}
	if _, ok := r.IntIn(math.MinInt8, math.MaxInt8); ok || r.r.i != 2 {
		t.Fatal("IntIn took 255 for an i8, or moved the cursor")
	}
	if n, ok := r.UintTo(math.MaxUint8); !ok || n != 255 {
		t.Fatalf("UintTo: %d %v", n, ok)
	}
	if _, ok := r.Int(); ok {
		t.Fatal("Int read a str")
	}
	if s, ok := r.Str(); !ok || s != "ok" {
		t.Fatalf("Str: %q %v", s, ok)
	}
	if b, ok := r.Bytes(); !ok || len(b) != 1 || b[0] != 7 {
		t.Fatalf("Bytes: %v %v", b, ok)
	}
	if x, ok := r.Float32(); !ok || x != 1.5 {
		t.Fatalf("Float32: %v %v", x, ok)
	}
	if !r.End() {
		t.Fatalf("End: at %d of %d", r.r.i, len(r.r.b))
	}
	bad := &Result{r: wireReader{b: []byte{0xa1, 0xff}}}
	if _, ok := bad.Str(); ok {
		t.Fatal("Str took a str that is not UTF-8")
	}
	if _, ok := (&Result{r: wireReader{b: []byte{0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}}}).Float32(); ok {
		t.Fatal("Float32 took 0.1, which an f32 does not hold")
	}
}
