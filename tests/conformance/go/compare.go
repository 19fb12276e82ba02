package main

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"reflect"
)

// differences is what differs between an expected value (from want) and a
// result of the Go host, by tests/conformance/README.md, "Comparing":
// numbers by value (an int equals a float of the same value, NaN equals NaN,
// a bool is no number), bytes equal bytes or an array of the same ints,
// arrays and tuples element by element, maps regardless of order.
func differences(w, got any, where string) []string {
	differ := func() []string { return []string{fmt.Sprintf("%s: expected %s, got %s", where, show(w), show(got))} }
	switch w := w.(type) {
	case nil:
		if got != nil {
			return differ()
		}
	case bool:
		if g, ok := got.(bool); !ok || g != w {
			return differ()
		}
	case *big.Int, float64:
		if !sameNumber(w, got) {
			return differ()
		}
	case string:
		if g, ok := got.(string); !ok || g != w {
			return differ()
		}
	case []byte:
		switch g := got.(type) {
		case []byte:
			if !bytes.Equal(g, w) {
				return differ()
			}
		case []any:
			if len(g) != len(w) {
				return differ()
			}
			for i, b := range w {
				if !sameNumber(big.NewInt(int64(b)), g[i]) {
					return differ()
				}
			}
		default:
			return differ()
		}
	case []any:
		g := sequence(got)
		if g == nil || len(g) != len(w) {
			return differ()
		}
		var found []string
		for i := range w {
			found = append(found, differences(w[i], g[i], fmt.Sprintf("%s[%d]", where, i))...)
		}
		return found
	case wantMap:
		keys, values := pairs(got)
		if keys == nil || len(keys) != len(w) {
			return differ()
		}
		var found []string
		for _, kv := range w {
			at := -1
			for i, k := range keys {
				if len(differences(kv[0], k, "")) == 0 {
					at = i
					break
				}
			}
			if at < 0 {
				found = append(found, fmt.Sprintf("%s: key %s missing in %s", where, show(kv[0]), show(got)))
				continue
			}
			found = append(found, differences(kv[1], values[at], fmt.Sprintf("%s[%s]", where, show(kv[0])))...)
		}
		return found
	default:
		return []string{fmt.Sprintf("%s: cannot compare with %T", where, w)}
	}
	return nil
}

// sequence is a result's items when it is an array (a []any, or a Go array
// such as a decoded tuple map key), else nil.
func sequence(got any) []any {
	if g, ok := got.([]any); ok {
		return g
	}
	v := reflect.ValueOf(got)
	if v.Kind() != reflect.Array {
		return nil
	}
	out := make([]any, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface()
	}
	return out
}

// pairs are a result map's keys and values (nil when it is no map).
func pairs(got any) (keys, values []any) {
	v := reflect.ValueOf(got)
	if v.Kind() != reflect.Map {
		return nil, nil
	}
	keys, values = []any{}, []any{}
	it := v.MapRange()
	for it.Next() {
		keys = append(keys, it.Key().Interface())
		values = append(values, it.Value().Interface())
	}
	return keys, values
}

// sameNumber compares an expected number (*big.Int or float64) with a
// result by value.
func sameNumber(w, got any) bool {
	a, aSpecial, ok := numberValue(w)
	b, bSpecial, ok2 := numberValue(got)
	if !ok || !ok2 {
		return false
	}
	if aSpecial != 0 || bSpecial != 0 {
		return aSpecial == bSpecial
	}
	return a.Cmp(b) == 0
}

// numberValue is a number as an exact rational, or (special) NaN as 2 and
// ±infinity as ±1; ok is false for anything that is not a number (a bool
// included).
func numberValue(x any) (r *big.Rat, special int, ok bool) {
	switch x := x.(type) {
	case *big.Int:
		return new(big.Rat).SetInt(x), 0, true
	case int64:
		return new(big.Rat).SetInt64(x), 0, true
	case uint64:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(x)), 0, true
	case float32:
		return numberValue(float64(x))
	case float64:
		switch {
		case math.IsNaN(x):
			return nil, 2, true
		case math.IsInf(x, 1):
			return nil, 1, true
		case math.IsInf(x, -1):
			return nil, -1, true
		}
		return new(big.Rat).SetFloat64(x), 0, true
	}
	return nil, 0, false
}

// show prints a value for a failure message, with its Go type.
func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case *big.Int:
		return v.String()
	case wantMap:
		s := "{"
		for i, kv := range v {
			if i > 0 {
				s += ", "
			}
			s += show(kv[0]) + ": " + show(kv[1])
		}
		return s + "}"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v (%T)", v, v)
}
