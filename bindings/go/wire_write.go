package ferryman

import (
	"encoding/binary"
	"math"
	"slices"
)

// wireWriter appends MessagePack (spec/wire.md) to a byte slice, each value
// in its shortest form. It never fails; its methods return an error only so
// that the encoder's code reads as one chain of returns.
type wireWriter struct{ b []byte }

func (w *wireWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *wireWriter) EncodeNil() error {
	w.b = append(w.b, 0xc0)
	return nil
}

func (w *wireWriter) EncodeBool(v bool) error {
	if v {
		w.b = append(w.b, 0xc3)
	} else {
		w.b = append(w.b, 0xc2)
	}
	return nil
}

// EncodeInt writes v; a fixint 0..127, most ints sent, is written inline
// where it is called (the other forms are in encodeInt, out of line).
func (w *wireWriter) EncodeInt(v int64) error {
	if uint64(v) <= 0x7f {
		w.b = append(w.b, byte(v))
		return nil
	}
	w.encodeInt(v)
	return nil
}

func (w *wireWriter) encodeInt(v int64) {
	switch {
	case v >= 0:
		_ = w.EncodeUint(uint64(v))
	case v >= -32:
		w.b = append(w.b, byte(v))
	case v >= math.MinInt8:
		w.b = append(w.b, 0xd0, byte(v))
	case v >= math.MinInt16:
		w.b = binary.BigEndian.AppendUint16(append(w.b, 0xd1), uint16(v))
	case v >= math.MinInt32:
		w.b = binary.BigEndian.AppendUint32(append(w.b, 0xd2), uint32(v))
	default:
		w.b = binary.BigEndian.AppendUint64(append(w.b, 0xd3), uint64(v))
	}
}

// EncodeInts writes an array of ints: room for the longest forms made
// once, and the small non-negative ones (a fixint byte) written inline.
func (w *wireWriter) EncodeInts(items []int64) {
	_ = w.EncodeArrayLen(len(items))
	// In a local slice, which stays in registers (w.b is stored back at each append).
	b := slices.Grow(w.b, 9*len(items))
	for _, n := range items {
		if uint64(n) <= 0x7f {
			b = append(b, byte(n))
		} else {
			w.b = b
			w.encodeInt(n)
			b = w.b
		}
	}
	w.b = b
}

func (w *wireWriter) EncodeUint(v uint64) error {
	switch {
	case v <= 0x7f:
		w.b = append(w.b, byte(v))
	case v <= math.MaxUint8:
		w.b = append(w.b, 0xcc, byte(v))
	case v <= math.MaxUint16:
		w.b = binary.BigEndian.AppendUint16(append(w.b, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		w.b = binary.BigEndian.AppendUint32(append(w.b, 0xce), uint32(v))
	default:
		w.b = binary.BigEndian.AppendUint64(append(w.b, 0xcf), v)
	}
	return nil
}

func (w *wireWriter) EncodeFloat32(v float32) error {
	w.b = binary.BigEndian.AppendUint32(append(w.b, 0xca), math.Float32bits(v))
	return nil
}

func (w *wireWriter) EncodeFloat64(v float64) error {
	w.b = binary.BigEndian.AppendUint64(append(w.b, 0xcb), math.Float64bits(v))
	return nil
}

// header writes a length in the fix form (when fix is not 0 and n fits in
// fixBits), else in the 8-, 16- or 32-bit form whose codes are c8, c16, c32
// (c8 0: no 8-bit form).
func (w *wireWriter) header(n int, fix byte, fixMax int, c8, c16, c32 byte) {
	switch {
	case fix != 0 && n <= fixMax:
		w.b = append(w.b, fix|byte(n))
	case c8 != 0 && n <= math.MaxUint8:
		w.b = append(w.b, c8, byte(n))
	case n <= math.MaxUint16:
		w.b = binary.BigEndian.AppendUint16(append(w.b, c16), uint16(n))
	default:
		w.b = binary.BigEndian.AppendUint32(append(w.b, c32), uint32(n))
	}
}

func (w *wireWriter) EncodeString(s string) error {
	w.header(len(s), 0xa0, 31, 0xd9, 0xda, 0xdb)
	w.b = append(w.b, s...)
	return nil
}

func (w *wireWriter) EncodeBytes(p []byte) error {
	w.header(len(p), 0, 0, 0xc4, 0xc5, 0xc6)
	w.b = append(w.b, p...)
	return nil
}

func (w *wireWriter) EncodeArrayLen(n int) error {
	w.header(n, 0x90, 15, 0, 0xdc, 0xdd)
	return nil
}

func (w *wireWriter) EncodeMapLen(n int) error {
	w.header(n, 0x80, 15, 0, 0xde, 0xdf)
	return nil
}

// EncodeExtHeader writes an extension's header; its n payload bytes follow.
func (w *wireWriter) EncodeExtHeader(typ int8, n int) error {
	switch n {
	case 1:
		w.b = append(w.b, 0xd4, byte(typ))
	case 2:
		w.b = append(w.b, 0xd5, byte(typ))
	case 4:
		w.b = append(w.b, 0xd6, byte(typ))
	case 8:
		w.b = append(w.b, 0xd7, byte(typ))
	case 16:
		w.b = append(w.b, 0xd8, byte(typ))
	default:
		w.header(n, 0, 0, 0xc7, 0xc8, 0xc9)
		w.b = append(w.b, byte(typ))
	}
	return nil
}
