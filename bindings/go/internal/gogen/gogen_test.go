package gogen

import (
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
	text := string(src)
	for _, want := range []string{
		"func (l *Library) MovePoint(p Point) (Point, error) {",
		"writePoint(args, &p)",
		"type Point struct {\n\tX     float64 `msgpack:\"x\"`\n\tLabel *string `msgpack:\"label\"`\n}",
		"func (l *Library) Area(s any) (float64, error) {\n\treturn ferryman.Call[float64](l.lib, \"area\", s)",
		"func (l *Library) Big(n any) (any, error) {\n\treturn l.lib.Call(\"big\", n)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the bindings lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "type Shape") {
		t.Error("an enum became a Go type")
	}
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
