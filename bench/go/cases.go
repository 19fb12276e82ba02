package main

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"

	"github.com/ferryman-rs/ferryman/bench/go/benchlib"
	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// Record is the record bump takes and returns (bench/ferryman-lib's Record).
type Record struct {
	Name  string  `msgpack:"name"`
	ID    int64   `msgpack:"id"`
	Score float64 `msgpack:"score"`
	Tags  []int64 `msgpack:"tags"`
}

var (
	typedRecord = benchlib.Record(record)
	record      = Record{Name: "ferry", ID: 41, Score: 1.25, Tags: []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	bumped      = Record{Name: "ferry!", ID: 42, Score: 2.5, Tags: []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
)

const errorMessage = "failed with code 7"

// payload is the bytes of the echo cases (bench/run.py's _payload).
func payload(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

func numbers(n int) ([]int64, int64) {
	values := make([]int64, n)
	var total int64
	for i := range values {
		values[i] = int64(i)
		total += int64(i)
	}
	return values, total
}

// benchCase is one row: for each column a call (its arguments built
// beforehand, outside the timed loop) and a check of what it returned.
type benchCase struct {
	key, label string
	large      bool // a large payload: target ≤ 1.5× cgo, else ≤ 3×
	ferryman   func() (any, error)
	typed      func() (any, error) // the bindings ferryman-go generated (benchlib); nil: none
	cgo        func() (any, error)
	check      func(any, error) error
	typedCheck func(any, error) error // typed's check when its result's type differs
}

func equal(want any) func(any, error) error {
	return func(got any, err error) error {
		if err != nil {
			return err
		}
		if b, ok := want.([]byte); ok {
			if g, isBytes := got.([]byte); !isBytes || !bytes.Equal(g, b) {
				return fmt.Errorf("expected %d bytes back, got %T of length %d", len(b), got, reflect.ValueOf(got).Len())
			}
			return nil
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("expected %#v, got %#v", want, got)
		}
		return nil
	}
}

func cases(lib *ferryman.Library, typed *benchlib.Library) []benchCase {
	echo := func(key, label string, size int, large bool) benchCase {
		data := payload(size)
		return benchCase{
			key: key, label: label, large: large,
			ferryman: func() (any, error) { return lib.Call("echo", data) },
			typed:    func() (any, error) { return typed.Echo(data) },
			cgo:      func() (any, error) { return cgoEcho(data), nil },
			check:    equal(data),
		}
	}
	// The same with ferryman.Lend: the ferryman::Bytes parameter keeps the
	// caller's memory and the result is the one copy cgo's echo makes too.
	lend := func(key, label string, size int) benchCase {
		c := echo(key, label, size, true)
		data := payload(size)
		c.ferryman = func() (any, error) { return lib.Call("echo", ferryman.Lend(data)) }
		c.typed = nil // a typed []byte parameter has no Lend
		return c
	}
	sum := func(key, label, function string, n int, large bool, typedSum func([]int64) (int64, error)) benchCase {
		values, total := numbers(n)
		return benchCase{
			key: key, label: label, large: large,
			ferryman: func() (any, error) { return lib.Call(function, values) },
			typed:    func() (any, error) { return typedSum(values) },
			cgo:      func() (any, error) { return cgoSum(values), nil },
			check:    equal(total),
		}
	}
	failed := func(got any, err error) error {
		if err == nil {
			return fmt.Errorf("expected an error, got %#v", got)
		}
		message := err.Error()
		var re *ferryman.RustError
		if errors.As(err, &re) {
			message = re.Message // Error() adds the type: "BenchError: ..."
		}
		if message != errorMessage {
			return fmt.Errorf("expected the error %q, got %v", errorMessage, err)
		}
		return nil
	}
	return []benchCase{
		{
			key: "add", label: "add(1, 2)",
			ferryman: func() (any, error) { return lib.Call("add", 1, 2) },
			typed:    func() (any, error) { return typed.Add(1, 2) },
			cgo:      func() (any, error) { return cgoAdd(1, 2), nil },
			check:    equal(int64(3)),
		},
		echo("echo16", "echo 16 B", 16, false),
		echo("echo64k", "echo 64 KiB", 64<<10, true),
		echo("echo1m", "echo 1 MiB", 1<<20, true),
		lend("echo64k_lend", "echo 64 KiB, `Lend(data)`", 64<<10),
		lend("echo1m_lend", "echo 1 MiB, `Lend(data)`", 1<<20),
		sum("sum10", "sum of 10 ints", "sum", 10, false, typed.Sum),
		sum("sum10k", "sum of 10,000 ints", "sum", 10_000, true, typed.Sum),
		// The slice form of sum (`&[i64]`): the lent []int64 is read in place,
		// as cgo's C reads it; `sum` copies it into a Vec first.
		sum("sum10k_slice", "sum of 10,000 ints, `&[i64]`", "sum_slice", 10_000, true, typed.SumSlice),
		{
			key: "record", label: "record round trip",
			ferryman:   func() (any, error) { return ferryman.Call[Record](lib, "bump", record) },
			typed:      func() (any, error) { return typed.Bump(typedRecord) },
			cgo:        func() (any, error) { return cgoBump(record) },
			check:      equal(bumped),
			typedCheck: equal(benchlib.Record(bumped)),
		},
		{
			key: "error", label: "error returned",
			ferryman: func() (any, error) { return lib.Call("fail", 7) },
			typed:    func() (any, error) { return typed.Fail(7) },
			cgo:      func() (any, error) { return cgoFail(7) },
			check:    failed,
		},
	}
}
