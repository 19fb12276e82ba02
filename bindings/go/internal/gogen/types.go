package gogen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// goType is a type descriptor (spec/wire.md, "Type descriptors") as a Go
// type whose values the generated code writes and reads itself.
type goType struct {
	kind  string // a scalar descriptor ("i64", "str", …), or "list", "option", "map", "struct", "enum"
	expr  string // the Go type: int64, []Record, *string, map[string]int64
	mangl string // for the names of its writer and reader: I64, ListRecord
	elem  *goType
	key   *goType
	st    *structType // kind "struct"
	en    *enumType   // kind "enum"
	pkg   string      // the package a valueTypes type needs imported
	parts []*goType   // kind "callback": its arguments' types, then its result's
	class string      // kind "object": the generated class
}

type structType struct {
	name   string // serde's name, and the Go type's
	fields []field
	array  bool   // a tuple (struct) (Field0, …) or unit struct: an array of its fields on the wire
	tuple  string // a tuple's struct only: its items' Go types, "(int64, string)"
}

type field struct {
	wire, goName string // wire is "" for the items of a newtype or tuple variant
	t            *goType
}

// enumType is a Rust enum: a Go interface, and a struct type per variant
// that implements it (spec/wire.md, "Named types": a unit variant is its
// name, any other {name: content}).
type enumType struct {
	name     string
	variants []*variant
}

type variant struct {
	wire   string // serde's name of the variant
	goName string // the Go type: the enum's name and the variant's (ShapeCircle)
	kind   string // "unit", "newtype" (one field, Value), "tuple" (Field0, …) or "struct"
	fields []field
	st     *goType // kinds "tuple" and "struct": the variant's type as a struct, for its writer and reader
}

// scalars are the descriptors read and written by one Args/Result method.
var scalars = map[string]string{
	"bool": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "isize": "int64",
	"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64", "usize": "uint64",
	"f32": "float32", "f64": "float64", "str": "string", "path": "string", "bytes": "[]byte",
	"unit": "struct{}",
}

// nilable reports whether t's Go type has a nil of its own (an enum's
// interface, a *big.Int): an Option of it is the same Go type.
func (t *goType) nilable() bool {
	switch t.kind {
	case "enum", "i128", "u128", "object":
		return true
	}
	return false
}

// valueTypes are the descriptors written and read as Library.Call and
// Call[T] do (Args.Value, Result.Value: reflection), as the Go types those
// convert, each with the package its type needs.
var valueTypes = map[string][2]string{
	"i128": {"*big.Int", "math/big"}, "u128": {"*big.Int", "math/big"},
	"duration": {"time.Duration", "time"}, "timestamp": {"time.Time", "time"},
}

// resolver maps descriptors to goTypes, describe's named types with it.
type resolver struct {
	entries map[string]map[string]any
	structs map[string]*structType // made (or being made) from entries
	enums   map[string]*enumType   // the same for enums
	tuples  map[string]*structType // a Go struct per tuple type, named Tuple and its items' names
	aliases map[string]*goType     // newtype structs: the inner type
	failed  map[string]bool
	classes map[string]*ferryman.Class // the classes generated: a Go type each
}

func newResolver(d *ferryman.Description, classes map[string]*ferryman.Class) *resolver {
	return &resolver{entries: d.TypesByName(), classes: classes, structs: map[string]*structType{},
		enums: map[string]*enumType{}, tuples: map[string]*structType{}, aliases: map[string]*goType{}, failed: map[string]bool{}}
}

// resolve is descriptor d as a goType, or nil when the generated code does
// not read and write it itself (callbacks, objects, iterators, streams,
// tuples, 128-bit integers, times, chars, named types describe does not
// spell out): such a parameter is sent, and such a result read, the way
// Library.Call does.
func (r *resolver) resolve(d any) *goType {
	switch d := d.(type) {
	case string:
		if goExpr, ok := scalars[d]; ok {
			return &goType{kind: d, expr: goExpr, mangl: exported(d)}
		}
		if v, ok := valueTypes[d]; ok {
			return &goType{kind: d, expr: v[0], mangl: exported(d), pkg: v[1]}
		}
		return nil
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
				expr := "*" + e.expr
				if e.nilable() {
					expr = e.expr // nil is None
				}
				return &goType{kind: "option", expr: expr, mangl: "Option" + e.mangl, elem: e}
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
			case "tuple":
				items, _ := inner.([]any)
				return r.tupleType(items)
			case "object":
				class, _ := inner.(string)
				if r.classes[class] == nil {
					return nil
				}
				return &goType{kind: "object", expr: "*" + class, mangl: "Obj" + class, class: class}
			}
		}
	}
	return nil
}

