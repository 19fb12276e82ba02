package ferryman

import (
	"fmt"
	"reflect"
	"unicode/utf8"
)

// VariantKind is the kind of a Rust enum's variant (spec/wire.md, "Named
// types"): how the Go struct that stands for it crosses.
type VariantKind uint8

const (
	// UnitVariant has no content: the str "Name" (its struct has no fields).
	UnitVariant VariantKind = iota + 1
	// NewtypeVariant holds one value: {"Name": its struct's one field}.
	NewtypeVariant
	// TupleVariant holds items: {"Name": [its struct's fields, in order]}.
	TupleVariant
	// StructVariant holds named fields: {"Name": {its struct's fields, as a
	// struct's: by msgpack tag, else name}}.
	StructVariant
)

// EnumVariant is a Go struct that stands for one variant of a Rust enum, as
// the types ferryman-go generates for an enum's variants do (ShapeSquare,
// ModeFast). Library.Call, Object.Call, Args.Value and a callback's result
// send such a struct, or a pointer to one, in the enum's wire form wherever
// it is — an argument, a struct's field, a list's item, a map's value —
// rather than as the map of its fields: "Fast", {"Square": 3.0},
// {"Resize": [640, 480]}, {"Careful": {"retries": 2}}.
//
// FerrymanVariant gives the variant's serde name and its kind. It is asked
// once per type, of the type's zero value, so it must have a value receiver
// and answer the same for every value.
type EnumVariant interface {
	FerrymanVariant() (name string, kind VariantKind)
}

var enumVariantType = reflect.TypeOf((*EnumVariant)(nil)).Elem()

// variantForm is how a struct type that implements EnumVariant crosses.
type variantForm struct {
	kind VariantKind
	key  string // the variant's name as the encoder writes it: its str header, then its bytes
	bad  string // why the type cannot be sent, when it cannot
}

// variantFormOf is the form of struct type t with the given crossing
// fields, or nil when t is not an EnumVariant.
func variantFormOf(t reflect.Type, fields []structField) *variantForm {
	if !t.Implements(enumVariantType) {
		return nil
	}
	name, kind := reflect.Zero(t).Interface().(EnumVariant).FerrymanVariant()
	form := &variantForm{kind: kind}
	var w wireWriter
	_ = w.EncodeString(name)
	form.key = string(w.b)
	switch {
	case !utf8.ValidString(name):
		form.bad = fmt.Sprintf("a %s, an enum variant whose name (FerrymanVariant) is %s", t, notUTF8(name))
	case kind < UnitVariant || kind > StructVariant:
		form.bad = fmt.Sprintf("a %s, the enum variant %q of no kind FerrymanVariant knows (%d)", t, name, kind)
	case kind == UnitVariant && len(fields) != 0:
		form.bad = fmt.Sprintf("a %s, the unit variant %q, with %d fields (a unit variant has none)", t, name, len(fields))
	case kind == NewtypeVariant && len(fields) != 1:
		form.bad = fmt.Sprintf("a %s, the newtype variant %q, with %d fields (a newtype variant has one)", t, name, len(fields))
	}
	return form
}

// variant writes v, a struct of an EnumVariant type, in the enum's wire
// form: the variant's name, or a map of one entry from it to the content.
// v's map is at depth (nest checked it), its content one deeper.
func (e *encoder) variant(v reflect.Value, info *structInfo, depth int) error {
	form := info.variant
	if form.bad != "" {
		return noWireForm{found: form.bad}
	}
	if form.kind == UnitVariant {
		e.w.b = append(e.w.b, form.key...)
		return nil
	}
	_ = e.enc.EncodeMapLen(1)
	e.w.b = append(e.w.b, form.key...)
	switch form.kind {
	case NewtypeVariant:
		return e.value(v.Field(info.fields[0].index), depth+1)
	case TupleVariant:
		if err := e.nest(depth + 1); err != nil {
			return err
		}
		_ = e.enc.EncodeArrayLen(len(info.fields))
		for i := range info.fields {
			if err := e.value(v.Field(info.fields[i].index), depth+2); err != nil {
				return err
			}
		}
		return nil
	}
	if err := e.nest(depth + 1); err != nil {
		return err
	}
	return e.structMap(v, info.fields, depth+1)
}
