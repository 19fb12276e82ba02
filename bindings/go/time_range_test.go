package ferryman_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// A time.Time travels as RFC 3339 text, which writes the years 0000 to 9999
// only: one outside them (in UTC) is an *ArgumentError naming the function
// and the parameter, found before the call, at any depth — not text every
// library refuses with a message about a month or "invalid characters".
func TestTimesBeyondRFC3339AreArgumentErrors(t *testing.T) {
	cases := []struct {
		at   time.Time
		year string
	}{
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "10000"},
		{time.Date(12345, 6, 7, 8, 9, 10, 11, time.UTC), "12345"},
		// 9999-12-31T23:00-02:00 is 10000-01-01T01:00Z.
		{time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -2*3600)), "10000"},
		{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "-1"},
		{time.Date(-12345, 1, 1, 0, 0, 0, 0, time.UTC), "-12345"},
	}
	for _, c := range cases {
		for _, call := range []struct {
			function, param string
			args            []any
		}{
			{"echo_utc", "at", []any{c.at}},
			{"echo_system_time", "at", []any{c.at}},
			{"jiff_plus", "at", []any{c.at, time.Second}},
			{"time_plus", "at", []any{c.at, time.Second}},
			{"later_times", "at", []any{[]time.Time{time.Unix(0, 0), c.at}, time.Second}},
			{"time_later_than", "after", []any{[]time.Time{}, c.at}},
		} {
			v, err := lib.Call(call.function, call.args...)
			var ae *ferryman.ArgumentError
			if !errors.As(err, &ae) {
				t.Errorf("%s(%v) = %#v, %v; want an *ArgumentError", call.function, c.at, v, err)
				continue
			}
			if ae.Kind != "type" || ae.Function != call.function || ae.Param != call.param ||
				!strings.Contains(ae.Message, "year "+c.year+" ") || !strings.Contains(ae.Message, "RFC 3339") {
				t.Errorf("%s(%v): %+v", call.function, c.at, ae)
			}
		}
	}
	// The edges of the range still cross.
	for _, at := range []time.Time{
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 1, 0, 0, 0, time.FixedZone("", 2*3600)), // 9999-12-31T23:00Z
	} {
		back, err := ferryman.Call[time.Time](lib, "echo_utc", at)
		if err != nil || !back.Equal(at) {
			t.Errorf("echo_utc(%v) = %v, %v", at, back, err)
		}
	}
}

// The typed bindings send a time.Time through Args.Value: the same error.
func TestTimeBeyondRFC3339ThroughArgsValue(t *testing.T) {
	fn, err := lib.Bind("echo_utc", lib.Describe().Signature(lib.Function("echo_utc")))
	if err != nil {
		t.Fatal(err)
	}
	args := fn.Args()
	args.Param(0)
	args.Value(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	_, err = args.Call()
	var ae *ferryman.ArgumentError
	if !errors.As(err, &ae) || ae.Function != "echo_utc" || ae.Param != "at" || !strings.Contains(ae.Message, "year 10000") {
		t.Fatalf("echo_utc through Args: %v", err)
	}
}

// Results past 9999 or before 0000 arrive as chrono writes them (+10000-…,
// -0001-…) and jiff does (-000001-…): Call[time.Time] reads the instant,
// which a time.Time holds, instead of failing with a *DecodeError.
func TestTimesBeyondRFC3339AreReadFromResults(t *testing.T) {
	last := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	first := time.Date(0, 1, 1, 0, 0, 1, 0, time.UTC)
	cases := []struct {
		function string
		at       time.Time
		by       time.Duration
	}{
		{"utc_plus", last, 2 * time.Second},            // chrono: "+10000-01-01T00:00:01Z"
		{"utc_plus", last, 60 * 24 * time.Hour},        // "+10000-02-29T23:59:59Z" (a leap year)
		{"utc_plus", last, 366 * 24 * time.Hour},       // "+10000-12-31T23:59:59Z"
		{"utc_plus", first, -2 * time.Second},          // "-0001-12-31T23:59:59Z"
		{"utc_plus", first, -367 * 24 * time.Hour},     // "-0002-12-30T00:00:01Z"
		{"jiff_plus", first, -2 * time.Second},         // jiff: "-000001-12-31T23:59:59Z"
		{"jiff_plus", first, -(1460*24*time.Hour + 3)}, // "-000004-01-02T00:00:00.999999997Z"
		{"time_plus", first, -2 * time.Second},         // time: [-1, 365, 23, 59, 59, 0, 0, 0, 0]
	}
	for _, c := range cases {
		want := c.at.Add(c.by)
		text, err := lib.Call(c.function, c.at, c.by)
		if err != nil {
			t.Errorf("%s(%v, %v): %v", c.function, c.at, c.by, err)
			continue
		}
		got, err := ferryman.Call[time.Time](lib, c.function, c.at, c.by)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s(%v, %v) = %v (from %#v), %v; want %v", c.function, c.at, c.by, got, text, err, want)
		}
	}
}
