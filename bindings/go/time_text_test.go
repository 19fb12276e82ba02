package ferryman

import (
	"testing"
	"time"
)

// timestamp reads the wide years the Rust crates write outside 0000–9999,
// and nothing that only looks like one.
func TestTimestampOfWideYears(t *testing.T) {
	for text, want := range map[string]time.Time{
		"+10000-01-01T00:00:01Z":           time.Date(10000, 1, 1, 0, 0, 1, 0, time.UTC),
		"+10400-02-29T12:00:00.5Z":         time.Date(10400, 2, 29, 12, 0, 0, 5e8, time.UTC),
		"-0001-12-31T23:59:59Z":            time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		"-000001-12-31T23:59:59Z":          time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		"-0004-02-29T00:00:00Z":            time.Date(-4, 2, 29, 0, 0, 0, 0, time.UTC),
		"+010000-01-01T02:00:00+02:00":     time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		"262143-12-31T23:59:59.999999999Z": time.Date(262143, 12, 31, 23, 59, 59, 999999999, time.UTC),
		"9999-12-31T23:59:59Z":             time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		got, ok := timestamp(text)
		if !ok || !got.Equal(want) {
			t.Errorf("timestamp(%q) = %v, %v; want %v", text, got, ok, want)
		}
	}
	for _, text := range []string{
		"+10001-02-29T00:00:00Z", // 10001 is a common year
		"-0001-02-29T00:00:00Z",  // so is 2 BC
		"+999-01-01T00:00:00Z",   // a sign and fewer than 4 digits
		"99999-13-01T00:00:00Z",
		"+10000-01-01",
		"+1234567890-01-01T00:00:00Z", // more digits than any crate writes
		"+10000-01-01T00:00:00",       // no offset
		"-", "+", "", "12345", "12345-",
	} {
		if got, ok := timestamp(text); ok {
			t.Errorf("timestamp(%q) = %v, want no time", text, got)
		}
	}
}

// The time crate's array is read only in its ranges: time.Date would carry
// a day 366 of a common year or an hour 24 into the next day.
func TestTimestampOfTimeCrateArrays(t *testing.T) {
	ints := func(n ...int64) []any {
		out := make([]any, len(n))
		for i, x := range n {
			out[i] = x
		}
		return out
	}
	if got, ok := timestamp(ints(10000, 366, 23, 59, 59, 0, 1, 30, 0)); !ok ||
		!got.Equal(time.Date(10000, 12, 31, 22, 29, 59, 0, time.UTC)) {
		t.Errorf("a leap year's day 366 = %v, %v", got, ok)
	}
	for _, bad := range [][]any{
		ints(2023, 366, 0, 0, 0, 0, 0, 0, 0),
		ints(2024, 1, 24, 0, 0, 0, 0, 0, 0),
		ints(2024, 1, 0, 60, 0, 0, 0, 0, 0),
		ints(2024, 1, 0, 0, 60, 0, 0, 0, 0),
		ints(2024, 1, 0, 0, 0, 0, 26, 0, 0),
		ints(2024, 0, 0, 0, 0, 0, 0, 0, 0),
	} {
		if got, ok := timestamp(bad); ok {
			t.Errorf("timestamp(%v) = %v, want no time", bad, got)
		}
	}
}
