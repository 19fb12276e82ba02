package ferryman

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
)

// maxDepth is the nesting limit of spec/wire.md, "Limits".
const maxDepth = 256

// Extension types (spec/wire.md, spec/callbacks.md).
const (
	extHostObject = 1
	extClosure    = 2
	extLentBytes  = 3
	extBigInt     = 4
	extObject     = 5
)

// decoder turns one MessagePack value from a library into Go values:
// nil, bool, int64 (uint64 above MaxInt64), float64, string, []byte, []any,
// map[string]any (map[any]any when a key is not a string), *big.Int
// (extension 4), *Closure (2), *Object (5), and the host's own value for
// extension 1. Each closure and object it makes owns the reference the
// library sent; each host object's reference is dropped. It reads the bytes
// in place (they may be the library's memory, freed after decoding) and
// copies every string and byte string out of them.
type decoder struct {
	lib   *Library
	r     wireReader
	where string // what is being read: a function's name for its result
}

func (l *Library) decode(where string, data []byte) (any, error) {
	return l.decodeAt(where, data, 1)
}

// decodeArgs reads a callback's argument array, which the nesting limit
// does not count: each argument is a value of its own (spec/wire.md, "Limits").
func (l *Library) decodeArgs(where string, data []byte) (any, error) {
	return l.decodeAt(where, data, 0)
}

func (l *Library) decodeAt(where string, data []byte, depth int) (any, error) {
	// (Set field by field: a composite literal is built aside and copied.)
	var d decoder
	d.lib, d.r.b, d.where = l, data, where
	v, err := d.value(depth)
	if err != nil {
		return nil, &ProtocolError{Function: where, Message: err.Error()}
	}
	if d.r.i != len(data) {
		return nil, &ProtocolError{Function: where, Message: "bytes after the value"}
	}
	return v, nil
}

func (d *decoder) value(depth int) (any, error) {
	c, err := d.r.byte()
	if err != nil {
		return nil, err
	}
	if v, ok := byteValue(c); ok {
		return v, nil
	}
	switch {
	case c >= 0xa0 && c <= 0xbf:
		return d.r.str(int(c & 0x1f))
	case c >= 0x90 && c <= 0x9f:
		return d.array(int(c&0x0f), depth)
	case c >= 0x80 && c <= 0x8f:
		return d.mapValue(int(c&0x0f), depth)
	}
	switch c {
	case 0xcc, 0xcd, 0xce, 0xcf:
		n, err := d.r.uint(1 << (c - 0xcc))
		if err != nil || n > math.MaxInt64 {
			return n, err
		}
		return int64(n), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		n, err := d.r.uint(size)
		shift := 64 - 8*size
		return int64(n<<shift) >> shift, err // sign-extended
	case 0xca:
		n, err := d.r.uint(4)
		return float64(math.Float32frombits(uint32(n))), err
	case 0xcb:
		n, err := d.r.uint(8)
		return math.Float64frombits(n), err
	case 0xd9, 0xda, 0xdb:
		n, err := d.r.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.r.str(int(n))
	case 0xc4, 0xc5, 0xc6:
		n, err := d.r.uint(1 << (c - 0xc4))
		if err != nil {
			return nil, err
		}
		p, err := d.r.take(int(n))
		if err != nil {
			return nil, err
		}
		b := make([]byte, len(p)) // (append's growth path costs more)
		copy(b, p)
		return b, nil
	case 0xdc, 0xdd:
		n, err := d.r.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.array(int(n), depth)
	case 0xde, 0xdf:
		n, err := d.r.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return d.mapValue(int(n), depth)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return d.ext(1 << (c - 0xd4))
	case 0xc7, 0xc8, 0xc9:
		n, err := d.r.uint(1 << (c - 0xc7))
		if err != nil {
			return nil, err
		}
		return d.ext(int(n))
	}
	return nil, fmt.Errorf("byte 0x%02x starts no MessagePack value", c)
}

// byteValue is the value a marker byte is by itself (a fixint, nil, a
// bool); false when the value goes on past it.
func byteValue(c byte) (any, bool) {
	switch {
	case c <= 0x7f:
		return int64(c), true
	case c >= 0xe0:
		return int64(int8(c)), true
	case c == 0xc0:
		return nil, true
	case c == 0xc2 || c == 0xc3:
		return c == 0xc3, true
	}
	return nil, false
}

