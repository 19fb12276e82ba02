package ferryman_test

import (
	"errors"
	"fmt"

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
