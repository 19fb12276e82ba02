package fixturebind_test

import (
	"fmt"

	"github.com/ferryman-rs/ferryman/bindings/go/internal/fixturebind"
)

// Typed methods take and return Go types; Rust errors are the host's usual
// error values.
func ExampleLibrary_Divide() {
	q, err := typed.Divide(7, 2)
	fmt.Println(q, err)
	_, err = typed.Divide(1, 0)
	fmt.Println(err)
	// Output:
	// 3 <nil>
	// MathError: division by zero
}

// A Rust struct is a generated Go struct, written and read without reflection.
func ExampleLibrary_BumpRecord() {
	r, err := typed.BumpRecord(fixturebind.Record{Name: "ferry", ID: 41, Score: 1.25, Tags: []int64{7}})
	fmt.Printf("%+v %v\n", r, err)
	// Output:
	// {Name:ferry ID:42 Score:2.5 Tags:[7 42]} <nil>
}
