package gogen

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"bump_record": "BumpRecord", "user_id": "UserID", "add": "Add", "f64_slice_address": "F64SliceAddress",
		"Point": "Point", "Wrapper<i64>": "", "": "", "_": "",
	} {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"user_id": "userID", "id": "id", "type": "type_", "args": "args_", "res": "res_", "value": "value", "url_path": "urlPath",
	} {
		if got := local(in); got != want {
			t.Errorf("local(%q) = %q, want %q", in, got, want)
		}
	}
}

func describe(types []any, fns ...ferryman.Function) *ferryman.Description {
	for i := range fns {
		fns[i].ID = uint32(i)
	}
	return &ferryman.Description{Library: "demo", Functions: fns, Types: types}
}

func TestWhatIsTyped(t *testing.T) {
	point := map[string]any{"name": "Point", "kind": "struct", "fields": []any{
		map[string]any{"name": "x", "type": "f64", "optional": false},
		map[string]any{"name": "label", "type": map[string]any{"option": "str"}, "optional": true},
	}}
	shape := map[string]any{"name": "Shape", "kind": "enum", "variants": []any{map[string]any{"name": "Unit", "kind": "unit"}}}
	d := describe([]any{point, shape},
		ferryman.Function{Name: "move_point", Params: []ferryman.Param{{Name: "p", Type: map[string]any{"named": "Point"}}},
			Returns: ferryman.TypeRef{Type: map[string]any{"named": "Point"}}},
		ferryman.Function{Name: "area", Params: []ferryman.Param{{Name: "s", Type: map[string]any{"named": "Shape"}}},
			Returns: ferryman.TypeRef{Type: "f64"}},
		ferryman.Function{Name: "big", Params: []ferryman.Param{{Name: "n", Type: "i128"}}, Returns: ferryman.TypeRef{Type: "i128"}},
	)
	src, err := Generate(d, Options{Package: "demo", Source: "libdemo.so"})
	if err != nil {
		t.Fatal(err)
	}
	has(t, src,
		"func (l *Library) MovePoint(p Point) (Point, error) {",
		"writePoint(args, &p)",
		"type Point struct {\n\tX     float64 `msgpack:\"x\"`\n\tLabel *string `msgpack:\"label\"`\n}",
		"func (l *Library) Area(s Shape) (float64, error) {",
		"type Shape interface{ isShape() }",
		"type ShapeUnit struct{}",
		"func (l *Library) Big(n *big.Int) (*big.Int, error) {",
	)
}

func TestATypeNamedAsTheBindings(t *testing.T) {
	lib := map[string]any{"name": "Library", "kind": "struct", "fields": []any{}}
	d := describe([]any{lib}, ferryman.Function{Name: "make", Returns: ferryman.TypeRef{Type: map[string]any{"named": "Library"}}})
	if _, err := Generate(d, Options{Package: "demo"}); err == nil || !strings.Contains(err.Error(), "-type") {
		t.Fatalf("Generate: %v", err)
	}
	if _, err := Generate(d, Options{Package: "demo", Type: "Demo"}); err != nil {
		t.Fatal(err)
	}
}

// TestHelperNamesDoNotClash: a struct whose name is another type's mangled
// name (ListI64, OptionStr) gets helpers of its own, and the file compiles.
func TestHelperNamesDoNotClash(t *testing.T) {
	listI64 := map[string]any{"name": "ListI64", "kind": "struct", "fields": []any{
		map[string]any{"name": "items", "type": map[string]any{"list": "i64"}, "optional": false},
	}}
	optionStr := map[string]any{"name": "OptionStr", "kind": "struct", "fields": []any{
		map[string]any{"name": "s", "type": map[string]any{"option": "str"}, "optional": true},
	}}
	named := func(name string) map[string]any { return map[string]any{"named": name} }
	d := describe([]any{listI64, optionStr},
		ferryman.Function{Name: "wrap_list", Params: []ferryman.Param{{Name: "l", Type: named("ListI64")}},
			Returns: ferryman.TypeRef{Type: map[string]any{"list": named("ListI64")}}},
		ferryman.Function{Name: "nested", Params: []ferryman.Param{{Name: "v", Type: map[string]any{"list": map[string]any{"list": "i64"}}}},
			Returns: ferryman.TypeRef{Type: map[string]any{"list": "i64"}}},
		ferryman.Function{Name: "opt", Params: []ferryman.Param{{Name: "o", Type: named("OptionStr")}, {Name: "s", Type: map[string]any{"option": "str"}}},
			Returns: ferryman.TypeRef{Type: named("OptionStr")}},
	)
	has(t, compiles(t, d), "p *ListI64) bool", "p *[]int64) bool", "p *OptionStr) bool", "v *OptionStr) {", "v *string) {")
}

