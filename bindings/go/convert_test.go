package ferryman

import (
	"math"
	"testing"
	"time"
)

// durationOf reads any seconds and nanoseconds that sum to an int64 of
// nanoseconds, whatever their signs, and refuses every sum beyond.
func TestDurationOfAtTheEdges(t *testing.T) {
	const s = int64(time.Second)
	for _, c := range []struct {
		secs, nanos int64
		want        int64
		ok          bool
	}{
		{-9223372037, 145224192, math.MinInt64, true},
		{-9223372037, 145224191, 0, false},
		{-9223372036, -854775808, math.MinInt64, true},
		{9223372036, 854775807, math.MaxInt64, true},
		{9223372036, 854775808, 0, false},
		{9223372037, -145224193, math.MaxInt64, true},
		{-1, 0, -s, true},
		{1, 0, s, true},
		{-2, 999999999, -s - 1, true},
		{0, math.MinInt64, math.MinInt64, true},
		{0, math.MaxInt64, math.MaxInt64, true},
		{-1, math.MinInt64, 0, false},
		{1, math.MaxInt64, 0, false},
		{math.MinInt64, 0, 0, false},
		{math.MaxInt64, math.MaxInt64, 0, false},
		{math.MinInt64, math.MaxInt64, 0, false},
	} {
		d, ok := durationOf(c.secs, c.nanos)
		if ok != c.ok || (ok && int64(d) != c.want) {
			t.Errorf("durationOf(%d, %d) = %d, %v; want %d, %v", c.secs, c.nanos, int64(d), ok, c.want, c.ok)
		}
	}
}

// The duration and instant forms a host accepts in results (spec/wire.md,
// "Times"): jiff's ISO 8601 text and the time crate's array of 9 ints.
func TestTimeFormsOfResults(t *testing.T) {
	for text, want := range map[string][2]int64{
		"PT4.5S": {4, 500_000_000}, "-PT1H30M": {-5400, 0}, "-PT0.25S": {-1, 750_000_000},
		"PT2M0.000000001S": {120, 1}, "+PT1H": {3600, 0},
	} {
		secs, nanos, ok := durationParts(text)
		if !ok || secs != want[0] || nanos != want[1] {
			t.Errorf("durationParts(%q) = %d, %d, %v; want %v", text, secs, nanos, ok, want)
		}
	}
	for _, bad := range []string{"PT", "P1D", "PT1.5M", "PT-1S", "PT1.0000000001S", "PT9223372036854775807H"} {
		if _, _, ok := durationParts(bad); ok {
			t.Errorf("durationParts(%q) took it", bad)
		}
	}
	// 2024-05-01 (day 122) 12:30:15.5 at +02:00.
	tm, ok := timestamp([]any{int64(2024), int64(122), int64(12), int64(30), int64(15), int64(500_000_000), int64(2), int64(0), int64(0)})
	want := time.Date(2024, 5, 1, 10, 30, 15, 500_000_000, time.UTC)
	if !ok || !tm.Equal(want) {
		t.Errorf("timestamp(time's array) = %v, %v; want %v", tm, ok, want)
	}
	if _, ok := timestamp([]any{int64(2024), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0)}); ok {
		t.Error("day of year 0 was taken")
	}
}
