package ferryman

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// conversionError is a decoded value that does not fit the Go type asked for.
type conversionError struct {
	path     string
	expected string
	found    string
}

func (e *conversionError) Error() string {
	where := ""
	if e.path != "" {
		where = " at " + e.path
	}
	return fmt.Sprintf("expected %s%s, but found %s", e.expected, where, e.found)
}

// assign stores a decoded value (see decoder) into *dst.
func assign(dst any, v any, what string) error {
	return assignValue(reflect.ValueOf(dst).Elem(), v, "")
}

func describeFound(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case string:
		return fmt.Sprintf("string %q", v)
	case int64, uint64, *big.Int:
		return fmt.Sprintf("integer %v", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case []byte:
		return fmt.Sprintf("%d bytes", len(v))
	case []any:
		return fmt.Sprintf("array of %d", len(v))
	case map[string]any, map[any]any:
		return "map"
	}
	return fmt.Sprintf("%T", v)
}

func assignValue(dst reflect.Value, v any, path string) error {
	t := dst.Type()
	fail := func() error { return &conversionError{path: path, expected: t.String(), found: describeFound(v)} }
	if v == nil {
		dst.SetZero()
		return nil
	}
	if t.Kind() == reflect.Interface {
		if !reflect.TypeOf(v).Implements(t) {
			return fail()
		}
		dst.Set(reflect.ValueOf(v))
		return nil
	}
	if rv := reflect.ValueOf(v); rv.Type().AssignableTo(t) && t.Kind() != reflect.Slice && t.Kind() != reflect.Map {
		dst.Set(rv)
		return nil
	}
	switch t {
	case bigIntType:
		switch n := v.(type) {
		case int64:
			dst.Set(reflect.ValueOf(big.NewInt(n)))
		case uint64:
			dst.Set(reflect.ValueOf(new(big.Int).SetUint64(n)))
		default:
			return fail()
		}
		return nil
	case durationType:
		secs, nanos, ok := durationParts(v)
		if !ok {
			return fail()
		}
		d, ok := durationOf(secs, nanos)
		if !ok {
			return &conversionError{path: path, expected: t.String(),
				found: fmt.Sprintf("a duration of %ds and %dns, which overflows it", secs, nanos)}
		}
		dst.SetInt(int64(d))
		return nil
	case timeType:
		tm, ok := timestamp(v)
		if !ok {
			return fail()
		}
		dst.Set(reflect.ValueOf(tm))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := assignValue(p.Elem(), v, path); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fail()
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		default:
			return fail()
		}
		if dst.OverflowInt(n) {
			return &conversionError{path: path, expected: t.String(), found: fmt.Sprintf("integer %d, which overflows it", n)}
		}
		dst.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		var n uint64
		switch x := v.(type) {
		case int64:
			if x < 0 {
				return &conversionError{path: path, expected: t.String(), found: fmt.Sprintf("negative integer %d", x)}
			}
			n = uint64(x)
		case uint64:
			n = x
		default:
			return fail()
		}
		if dst.OverflowUint(n) {
			return &conversionError{path: path, expected: t.String(), found: fmt.Sprintf("integer %d, which overflows it", n)}
		}
		dst.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		var x float64
		switch n := v.(type) {
		case float64:
			x = n
		case int64:
			x = float64(n)
		case uint64:
			x = float64(n)
		default:
			return fail()
		}
		// As the library's f32 parameters: a finite value that float32
		// rounds to an infinity is out of range; NaN and ±Inf stay.
		if t.Kind() == reflect.Float32 && !math.IsInf(x, 0) && math.IsInf(float64(float32(x)), 0) {
			return &conversionError{path: path, expected: t.String(), found: fmt.Sprintf("float %g, which overflows it", x)}
		}
		dst.SetFloat(x)
		return nil
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return fail()
		}
		dst.SetString(s)
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if b, ok := v.([]byte); ok {
				dst.SetBytes(append([]byte{}, b...))
				return nil
			}
		}
		items, ok := v.([]any)
		if !ok {
			return fail()
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			if err := assignValue(s.Index(i), item, ""); err != nil {
				return within(err, path, fmt.Sprintf("[%d]", i))
			}
		}
		dst.Set(s)
		return nil
	case reflect.Array:
		if b, ok := v.([]byte); ok && t.Elem().Kind() == reflect.Uint8 && len(b) == t.Len() {
			// Bytes into [N]byte, as a [N]byte argument is sent as bytes.
			reflect.Copy(dst, reflect.ValueOf(b))
			return nil
		}
		items, ok := v.([]any)
		if !ok || len(items) != t.Len() {
			return fail()
		}
		for i, item := range items {
			if err := assignValue(dst.Index(i), item, ""); err != nil {
				return within(err, path, fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	case reflect.Map:
		m := reflect.MakeMap(t)
		set := func(k, val any) error {
			kv := reflect.New(t.Key()).Elem()
			if err := assignValue(kv, k, ""); err != nil {
				return within(err, path, "{key}")
			}
			vv := reflect.New(t.Elem()).Elem()
			if err := assignValue(vv, val, ""); err != nil {
				return within(err, path, fmt.Sprintf("[%v]", k))
			}
			m.SetMapIndex(kv, vv)
			return nil
		}
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if err := set(k, val); err != nil {
					return err
				}
			}
		case map[any]any:
			for k, val := range x {
				if t.Key().Kind() != reflect.Interface {
					k = unhashKey(k)
				}
				if err := set(k, val); err != nil {
					return err
				}
			}
		default:
			return fail()
		}
		dst.Set(m)
		return nil
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return fail()
		}
		info := structInfoOf(t)
		for _, f := range info.fields {
			val, ok := m[f.name]
			if !ok {
				val, ok = lookupFold(m, f, info)
			}
			if !ok {
				continue
			}
			if err := assignValue(dst.Field(f.index), val, ""); err != nil {
				return within(err, joinPath(path, f.name), "")
			}
		}
		return nil
	}
	return fail()
}

