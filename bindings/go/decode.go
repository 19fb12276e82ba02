package ferryman

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
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
// library sent; each host object's reference is dropped.
type decoder struct {
	lib *Library
	dec *msgpack.Decoder
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
	d := decoder{lib: l, dec: msgpack.NewDecoder(bytes.NewReader(data))}
	v, err := d.value(depth)
	if err != nil {
		return nil, &ProtocolError{Function: where, Message: err.Error()}
	}
	if _, err := d.dec.PeekCode(); err == nil {
		return nil, &ProtocolError{Function: where, Message: "bytes after the value"}
	}
	return v, nil
}

func (d *decoder) value(depth int) (any, error) {
	c, err := d.dec.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case c == msgpcode.Nil:
		return nil, d.dec.DecodeNil()
	case c == msgpcode.True || c == msgpcode.False:
		return d.dec.DecodeBool()
	case c == msgpcode.Uint64:
		n, err := d.dec.DecodeUint64()
		if err != nil || n > 1<<63-1 {
			return n, err
		}
		return int64(n), nil
	case msgpcode.IsFixedNum(c) || (c >= msgpcode.Uint8 && c <= msgpcode.Int64):
		return d.dec.DecodeInt64()
	case c == msgpcode.Float || c == msgpcode.Double:
		return d.dec.DecodeFloat64()
	case msgpcode.IsString(c):
		return d.dec.DecodeString()
	case c == msgpcode.Bin8 || c == msgpcode.Bin16 || c == msgpcode.Bin32:
		b, err := d.dec.DecodeBytes()
		if b == nil && err == nil {
			b = []byte{}
		}
		return b, err
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		return d.array(depth)
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		return d.mapValue(depth)
	case msgpcode.IsExt(c):
		return d.ext()
	}
	return nil, fmt.Errorf("byte 0x%02x starts no MessagePack value", c)
}

func (d *decoder) array(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("arrays and maps nest deeper than %d levels", maxDepth)
	}
	n, err := d.dec.DecodeArrayLen()
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, min(n, 1<<16))
	for i := 0; i < n; i++ {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *decoder) mapValue(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("arrays and maps nest deeper than %d levels", maxDepth)
	}
	n, err := d.dec.DecodeMapLen()
	if err != nil {
		return nil, err
	}
	keys := make([]any, 0, min(n, 1<<16))
	values := make([]any, 0, min(n, 1<<16))
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

func (d *decoder) ext() (any, error) {
	id, n, err := d.dec.DecodeExtHeader()
	if err != nil {
		return nil, err
	}
	payload := make([]byte, n)
	if err := d.dec.ReadFull(payload); err != nil {
		return nil, err
	}
	switch id {
	case extBigInt:
		return bigFromPayload(payload)
	case extClosure:
		if n != 8 {
			return nil, fmt.Errorf("a closure (extension 2) of %d bytes, not 8", n)
		}
		return newClosure(d.lib, binary.BigEndian.Uint64(payload)), nil
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
		// This host lends only with handle 0, so no result names its memory.
		return nil, fmt.Errorf("lent bytes (extension 3) in a value this host did not lend")
	}
	return nil, fmt.Errorf("unknown MessagePack extension type %d", id)
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