func (d *decoder) array(n, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("arrays and maps nest deeper than %d levels", maxDepth)
	}
	// Each item takes at least one byte: a length beyond what is left is a lie.
	if n > d.r.left() {
		return nil, fmt.Errorf("an array of %d items in %d bytes", n, d.r.left())
	}
	out := make([]any, n)
	for i := range out {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (d *decoder) mapValue(n, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("arrays and maps nest deeper than %d levels", maxDepth)
	}
	if 2*n > d.r.left() {
		return nil, fmt.Errorf("a map of %d pairs in %d bytes", n, d.r.left())
	}
	keys := make([]any, 0, n)
	values := make([]any, 0, n)
	allStrings := true
	for i := 0; i < n; i++ {
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, ok := k.(string); !ok {
			allStrings = false
		}
		keys = append(keys, k)
		values = append(values, v)
	}
	if allStrings {
		m := make(map[string]any, len(keys))
		for i, k := range keys {
			m[k.(string)] = values[i]
		}
		return m, nil
	}
	m := make(map[any]any, len(keys))
	for i, k := range keys {
		hk, err := hashableKey(k)
		if err != nil {
			return nil, err
		}
		m[hk] = values[i]
	}
	return m, nil
}

// hashableKey makes a map key Go can hold: an array key ([]any, a tuple in
// Rust) becomes a Go array [N]any, bin a [N]byte. A map key cannot be held.
func hashableKey(k any) (any, error) {
	switch k := k.(type) {
	case []any:
		arr := reflect.New(reflect.ArrayOf(len(k), reflect.TypeOf((*any)(nil)).Elem())).Elem()
		for i, e := range k {
			he, err := hashableKey(e)
			if err != nil {
				return nil, err
			}
			if he != nil {
				arr.Index(i).Set(reflect.ValueOf(he))
			}
		}
		return arr.Interface(), nil
	case []byte:
		arr := reflect.New(reflect.ArrayOf(len(k), reflect.TypeOf(byte(0)))).Elem()
		reflect.Copy(arr, reflect.ValueOf(k))
		return arr.Interface(), nil
	case map[string]any, map[any]any:
		return nil, fmt.Errorf("a map key that is a map, which a Go map cannot hold")
	}
	return k, nil
}

func (d *decoder) ext(n int) (any, error) {
	typ, err := d.r.byte()
	if err != nil {
		return nil, err
	}
	id := int8(typ)
	payload, err := d.r.take(n)
	if err != nil {
		return nil, err
	}
	switch id {
	case extBigInt:
		return bigFromPayload(payload)
	case extClosure:
		if n != 8 {
			return nil, fmt.Errorf("a closure (extension 2) of %d bytes, not 8", n)
		}
		c := newClosure(d.lib, binary.BigEndian.Uint64(payload), d.closureName())
		c.iterOf = d.iteratorOf()
		return c, nil
	case extObject:
		if n != 12 {
			return nil, fmt.Errorf("an object (extension 5) of %d bytes, not 12", n)
		}
		return newObject(d.lib, binary.BigEndian.Uint32(payload), binary.BigEndian.Uint64(payload[4:])), nil
	case extHostObject:
		if n != 12 {
			return nil, fmt.Errorf("a host object (extension 1) of %d bytes, not 12", n)
		}
		v, ok := hostTake(binary.BigEndian.Uint64(payload[4:]))
		if !ok {
			return nil, fmt.Errorf("host object %d is not live", binary.BigEndian.Uint64(payload[4:]))
		}
		return v, nil
	case extLentBytes:
		return lentResult(payload)
	case extStream:
		if n != 8 {
			return nil, fmt.Errorf("a stream (extension 7) of %d bytes, not 8", n)
		}
		return newStream(d.lib, binary.BigEndian.Uint64(payload)), nil
	}
	return nil, fmt.Errorf("unknown MessagePack extension type %d", id)
}

// closureName is how messages name a closure read here: as the library
// does, "`adder()`'s closure", after the function (or closure) whose result
// it is, else "a closure".
func (d *decoder) closureName() string {
	switch {
	case strings.HasSuffix(d.where, "'s closure"):
		return d.where // a closure's result: made in the same function
	case d.lib != nil && d.lib.byName[d.where] != nil:
		return "`" + d.where + "()`'s closure"
	}
	return "a closure"
}

// iteratorOf is the function whose result is being read when it returns a
// Rust iterator (describe: {"iter": T}), whose closure this is; else "".
func (d *decoder) iteratorOf() string {
	if d.lib == nil {
		return ""
	}
	f := d.lib.byName[d.where]
	if f == nil {
		return ""
	}
	if m, ok := f.Returns.Type.(map[string]any); ok {
		if _, ok := m["iter"]; ok {
			return f.Name
		}
	}
	return ""
}

// bigFromPayload reads extension 4: big-endian two's complement, 1 to 17
// bytes, sign-extended. A value that fits 64 bits comes back as int64 or
// uint64, like an ordinary int.
func bigFromPayload(p []byte) (any, error) {
	if len(p) < 1 || len(p) > 17 {
		return nil, fmt.Errorf("a big integer (extension 4) of %d bytes, not 1 to 17", len(p))
	}
	v := new(big.Int).SetBytes(p)
	if p[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(p))))
	}
	if v.IsInt64() {
		return v.Int64(), nil
	}
	if v.IsUint64() {
		return v.Uint64(), nil
	}
	return v, nil
}