// within puts a nested value's conversion error at its place: path, then
// step ("[2]", "{key}"), then the place inside the nested value. Paths are
// built only for an error, not for every element converted.
func within(err error, path, step string) error {
	ce, ok := err.(*conversionError)
	if !ok {
		return err
	}
	inner := ce.path
	if inner != "" && inner[0] != '[' && inner[0] != '{' {
		inner = "." + inner
	}
	ce.path = path + step + inner
	return ce
}

func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// lookupFold is the value of a key that matches f's name case-insensitively
// and is f's by info.foldField: a key another field has exactly, or that
// an earlier field matches, is not f's (so each key fills one field, as on
// the fast path). Of several such keys the least is taken, not a random one.
func lookupFold(m map[string]any, f structField, info *structInfo) (any, bool) {
	var key string
	var found bool
	for k := range m {
		if !strings.EqualFold(k, f.name) || (found && k >= key) {
			continue
		}
		if g, ok := info.foldField(k); ok && g.index == f.index {
			key, found = k, true
		}
	}
	if !found {
		return nil, false
	}
	return m[key], true
}

// unhashKey turns a key hashableKey made back into a decoded value, so a
// tuple key can be assigned to a Go struct or slice key type.
func unhashKey(k any) any {
	rv := reflect.ValueOf(k)
	if rv.Kind() != reflect.Array {
		return k
	}
	if rv.Type().Elem().Kind() == reflect.Uint8 {
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		return b
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = unhashKey(rv.Index(i).Interface())
	}
	return out
}

// durationParts reads the duration forms of spec/wire.md, "Times": [secs,
// nanos], {"secs": …, "nanos": …} and jiff's ISO 8601 text.
func durationParts(v any) (int64, int64, bool) {
	var secs, nanos any
	switch x := v.(type) {
	case []any:
		if len(x) != 2 {
			return 0, 0, false
		}
		secs, nanos = x[0], x[1]
	case map[string]any:
		secs, nanos = x["secs"], x["nanos"]
	case string:
		return isoDuration(x)
	default:
		return 0, 0, false
	}
	s, ok1 := secs.(int64)
	n, ok2 := nanos.(int64)
	return s, n, ok1 && ok2
}

// isoDuration reads jiff's ISO 8601 text, [-]PT[hH][mM][s[.f]S] (PT4.5S,
// -PT1H30M), as [secs, nanos] with 0 <= nanos < 1e9.
func isoDuration(text string) (int64, int64, bool) {
	m := isoDurationForm.FindStringSubmatch(text)
	if m == nil || m[2]+m[3]+m[4] == "" {
		return 0, 0, false
	}
	var secs int64
	for i, unit := range []int64{3600, 60, 1} {
		if m[2+i] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[2+i], 10, 64)
		if err != nil || n > (math.MaxInt64-secs)/unit {
			return 0, 0, false
		}
		secs += n * unit
	}
	var nanos int64
	if m[5] != "" {
		nanos, _ = strconv.ParseInt((m[5] + "00000000")[:9], 10, 64)
	}
	if m[1] == "-" {
		secs = -secs
		if nanos > 0 {
			secs, nanos = secs-1, int64(time.Second)-nanos
		}
	}
	return secs, nanos, true
}

