// Package ferryman calls Rust libraries built with #[ferryman::export] from
// Go: the reference host written from spec/ alone (abi.md, wire.md,
// callbacks.md), with cgo and dlopen, and its own MessagePack reader and writer.
//
//	lib, err := ferryman.Load("target/debug/libcalc.so")
//	v, err := lib.Call("divide", 7, 2)                    // any: int64(3)
//	n, err := ferryman.Call[int32](lib, "divide", 7, 2)    // decoded into a T
//
// Values. Arguments: Go ints of every width, floats, bool, string, []byte
// (bin), slices and arrays, maps (a nil slice or map is an empty one),
// structs (maps by msgpack tag or field name), pointers and nil (None),
// *big.Int (an int when it fits 64 bits,
// else extension 4 for i128/u128), time.Duration ([secs, nanos]),
// time.Time (RFC 3339), Go funcs (callbacks), *Closure and *Object.
// Results from Library.Call: nil, bool, int64 (uint64 above MaxInt64),
// float64, string, []byte, []any, map[string]any (map[any]any when a key is
// not a string; a tuple key becomes a Go array [N]any), *big.Int (an
// i128/u128 beyond 64 bits), *Closure, *Object.
//
// Errors. A Rust Err is a *RustError (Type, Variant, Fields, Frames, and the
// source() chain through Unwrap), a panic a *RustPanic, a bad argument an
// *ArgumentError naming function and parameter, a failed Go callback a
// *CallbackError wrapping the callback's own error; %+v prints the frames.
//
// Callbacks. A Go func passed as an argument is a host object: Rust may call
// it from any thread, for as long as it keeps it; its parameters are
// decoded like Call[T]'s results, and a last result of type error (or a
// panic) fails the Rust call that made it. A callback must return: never
// runtime.Goexit (t.Fatal, t.FailNow), which Go cannot carry through Rust.
//
// cgo is required (CGO_ENABLED=1 and a C compiler): Rust threads call Go
// callbacks through exported cgo functions. A loaded library is never
// unloaded.
package ferryman