// TestEnumsCompile: enums of every shape (only unit variants, none,
// recursive, optional, in maps) make a file that compiles; a type holding
// one is any where the general API sends it.
func TestEnumsCompile(t *testing.T) {
	named := func(name string) map[string]any { return map[string]any{"named": name} }
	unit := func(name string) map[string]any { return map[string]any{"name": name, "kind": "unit"} }
	color := map[string]any{"name": "Color", "kind": "enum", "variants": []any{unit("red"), unit("Green")}}
	num := map[string]any{"name": "Num", "kind": "enum", "variants": []any{
		map[string]any{"name": "I", "kind": "newtype", "type": "i64"},
		map[string]any{"name": "Pair", "kind": "tuple", "items": []any{"f64", "str"}},
	}}
	tree := map[string]any{"name": "Tree", "kind": "enum", "variants": []any{
		map[string]any{"name": "Leaf", "kind": "newtype", "type": named("Num")},
		map[string]any{"name": "Node", "kind": "struct", "fields": []any{
			map[string]any{"name": "kids", "type": map[string]any{"list": named("Tree")}, "optional": false},
			map[string]any{"name": "tint", "type": map[string]any{"option": named("Color")}, "optional": true},
		}},
	}}
	paint := map[string]any{"name": "Paint", "kind": "struct", "fields": []any{
		map[string]any{"name": "color", "type": named("Color"), "optional": false},
	}}
	pair := map[string]any{"name": "Pair", "kind": "tuple_struct", "items": []any{"i32", named("Color")}}
	marker := map[string]any{"name": "Marker", "kind": "unit_struct"}
	tuple := func(items ...any) map[string]any { return map[string]any{"tuple": items} }
	d := describe([]any{color, num, tree, paint, pair, marker},
		ferryman.Function{Name: "zip", Params: []ferryman.Param{{Name: "p", Type: named("Pair")}, {Name: "m", Type: named("Marker")},
			{Name: "t", Type: tuple("i64", map[string]any{"list": named("Color")})}},
			Returns: ferryman.TypeRef{Type: map[string]any{"option": tuple(named("Num"), "str")}}},
		ferryman.Function{Name: "mix", Params: []ferryman.Param{{Name: "a", Type: named("Color")}, {Name: "b", Type: map[string]any{"option": named("Color")}}},
			Returns: ferryman.TypeRef{Type: map[string]any{"map": []any{"str", named("Color")}}}},
		ferryman.Function{Name: "grow", Params: []ferryman.Param{{Name: "t", Type: named("Tree")}}, Returns: ferryman.TypeRef{Type: map[string]any{"option": named("Tree")}}},
		ferryman.Function{Name: "repaint", Params: []ferryman.Param{{Name: "p", Type: named("Paint")}, {Name: "f", Type: map[string]any{"callback": []any{[]any{"i64"}, "i64"}}}},
			Returns: ferryman.TypeRef{Type: named("Paint")}},
	)
	has(t, compiles(t, d),
		"func (l *Library) Mix(a Color, b Color) (map[string]Color, error) {",
		"func (l *Library) Grow(t Tree) (Tree, error) {",
		"type TreeNode struct {\n\tKids []Tree `msgpack:\"kids\"`\n\tTint Color  `msgpack:\"tint\"`\n}",
		"type NumPair struct {\n\tField0 float64\n\tField1 string\n}",
		"type ColorRed struct{}",
		"func (l *Library) Repaint(p Paint, f func(int64) (int64, error)) (Paint, error) {",
		"func (l *Library) Zip(p Pair, m Marker, t TupleI64ListColor) (*TupleNumStr, error) {",
		"type TupleNumStr struct {\n\tField0 Num\n\tField1 string\n}",
		"type Marker struct{}",
	)
}

// compiles is the bindings Generate writes for d, which must type-check.
func compiles(t *testing.T, d *ferryman.Description) []byte {
	t.Helper()
	src, err := Generate(d, Options{Package: "demo", Source: "libdemo.so"})
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "demo_ferryman.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check("demo", fset, []*ast.File{file}, nil); err != nil {
		t.Fatalf("the bindings do not compile: %v\n%s", err, src)
	}
	return src
}