var isoDurationForm = regexp.MustCompile(`^([+-]?)PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,9}))?S)?$`)

// durationOf is secs seconds and nanos nanoseconds; false when a
// time.Duration cannot hold it.
func durationOf(secs, nanos int64) (time.Duration, bool) {
	const second = int64(time.Second)
	q, r := nanos/second, nanos%second
	if (q > 0 && secs > math.MaxInt64-q) || (q < 0 && secs < math.MinInt64-q) {
		return 0, false
	}
	secs += q
	// Both parts get the sign of the sum, so secs*1e9 overflows only when
	// the sum does: MinInt64 is -9223372037s + 145224192ns, whose seconds
	// alone do not fit.
	if secs < 0 && r > 0 {
		secs, r = secs+1, r-second
	} else if secs > 0 && r < 0 {
		secs, r = secs-1, r+second
	}
	s := secs * second
	if s/second != secs {
		return 0, false
	}
	d := s + r
	if (r > 0 && d < s) || (r < 0 && d > s) {
		return 0, false
	}
	return time.Duration(d), true
}

// timestamp reads the instant forms of spec/wire.md, "Times": RFC 3339 text
// (with a year outside 0000–9999 as chrono and jiff write it: see
// wideYearTime), SystemTime's {"secs_since_epoch": …, "nanos_since_epoch":
// …} and the time crate's [year, day of year, hour, minute, second,
// nanosecond, offset hours, offset minutes, offset seconds].
func timestamp(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		tm, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return wideYearTime(x)
		}
		return tm, true
	case map[string]any:
		secs, ok1 := x["secs_since_epoch"].(int64)
		nanos, ok2 := x["nanos_since_epoch"].(int64)
		return time.Unix(secs, nanos).UTC(), ok1 && ok2
	case []any:
		if len(x) != 9 {
			return time.Time{}, false
		}
		var n [9]int64
		for i, item := range x {
			v, ok := item.(int64)
			if !ok || v < math.MinInt32 || v > math.MaxInt32 {
				return time.Time{}, false
			}
			n[i] = v
		}
		// In the time crate's ranges (time.Date would carry a day 366 of a
		// common year, an hour 24 or a minute 60 into the next unit, a value
		// the library cannot have written).
		days := int64(365)
		if leapYear(n[0]) {
			days = 366
		}
		if n[1] < 1 || n[1] > days || n[2] < 0 || n[2] > 23 || n[3] < 0 || n[3] > 59 || n[4] < 0 || n[4] > 59 ||
			n[5] < 0 || n[5] >= int64(time.Second) || n[6] < -25 || n[6] > 25 || n[7] < -59 || n[7] > 59 ||
			n[8] < -59 || n[8] > 59 {
			return time.Time{}, false
		}
		zone := time.FixedZone("", int(n[6]*3600+n[7]*60+n[8]))
		return time.Date(int(n[0]), time.January, int(n[1]), int(n[2]), int(n[3]), int(n[4]), int(n[5]), zone), true
	}
	return time.Time{}, false
}

// wideYearTime reads an instant whose year RFC 3339 cannot write, as the
// Rust crates write it: a sign and at least 4 digits (chrono: +10000-01-01T…,
// -0001-12-31T…; jiff: -000001-12-31T…), or more than 4 digits. The rest is
// RFC 3339's. false for any other text.
func wideYearTime(text string) (time.Time, bool) {
	digits := 0
	if text != "" && (text[0] == '+' || text[0] == '-') {
		digits = 1
	}
	end := digits
	for end < len(text) && text[end] >= '0' && text[end] <= '9' {
		end++
	}
	width := end - digits
	if width < 4 || (digits == 0 && width == 4) || width > 9 || end == len(text) || text[end] != '-' {
		return time.Time{}, false
	}
	year, err := strconv.ParseInt(text[digits:end], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	if text[0] == '-' {
		year = -year
	}
	// The rest, read in a leap year (for 29 February), then put in year.
	rest, err := time.Parse(time.RFC3339Nano, "2000"+text[end:])
	if err != nil || (rest.Month() == time.February && rest.Day() == 29 && !leapYear(year)) {
		return time.Time{}, false
	}
	zone := rest.Location()
	if zone != time.UTC {
		name, offset := rest.Zone()
		zone = time.FixedZone(name, offset)
	}
	return time.Date(int(year), rest.Month(), rest.Day(), rest.Hour(), rest.Minute(), rest.Second(),
		rest.Nanosecond(), zone), true
}

// leapYear reports whether year (proleptic Gregorian, 0 = 1 BC) has a 29 February.
func leapYear(year int64) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}
