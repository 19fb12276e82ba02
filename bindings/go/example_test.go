package ferryman_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func Example() {
	lib, err := ferryman.Load(fixturePath())
	if err != nil {
		panic(err)
	}
	v, _ := lib.Call("add", 2, 3)
	fmt.Printf("%T %v\n", v, v)

	n, _ := ferryman.Call[int8](lib, "divide", 7, 2)
	fmt.Println(n)

	_, err = lib.Call("divide", 1, 0)
	var me *ferryman.RustError
	if errors.As(err, &me) {
		fmt.Println(me.Type, me.Variant, me.Frames[0].File)
	}

	tens, _ := ferryman.Call[[]int](lib, "map_values", []int{1, 2}, func(x int) int { return x * 10 })
	fmt.Println(tens)
	// Output:
	// int64 5
	// 3
	// MathError DivisionByZero tests/fixture/src/errors.rs
	// [10 20]
}

// An async export waits for its Rust future; a context gives up on it, and
// the future is dropped.
func ExampleLibrary_CallContext() {
	lib, err := ferryman.Load(fixturePath())
	if err != nil {
		panic(err)
	}
	late, _ := ferryman.CallContext[string](context.Background(), lib, "async_sleep", 10, "late")
	fmt.Println(late)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = lib.CallContext(ctx, "async_sleep", 60_000, "never")
	fmt.Println(errors.Is(err, context.DeadlineExceeded), err)
	// Output:
	// late
	// true `async_sleep()` was cancelled: context deadline exceeded
}