// A tuple's Go name taken by a library type is an error, not a clash.
func TestATupleNamedAsAType(t *testing.T) {
	st := map[string]any{"name": "TupleI64Str", "kind": "struct", "fields": []any{}}
	d := describe([]any{st},
		ferryman.Function{Name: "f", Params: []ferryman.Param{{Name: "s", Type: map[string]any{"named": "TupleI64Str"}}},
			Returns: ferryman.TypeRef{Type: map[string]any{"tuple": []any{"i64", "str"}}}})
	if _, err := Generate(d, Options{Package: "demo"}); err == nil || !strings.Contains(err.Error(), "TupleI64Str") {
		t.Fatalf("Generate: %v", err)
	}
}

// Class members are typed as free functions are: a method's object goes as
// self; an async method takes a context, an async constructor blocks (as
// Library.New does) and takes none.
func TestClassMembersCompile(t *testing.T) {
	object := map[string]any{"object": "Pool"}
	ctor, static, method := uint32(0), []uint32{1}, []uint32{2}
	d := describe(nil,
		ferryman.Function{Name: "Pool.new", Class: "Pool", Kind: "constructor", Async: true,
			Params: []ferryman.Param{{Name: "size", Type: "u32"}}, Returns: ferryman.TypeRef{Type: object}},
		ferryman.Function{Name: "Pool.default_size", Class: "Pool", Kind: "static", Returns: ferryman.TypeRef{Type: "u32"}},
		ferryman.Function{Name: "Pool.take", Class: "Pool", Kind: "method", Async: true,
			Params:  []ferryman.Param{{Name: "self", Type: object}, {Name: "n", Type: "u32"}},
			Returns: ferryman.TypeRef{Type: map[string]any{"list": object}}},
	)
	d.Classes = []ferryman.Class{{Name: "Pool", Rust: "demo::Pool", Constructor: &ctor, Statics: static, Methods: method}}
	has(t, compiles(t, d),
		"func (l *Library) NewPool(size uint32) (*Pool, error) {",
		"\tres, err := args.Call()\n",
		"func (l *Library) PoolDefaultSize() (uint32, error) {",
		"func (o *Pool) Take(ctx context.Context, n uint32) ([]*Pool, error) {",
		"\targs.Param(0)\n\targs.Object(o.obj)\n\targs.Param(1)\n",
		"\tres, err := args.CallContext(ctx)\n",
	)
}

// has fails t for each of wants that src (generated bindings) lacks.
func has[S string | []byte](t *testing.T, src S, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(string(src), want) {
			t.Errorf("the bindings lack %q:\n%s", want, src)
		}
	}
}

// A call of numbers is a ferryman.Small (numbers, bools and lists of numbers
// in; a number, a bool or nothing out; no error type, await or object);
// anything else goes through ferryman.Args.
func TestCallsOfNumbersAreSmall(t *testing.T) {
	errType := &ferryman.ErrorType{Name: "E", Rust: "demo::E"}
	d := describe(nil,
		ferryman.Function{Name: "mix", Params: []ferryman.Param{{Name: "a", Type: "i8"}, {Name: "b", Type: "u64"},
			{Name: "c", Type: "f32"}, {Name: "d", Type: "bool"}, {Name: "e", Type: map[string]any{"list": "i64"}},
			{Name: "f", Type: map[string]any{"list": "f64"}}}, Returns: ferryman.TypeRef{Type: "f64"}},
		ferryman.Function{Name: "tick", Returns: ferryman.TypeRef{Type: "unit"}},
		ferryman.Function{Name: "fallible", Params: []ferryman.Param{{Name: "a", Type: "i64"}},
			Returns: ferryman.TypeRef{Type: "i64"}, Error: errType},
		ferryman.Function{Name: "named", Params: []ferryman.Param{{Name: "s", Type: "str"}}, Returns: ferryman.TypeRef{Type: "i64"}},
		ferryman.Function{Name: "later", Async: true, Params: []ferryman.Param{{Name: "a", Type: "i64"}}, Returns: ferryman.TypeRef{Type: "i64"}},
		ferryman.Function{Name: "maybe", Params: []ferryman.Param{{Name: "a", Type: "i64"}},
			Returns: ferryman.TypeRef{Type: map[string]any{"option": "i64"}}},
	)
	src := string(compiles(t, d))
	has(t, src, "\tvar args ferryman.Small\n\targs.Begin(l.fnMix)\n", "\targs.LendInts(e)\n", "\targs.LendFloats(f)\n",
		"\tvar args ferryman.Small\n\targs.Begin(l.fnTick)\n")
	for _, general := range []string{"fnFallible", "fnNamed", "fnLater", "fnMaybe"} {
		has(t, src, "\targs := l."+general+".Args()\n")
	}
}
