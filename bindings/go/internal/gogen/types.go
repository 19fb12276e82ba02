package gogen

import (
	"fmt"
	"sort"
	"strings"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// goType is a type descriptor (spec/wire.md, "Type descriptors") as a Go
// type whose values the generated code writes and reads itself.
type goType struct {
	kind  string // a scalar descriptor ("i64", "str", …), or "list", "option", "map", "struct"
	expr  string // the Go type: int64, []Record, *string, map[string]int64
	mangl string // for the names of its writer and reader: I64, ListRecord
	elem  *goType
	key   *goType
	st    *structType // kind "struct"
}

type structType struct {
	name   string // serde's name, and the Go type's
	fields []field
}

type field struct {
	wire, goName string
	t            *goType
}

// scalars are the descriptors read and written by one Args/Result method.
var scalars = map[string]string{
	"bool": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "isize": "int64",
	"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64", "usize": "uint64",
	"f32": "float32", "f64": "float64", "str": "string", "path": "string", "bytes": "[]byte",
	"unit": "struct{}",
}

// resolver maps descriptors to goTypes, describe's named types with it.
type resolver struct {
	entries map[string]map[string]any
	structs map[string]*structType // made (or being made) from entries
	aliases map[string]*goType     // newtype structs: the inner type
	failed  map[string]bool
}

func newResolver(d *ferryman.Description) *resolver {
	return &resolver{entries: d.TypesByName(), structs: map[string]*structType{},
		aliases: map[string]*goType{}, failed: map[string]bool{}}
}

// resolve is descriptor d as a goType, or nil when the generated code does
// not read and write it itself (callbacks, objects, iterators, streams,
// tuples, enums, 128-bit integers, times, chars, named types describe does
// not spell out): such a parameter is sent, and such a result read, the
// way Library.Call does.
func (r *resolver) resolve(d any) *goType {
	switch d := d.(type) {
	case string:
		goExpr, ok := scalars[d]
		if !ok {
			return nil
		}
		return &goType{kind: d, expr: goExpr, mangl: exported(d)}
	case map[string]any:
		if len(d) != 1 {
			return nil
		}
		for k, inner := range d {
			switch k {
			case "list":
				e := r.resolve(inner)
				if e == nil {
					return nil
				}
				return &goType{kind: "list", expr: "[]" + e.expr, mangl: "List" + e.mangl, elem: e}
			case "option":
				e := r.resolve(inner)
				if e == nil || e.kind == "option" || e.kind == "unit" {
					return nil // nil of Option<Option<T>> is ambiguous
				}
				return &goType{kind: "option", expr: "*" + e.expr, mangl: "Option" + e.mangl, elem: e}
			case "map":
				kv, _ := inner.([]any)
				if len(kv) != 2 {
					return nil
				}
				key, val := r.resolve(kv[0]), r.resolve(kv[1])
				if key == nil || val == nil || !comparableKey(key.kind) {
					return nil
				}
				return &goType{kind: "map", expr: fmt.Sprintf("map[%s]%s", key.expr, val.expr),
					mangl: "Map" + key.mangl + val.mangl, key: key, elem: val}
			case "named":
				name, _ := inner.(string)
				return r.named(name)
			}
		}
	}
	return nil
}

func comparableKey(kind string) bool {
	switch kind {
	case "bytes", "unit", "list", "option", "map", "struct", "f32", "f64":
		return false
	}
	return true
}

// named is a struct or newtype struct that describe spells out, with every
// field one the generated code handles. A struct met again while it is
// being made (a tree) is taken as it will be.
func (r *resolver) named(name string) *goType {
	if exported(name) != name || r.failed[name] {
		return nil // Wrapper<i64>, snake_case: no Go name of its own
	}
	if st, ok := r.structs[name]; ok {
		return &goType{kind: "struct", expr: name, mangl: name, st: st}
	}
	if t, ok := r.aliases[name]; ok {
		named := *t
		named.expr = name // the alias, which is the inner type
		return &named
	}
	entry, ok := r.entries[name]
	if !ok {
		return nil
	}
	switch entry["kind"] {
	case "newtype_struct":
		inner := r.resolve(entry["type"])
		if inner == nil {
			r.failed[name] = true
			return nil
		}
		r.aliases[name] = inner
		return r.named(name)
	case "struct":
	default:
		r.failed[name] = true
		return nil
	}
	st := &structType{name: name}
	r.structs[name] = st
	fields, _ := entry["fields"].([]any)
	seen := map[string]bool{}
	for _, f := range fields {
		fm, _ := f.(map[string]any)
		wire, _ := fm["name"].(string)
		goName := exported(wire)
		t := r.resolve(fm["type"])
		if goName == "" || seen[goName] || t == nil || t.kind == "unit" {
			delete(r.structs, name)
			r.failed[name] = true
			return nil
		}
		seen[goName] = true
		st.fields = append(st.fields, field{wire: wire, goName: goName, t: t})
	}
	return &goType{kind: "struct", expr: name, mangl: name, st: st}
}

// settle drops the structs that lead to a dropped one (a field taken as it
// would be while its type was being made, which then failed), until none do.
func (r *resolver) settle() {
	for changed := true; changed; {
		changed = false
		for name, st := range r.structs {
			for _, f := range st.fields {
				if !r.whole(f.t) {
					delete(r.structs, name)
					r.failed[name] = true
					changed = true
					break
				}
			}
		}
	}
}

// whole reports whether every struct in t is still made.
func (r *resolver) whole(t *goType) bool {
	switch {
	case t.st != nil:
		return r.structs[t.st.name] == t.st
	case t.key != nil && !r.whole(t.key):
		return false
	case t.elem != nil:
		return r.whole(t.elem)
	}
	return true
}

// sortedStructs is every struct resolved, by name.
func (r *resolver) sortedStructs() []*structType {
	out := make([]*structType, 0, len(r.structs))
	for _, st := range r.structs {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// goTypeOf is the Go type of a descriptor for a method that sends or reads
// it the general way: its goType's, else any.
func (r *resolver) goTypeOf(d any) string {
	if t := r.resolve(d); t != nil {
		return t.expr
	}
	return "any"
}

// docLines is a doc comment as Go comment lines.
func docLines(indent, doc string) string {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		b.WriteString(strings.TrimRight(indent+"// "+line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}