func comparableKey(kind string) bool {
	switch kind {
	case "bytes", "unit", "list", "option", "map", "struct", "enum", "object", "f32", "f64",
		"i128", "u128", "duration", "timestamp":
		return false
	}
	return true
}

// named is a struct, newtype struct or enum that describe spells out, with
// every field one the generated code handles. A type met again while it is
// being made (a tree) is taken as it will be.
func (r *resolver) named(name string) *goType {
	if exported(name) != name || r.failed[name] {
		return nil // Wrapper<i64>, snake_case: no Go name of its own
	}
	if st, ok := r.structs[name]; ok {
		return &goType{kind: "struct", expr: name, mangl: name, st: st}
	}
	if en, ok := r.enums[name]; ok {
		return &goType{kind: "enum", expr: name, mangl: name, en: en}
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
	case "enum":
		return r.enum(name, entry)
	case "struct", "tuple_struct", "unit_struct":
	default:
		r.failed[name] = true
		return nil
	}
	st := &structType{name: name, array: entry["kind"] != "struct"}
	r.structs[name] = st
	var fields []field
	ok = true
	switch entry["kind"] {
	case "struct":
		fields, ok = r.fields(entry["fields"])
	case "tuple_struct":
		items, _ := entry["items"].([]any)
		fields, ok = r.items(items)
	}
	if !ok {
		delete(r.structs, name)
		r.failed[name] = true
		return nil
	}
	st.fields = fields
	return &goType{kind: "struct", expr: name, mangl: name, st: st}
}

// fields are the fields of a struct (or of an enum's struct variant), each
// with a Go name of its own and a type the generated code handles.
func (r *resolver) fields(list any) ([]field, bool) {
	items, _ := list.([]any)
	out := make([]field, 0, len(items))
	seen := map[string]bool{}
	for _, f := range items {
		fm, _ := f.(map[string]any)
		wire, _ := fm["name"].(string)
		goName := exported(wire)
		t := r.resolve(fm["type"])
		if goName == "" || seen[goName] || t == nil || t.kind == "unit" {
			return nil, false
		}
		seen[goName] = true
		out = append(out, field{wire: wire, goName: goName, t: t})
	}
	return out, true
}

// tupleType is a tuple's Go struct (Field0, Field1, …), named Tuple and its
// items' mangled names (TupleI64Str), made once per name; nil for a tuple
// whose items the generated code does not handle, or whose name another
// tuple has ((Vec<i64>,) and (ListI64,)).
func (r *resolver) tupleType(items []any) *goType {
	fields, ok := r.items(items)
	if !ok || len(fields) == 0 {
		return nil
	}
	name, exprs := "Tuple", make([]string, len(fields))
	for i, f := range fields {
		name += f.t.mangl
		exprs[i] = f.t.expr
	}
	itemTypes := "(" + strings.Join(exprs, ", ") + ")"
	st := r.tuples[name]
	switch {
	case st == nil:
		st = &structType{name: name, fields: fields, array: true, tuple: itemTypes}
		r.tuples[name] = st
	case st.tuple != itemTypes:
		return nil
	}
	return &goType{kind: "struct", expr: name, mangl: name, st: st}
}

// param is a parameter's descriptor as a goType: resolve's, or for a
// callback whose argument and result types the general API converts (it
// calls Go funcs), a Go func that also returns an error: a failure the
// callback reports (func(int64) (int64, error); func(string) error for a
// unit result). Only a parameter: a callback Rust returns is a *Closure.
func (r *resolver) param(d any) *goType {
	m, _ := d.(map[string]any)
	cb, isCallback := m["callback"]
	if len(m) != 1 || !isCallback {
		return r.resolve(d)
	}
	sig, _ := cb.([]any)
	if len(sig) != 2 {
		return nil
	}
	argTypes, _ := sig[0].([]any)
	t := &goType{kind: "callback", mangl: "Callback"}
	exprs := make([]string, len(argTypes))
	for i, a := range append(argTypes, sig[1]) {
		part := r.resolve(a)
		if part == nil || !general(part, map[*structType]bool{}) {
			return nil
		}
		t.parts = append(t.parts, part)
		if i < len(exprs) {
			exprs[i] = part.expr
		}
	}
	ret := "error"
	if res := t.parts[len(exprs)]; res.kind != "unit" {
		ret = "(" + res.expr + ", error)"
	}
	t.expr = "func(" + strings.Join(exprs, ", ") + ") " + ret
	return t
}

// items are the items of a tuple, a tuple struct or an enum's tuple variant
// as fields Field0, Field1, …, each of a type the generated code handles.
func (r *resolver) items(items []any) ([]field, bool) {
	out := make([]field, len(items))
	for i, item := range items {
		t := r.resolve(item)
		if t == nil || t.kind == "unit" {
			return nil, false
		}
		out[i] = field{goName: "Field" + strconv.Itoa(i), t: t}
	}
	return out, true
}

