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
