package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// The tagged forms of tests/conformance/README.md ("Values"), read twice:
// as the Go values a user of the Go host passes (arg), and as the values a
// result is compared with (want).

// tag is the one `$` key of a tagged object, or "".
func tag(m map[string]any) (string, error) {
	if len(m) != 1 {
		return "", nil
	}
	for k := range m {
		if !strings.HasPrefix(k, "$") {
			return "", nil
		}
		switch k {
		case "$bytes", "$int", "$float", "$tuple", "$map":
			return k, nil
		}
		return "", fmt.Errorf("unknown tag %s", k)
	}
	return "", nil
}

// arg is a case's JSON value (decoded with UseNumber) as a Go argument:
// int64 (uint64, *big.Int when wider), float64, string, bool, nil, []byte,
// []any, map[string]any, and map[any]any for `$map` (tuple keys as Go arrays).
func arg(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		return number(v)
	case []any:
		return args(v)
	case map[string]any:
		t, err := tag(v)
		if err != nil {
			return nil, err
		}
		switch t {
		case "$bytes":
			return bytesOf(v[t])
		case "$int":
			n, err := bigOf(v[t])
			if err != nil {
				return nil, err
			}
			return narrow(n), nil
		case "$float":
			return floatOf(v[t])
		case "$tuple":
			items, _ := v[t].([]any)
			return args(items)
		case "$map":
			pairs, _ := v[t].([]any)
			out := make(map[any]any, len(pairs))
			for _, p := range pairs {
				kv, ok := p.([]any)
				if !ok || len(kv) != 2 {
					return nil, fmt.Errorf("a $map pair that is not [key, value]: %v", p)
				}
				k, err := arg(kv[0])
				if err != nil {
					return nil, err
				}
				item, err := arg(kv[1])
				if err != nil {
					return nil, err
				}
				out[mapKey(k)] = item
			}
			return out, nil
		}
		out := make(map[string]any, len(v))
		for k, item := range v {
			a, err := arg(item)
			if err != nil {
				return nil, err
			}
			out[k] = a
		}
		return out, nil
	}
	return v, nil // nil, bool, string
}

func args(items []any) ([]any, error) {
	out := make([]any, len(items))
	for i, item := range items {
		a, err := arg(item)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// mapKey makes a key a Go map can hold: a tuple ([]any) becomes an array
// [N]any, as the Go host decodes one.
func mapKey(k any) any {
	items, ok := k.([]any)
	if !ok {
		return k
	}
	arr := reflect.New(reflect.ArrayOf(len(items), reflect.TypeOf((*any)(nil)).Elem())).Elem()
	for i, item := range items {
		if key := mapKey(item); key != nil {
			arr.Index(i).Set(reflect.ValueOf(key))
		}
	}
	return arr.Interface()
}

// number is a JSON number: an int without a fraction or exponent, else a float.
func number(n json.Number) (any, error) {
	if strings.ContainsAny(string(n), ".eE") {
		return n.Float64()
	}
	return n.Int64()
}

func bytesOf(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("$bytes holds %v, not a string", v)
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}

func bigOf(v any) (*big.Int, error) {
	s, ok := v.(string)
	n, good := new(big.Int).SetString(s, 10)
	if !ok || !good {
		return nil, fmt.Errorf("$int holds %v, not a decimal integer", v)
	}
	return n, nil
}

// narrow is what a Go user passes for an integer: int64, else uint64, else *big.Int.
func narrow(n *big.Int) any {
	if n.IsInt64() {
		return n.Int64()
	}
	if n.IsUint64() {
		return n.Uint64()
	}
	return n
}

func floatOf(v any) (float64, error) {
	s, _ := v.(string)
	switch s {
	case "nan":
		return math.NaN(), nil
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("$float holds %v, not nan, inf, -inf or a decimal", v)
	}
	return f, nil
}

// wantMap is an expected map: its pairs, keys compared by value.
type wantMap [][2]any

// want is a case's JSON value as an expected one: nil, bool, *big.Int (an
// int), float64, string, []byte, []any and wantMap.
func want(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		x, err := number(v)
		if i, ok := x.(int64); ok {
			return big.NewInt(i), err
		}
		return x, err
	case []any:
		return wants(v)
	case map[string]any:
		t, err := tag(v)
		if err != nil {
			return nil, err
		}
		switch t {
		case "$bytes":
			return bytesOf(v[t])
		case "$int":
			return bigOf(v[t])
		case "$float":
			return floatOf(v[t])
		case "$tuple":
			items, _ := v[t].([]any)
			return wants(items)
		case "$map":
			pairs, _ := v[t].([]any)
			out := make(wantMap, 0, len(pairs))
			for _, p := range pairs {
				kv, ok := p.([]any)
				if !ok || len(kv) != 2 {
					return nil, fmt.Errorf("a $map pair that is not [key, value]: %v", p)
				}
				k, err := want(kv[0])
				if err != nil {
					return nil, err
				}
				item, err := want(kv[1])
				if err != nil {
					return nil, err
				}
				out = append(out, [2]any{k, item})
			}
			return out, nil
		}
		out := make(wantMap, 0, len(v))
		for k, item := range v {
			w, err := want(item)
			if err != nil {
				return nil, err
			}
			out = append(out, [2]any{k, w})
		}
		return out, nil
	}
	return v, nil
}

func wants(items []any) ([]any, error) {
	out := make([]any, len(items))
	for i, item := range items {
		w, err := want(item)
		if err != nil {
			return nil, err
		}
		out[i] = w
	}
	return out, nil
}
