package ferryman_test

import (
	"bytes"
	"errors"
	"testing"
	"time"
	"unsafe"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func filled(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// A large []byte is lent for the call (handle 0): &[u8] reads it in place,
// Vec<u8> copies it once, a ferryman::Bytes copies it (it could outlive the call).
func TestLargeBytesAreLentForTheCall(t *testing.T) {
	data := filled(64 << 10)
	if got := call(t, "slice_address", data); got != int64(uintptr(unsafe.Pointer(&data[0]))) {
		t.Fatalf("slice_address: %v, the slice is at %p", got, &data[0])
	}
	var want uint64
	for _, b := range data {
		want += uint64(b)
	}
	if got := call(t, "vec_sum", data); got != int64(want) {
		t.Fatalf("vec_sum: %v, want %d", got, want)
	}
	if got := call(t, "bytes_is_lent", data); got != false {
		t.Fatalf("bytes_is_lent of bytes lent for the call: %v", got)
	}
	if got := call(t, "bytes_echo", data); !bytes.Equal(got.([]byte), data) {
		t.Fatalf("bytes_echo: %d bytes back", len(got.([]byte)))
	}
	small := filled(16)
	if got := call(t, "slice_address", small); got == int64(uintptr(unsafe.Pointer(&small[0]))) {
		t.Fatal("16 bytes were lent, not copied")
	}
	if ferryman.LiveHostObjects() != 0 {
		t.Fatalf("%d host objects live after calls that lent for the call only", ferryman.LiveHostObjects())
	}
}

// Lend lends a host object: a ferryman::Bytes keeps it without a copy,
// results that hand it back are copied once, and the library's references
// keep it until it drops them.
func TestLend(t *testing.T) {
	data := filled(10_000)
	if got := call(t, "bytes_is_lent", ferryman.Lend(data)); got != true {
		t.Fatalf("bytes_is_lent(Lend(data)): %v", got)
	}
	echoed := call(t, "bytes_echo", ferryman.Lend(data)).([]byte)
	if !bytes.Equal(echoed, data) || &echoed[0] == &data[0] {
		t.Fatal("bytes_echo(Lend(data)) is not an equal copy")
	}
	if got := call(t, "bytes_slice", ferryman.Lend(data), 2, 10); !bytes.Equal(got.([]byte), data[2:10]) {
		t.Fatalf("bytes_slice: %v", got)
	}
	chunks := call(t, "bytes_chunks", ferryman.Lend(data[:10]), 4).([]any)
	if len(chunks) != 3 || !bytes.Equal(chunks[2].([]byte), data[8:10]) {
		t.Fatalf("bytes_chunks: %v", chunks)
	}
	if ferryman.LiveHostObjects() != 0 {
		t.Fatalf("%d host objects live after the calls", ferryman.LiveHostObjects())
	}
	// Kept past the call: live until the library drops it (on another thread).
	call(t, "keep_bytes", ferryman.Lend(data))
	if ferryman.LiveHostObjects() != 1 {
		t.Fatalf("kept bytes: %d host objects live, want 1", ferryman.LiveHostObjects())
	}
	var want uint64
	for _, b := range data {
		want += uint64(b)
	}
	if got := call(t, "kept_bytes_sum"); got != int64(want) {
		t.Fatalf("kept_bytes_sum: %v, want %d", got, want)
	}
	if got := call(t, "drop_kept_bytes"); got != int64(1) || ferryman.LiveHostObjects() != 0 {
		t.Fatalf("drop_kept_bytes: %v, %d host objects live", got, ferryman.LiveHostObjects())
	}
	// Empty bytes and nested ones travel as bin.
	if got := call(t, "bytes_echo", ferryman.Lend(nil)); len(got.([]byte)) != 0 {
		t.Fatalf("bytes_echo(Lend(nil)): %v", got)
	}
	if got := call(t, "count_lent", []any{ferryman.Lend(data), data}); got != int64(1) {
		t.Fatalf("count_lent: %v", got)
	}
}

// A slice of numbers of 64 items or more is a lent slice: &[T] of the same
// type reads it in place; other types convert item by item.
func TestLentSlices(t *testing.T) {
	values := make([]float64, 100)
	for i := range values {
		values[i] = float64(i)
	}
	if got := call(t, "f64_slice_address", values); got != int64(uintptr(unsafe.Pointer(&values[0]))) {
		t.Fatalf("f64_slice_address: %v, the slice is at %p", got, &values[0])
	}
	if got := call(t, "sum_f64", values); got != 4950.0 {
		t.Fatalf("sum_f64: %v", got)
	}
	ints := make([]int32, 100)
	if got := call(t, "i32_slice_address", ints); got != int64(uintptr(unsafe.Pointer(&ints[0]))) {
		t.Fatalf("i32_slice_address: %v", got)
	}
	shorts := make([]int16, 1000)
	for i := range shorts {
		shorts[i] = int16(i - 500)
	}
	if got := call(t, "i16_slice_sum", shorts); got != int64(-500) {
		t.Fatalf("i16_slice_sum: %v", got)
	}
	// Items of another type are converted: ints for &[f64].
	wide := make([]int64, 100)
	for i := range wide {
		wide[i] = int64(i)
	}
	if got := call(t, "sum_f64", wide); got != 4950.0 {
		t.Fatalf("sum_f64 of ints: %v", got)
	}
	// Floats for &[i32] are refused like an array's floats.
	if _, err := lib.Call("i32_slice_address", values); err == nil {
		t.Fatal("i32_slice_address of floats did not fail")
	}
	few := []float64{1, 2, 3}
	if got := call(t, "f64_slice_address", few); got == int64(uintptr(unsafe.Pointer(&few[0]))) {
		t.Fatal("3 floats were lent, not copied")
	}
}

// A function that returned a large bin has the next one written into new Go
// memory (bin_result.go); a larger, a much smaller or a non-bin result, or
// an error, after it takes the usual way. Every result is its own memory.
func TestLargeBytesResultsWhateverSizesComeInTurn(t *testing.T) {
	pattern := func(n, seed int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + seed)
		}
		return b
	}
	sizes := []int{1 << 20, 1 << 20, 2 << 20, 40_000, 2 << 20, 16, 70_000, 70_000, 32 << 10, 32 << 10}
	type kept struct{ out, want []byte }
	var results []kept
	for turn, n := range sizes {
		input := pattern(n, turn)
		for _, name := range []string{"bytes_echo", "echo_bytes"} {
			out := call(t, name, input).([]byte)
			if !bytes.Equal(out, input) {
				t.Fatalf("turn %d, %s: %d bytes back for %d", turn, name, len(out), n)
			}
			// Not holding a much larger allocation than the result.
			if n >= 32<<10 && cap(out) > 2*n+16 {
				t.Fatalf("turn %d, %s: a result of %d bytes holds %d", turn, name, n, cap(out))
			}
			out[0] ^= 1
			if bytes.Equal(out, input) {
				t.Fatalf("turn %d, %s: the result is the argument", turn, name)
			}
			results = append(results, kept{out, append([]byte{}, out...)})
		}
	}
	for i, r := range results {
		if !bytes.Equal(r.out, r.want) {
			t.Fatalf("result %d changed after later calls", i)
		}
	}
	big := pattern(300_000, 5)
	for range 3 {
		if got := call(t, "bytes_slice", big, 1000, 250_000).([]byte); !bytes.Equal(got, big[1000:250_000]) {
			t.Fatal("bytes_slice of a large result")
		}
	}
	// An error after large results: its value lands in the room offered.
	_, err := lib.Call("bytes_slice", big, "x", 1)
	if err == nil {
		t.Fatal("bytes_slice(big, \"x\", 1): no error")
	}
	call(t, "bytes_echo", big)
	var argErr *ferryman.ArgumentError
	if _, err := lib.Call("bytes_echo", 5); !errors.As(err, &argErr) || argErr.Function != "bytes_echo" {
		t.Fatalf("bytes_echo(5) after a large result: %#v", err)
	}
	if got := call(t, "bytes_echo", big).([]byte); !bytes.Equal(got, big) {
		t.Fatal("bytes_echo after an error")
	}
	got, err := ferryman.Call[[]byte](lib, "bytes_echo", big)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Call[[]byte] of a large result: %v", err)
	}
	chunks := call(t, "bytes_chunks", big, 100_000).([]any)
	if len(chunks) != 3 || !bytes.Equal(chunks[2].([]byte), big[200_000:]) {
		t.Fatal("bytes_chunks of large bytes")
	}
}

// A []time.Duration is never lent as nanoseconds: its items are [secs,
// nanos] whatever its length.
func TestDurationSlicesAreNotLent(t *testing.T) {
	for _, n := range []int{63, 64, 200} {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = 1500 * time.Millisecond
		}
		sums, err := ferryman.Call[[]float64](lib, "row_sums", ds)
		if err != nil || len(sums) != n || sums[n-1] != 1+500_000_000 {
			t.Fatalf("row_sums(%d durations) = %v, %v", n, sums, err)
		}
	}
}