// enum is the enum entry of name as a goType, when every variant has a Go
// name of its own and every item and field a type the generated code handles.
func (r *resolver) enum(name string, entry map[string]any) *goType {
	en := &enumType{name: name}
	r.enums[name] = en
	fail := func() *goType {
		delete(r.enums, name)
		r.failed[name] = true
		return nil
	}
	variants, _ := entry["variants"].([]any)
	if len(variants) == 0 {
		return fail() // no value: nothing to generate
	}
	seen := map[string]bool{}
	for _, v := range variants {
		vm, _ := v.(map[string]any)
		wire, _ := vm["name"].(string)
		kind, _ := vm["kind"].(string)
		suffix := exported(wire)
		if suffix == "" || seen[suffix] {
			return fail()
		}
		seen[suffix] = true
		va := &variant{wire: wire, goName: name + suffix, kind: kind}
		switch kind {
		case "unit":
		case "newtype":
			t := r.resolve(vm["type"])
			if t == nil || t.kind == "unit" {
				return fail()
			}
			va.fields = []field{{goName: "Value", t: t}}
		case "tuple", "struct":
			var fields []field
			ok := false
			if kind == "tuple" {
				items, _ := vm["items"].([]any)
				fields, ok = r.items(items)
			} else {
				fields, ok = r.fields(vm["fields"])
			}
			if !ok {
				return fail()
			}
			for _, f := range fields {
				if f.goName == "FerrymanVariant" { // the variant's method (ferryman.EnumVariant)
					return fail()
				}
			}
			va.fields = fields
			va.st = &goType{kind: "struct", expr: va.goName, mangl: va.goName,
				st: &structType{name: va.goName, fields: fields, array: kind == "tuple"}}
		default:
			return fail()
		}
		en.variants = append(en.variants, va)
	}
	return &goType{kind: "enum", expr: name, mangl: name, en: en}
}

// settle drops the structs and enums that lead to a dropped one (a field
// taken as it would be while its type was being made, which then failed),
// until none do.
func (r *resolver) settle() {
	wholeFields := func(fields []field) bool {
		for _, f := range fields {
			if !r.whole(f.t) {
				return false
			}
		}
		return true
	}
	for changed := true; changed; {
		changed = false
		for name, st := range r.structs {
			if !wholeFields(st.fields) {
				delete(r.structs, name)
				r.failed[name] = true
				changed = true
			}
		}
		for name, st := range r.tuples {
			if !wholeFields(st.fields) {
				delete(r.tuples, name)
				changed = true
			}
		}
		for name, en := range r.enums {
			for _, v := range en.variants {
				if !wholeFields(v.fields) {
					delete(r.enums, name)
					r.failed[name] = true
					changed = true
					break
				}
			}
		}
	}
}

// whole reports whether every struct and enum in t is still made.
func (r *resolver) whole(t *goType) bool {
	switch {
	case t.st != nil && t.st.tuple != "":
		return r.tuples[t.st.name] == t.st
	case t.st != nil:
		return r.structs[t.st.name] == t.st
	case t.en != nil:
		return r.enums[t.en.name] == t.en
	case t.key != nil && !r.whole(t.key):
		return false
	case t.elem != nil:
		return r.whole(t.elem)
	}
	return true
}

// sortedStructs is every struct resolved and every tuple's, by name.
func (r *resolver) sortedStructs() []*structType {
	all := byName(r.structs)
	for _, st := range byName(r.tuples) {
		all = append(all, st)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].name < all[j].name })
	return all
}

// sortedEnums is every enum resolved, by name.
func (r *resolver) sortedEnums() []*enumType { return byName(r.enums) }

// byName is m's values in the order of their names.
func byName[T any](m map[string]T) []T {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]T, len(names))
	for i, name := range names {
		out[i] = m[name]
	}
	return out
}

// general reports whether Library.Call sends t's Go values, and Call[T]
// reads them, as the library has them: not an enum's (Go has no sum type
// the general API would know), a tuple's or a tuple or unit struct's (Go
// structs, which it sends as maps), nor a struct's that holds one.
func general(t *goType, seen map[*structType]bool) bool {
	switch {
	case t.en != nil, t.st != nil && t.st.array, t.kind == "object":
		return false // (an object as *Class: the general way's methods pass its Object())
	case t.st != nil:
		if seen[t.st] {
			return true
		}
		seen[t.st] = true
		for _, f := range t.st.fields {
			if !general(f.t, seen) {
				return false
			}
		}
		return true
	case t.key != nil && !general(t.key, seen):
		return false
	case t.elem != nil:
		return general(t.elem, seen)
	}
	return true
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
