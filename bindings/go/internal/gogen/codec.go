package gogen

import (
	"fmt"
	"strconv"
	"strings"
)

// The generated writers and readers: a value of a scalar type is one
// ferryman.Args call or one Result call; a list, option, map or struct gets
// a function of its own (writeListRecord, readRecord), made once.

// writeTop is the statement writing parameter value v: a large []byte,
// []int64 or []float64 is lent for the call, as Library.Call lends it.
func (g *generator) writeTop(t *goType, v string) string {
	switch {
	case t.kind == "bytes":
		return "args.LendBytes(" + v + ")"
	case t.kind == "list" && t.elem.kind == "i64":
		return "args.LendInts(" + v + ")"
	case t.kind == "list" && t.elem.kind == "f64":
		return "args.LendFloats(" + v + ")"
	}
	return g.write(t, v)
}

// write is the statement writing v, an addressable value of type t.
func (g *generator) write(t *goType, v string) string {
	switch t.kind {
	case "bool":
		return "args.Bool(" + v + ")"
	case "i8", "i16", "i32":
		return "args.Int(int64(" + v + "))"
	case "i64", "isize":
		return "args.Int(" + v + ")"
	case "u8", "u16", "u32":
		return "args.Uint(uint64(" + v + "))"
	case "u64", "usize":
		return "args.Uint(" + v + ")"
	case "f32":
		return "args.Float32(" + v + ")"
	case "f64":
		return "args.Float64(" + v + ")"
	case "str", "path":
		return "args.String(" + v + ")"
	case "bytes":
		return "args.Bytes(" + v + ")"
	case "unit":
		return "args.Nil()"
	case "i128", "u128", "duration", "timestamp", "callback":
		return "args.Value(" + v + ")"
	case "object":
		return "args.Object(" + v + ".Object())" // (nil for a nil *Class)
	case "list":
		switch t.elem.kind {
		case "i64":
			return "args.Ints(" + v + ")"
		case "f64":
			return "args.Floats(" + v + ")"
		}
	case "option":
		if t.elem.nilable() {
			return g.write(t.elem, v) // (which sends a nil one as nil)
		}
	case "struct":
		name := g.writer(t)
		if strings.HasPrefix(v, "*") {
			return name + "(args, " + v[1:] + ")"
		}
		return name + "(args, &" + v + ")"
	}
	return g.writer(t) + "(args, " + v + ")"
}

// helper is the name of t's writer or reader (prefix "write" or "read"):
// the prefix and t's mangled name, with a number after it when another type
// has that name already (a struct named ListI64 beside []int64) or it is
// another of the file's names; isNew says that the caller makes it now.
func (g *generator) helper(prefix string, t *goType) (name string, isNew bool) {
	key := prefix + " " + t.expr
	if t.kind == "option" && t.elem.nilable() {
		key += " or nil" // the element's Go type, read and written with nil allowed
	}
	if name, ok := g.helpers[key]; ok {
		return name, false
	}
	name = prefix + t.mangl
	for i := 2; g.taken[name]; i++ {
		name = prefix + t.mangl + strconv.Itoa(i)
	}
	g.taken[name] = true
	g.helpers[key] = name
	return name, true
}

// writer makes t's writer function, once, and is its name.
func (g *generator) writer(t *goType) string {
	name, isNew := g.helper("write", t)
	if !isNew {
		return name
	}
	var b strings.Builder
	switch t.kind {
	case "struct":
		fmt.Fprintf(&b, "func %s(args ferryman.Args, v *%s) {\n", name, t.expr)
		if t.st.array {
			fmt.Fprintf(&b, "\targs.ArrayLen(%d)\n", len(t.st.fields))
		} else {
			fmt.Fprintf(&b, "\targs.MapLen(%d)\n", len(t.st.fields))
		}
		for _, f := range t.st.fields {
			if !t.st.array {
				fmt.Fprintf(&b, "\targs.Key(%q)\n", f.wire)
			}
			fmt.Fprintf(&b, "\t%s\n", g.write(f.t, "v."+f.goName))
		}
	case "list":
		fmt.Fprintf(&b, "func %s(args ferryman.Args, v %s) {\n\targs.ArrayLen(len(v))\n", name, t.expr)
		fmt.Fprintf(&b, "\tfor i := range v {\n\t\t%s\n\t}\n", g.write(t.elem, "v[i]"))
	case "option":
		fmt.Fprintf(&b, "func %s(args ferryman.Args, v %s) {\n\tif v == nil {\n\t\targs.Nil()\n\t\treturn\n\t}\n", name, t.expr)
		fmt.Fprintf(&b, "\t%s\n", g.write(t.elem, "*v"))
	case "map":
		fmt.Fprintf(&b, "func %s(args ferryman.Args, v %s) {\n\targs.MapLen(len(v))\n", name, t.expr)
		fmt.Fprintf(&b, "\tfor k, x := range v {\n\t\t%s\n\t\t%s\n\t}\n", g.write(t.key, "k"), g.write(t.elem, "x"))
	case "enum":
		g.enumWriter(&b, name, t.en)
	default:
		panic("gogen: no writer for " + t.kind)
	}
	b.WriteString("}\n\n")
	g.codec.WriteString(b.String())
	return name
}

// enumWriter is the body of an enum's writer (spec/wire.md, "Named types"):
// a variant's pointer is taken as the variant, and nil is sent as nil (the
// library's error then says what it expected).
func (g *generator) enumWriter(b *strings.Builder, name string, en *enumType) {
	fmt.Fprintf(b, "func %s(args ferryman.Args, v %s) {\n\tswitch p := v.(type) {\n", name, en.name)
	for _, va := range en.variants {
		fmt.Fprintf(b, "\tcase *%s:\n\t\tif p == nil {\n\t\t\targs.Nil()\n\t\t\treturn\n\t\t}\n\t\tv = *p\n", va.goName)
	}
	binds := "v := "
	if units(en) == len(en.variants) {
		binds = ""
	}
	fmt.Fprintf(b, "\t}\n\tswitch %sv.(type) {\n", binds)
	for _, va := range en.variants {
		fmt.Fprintf(b, "\tcase %s:\n", va.goName)
		if va.kind == "unit" {
			fmt.Fprintf(b, "\t\targs.Key(%q)\n", va.wire)
			continue
		}
		fmt.Fprintf(b, "\t\targs.MapLen(1)\n\t\targs.Key(%q)\n", va.wire)
		if va.st != nil {
			fmt.Fprintf(b, "\t\t%s(args, &v)\n", g.writer(va.st))
		} else {
			fmt.Fprintf(b, "\t\t%s\n", g.write(va.fields[0].t, "v.Value"))
		}
	}
	b.WriteString("\tdefault:\n\t\targs.Nil()\n\t}\n")
}

// enumReader is the body of an enum's reader.
func (g *generator) enumReader(b *strings.Builder, en *enumType) {
	if units(en) > 0 {
		b.WriteString("\tif k, ok := r.Key(); ok {\n\t\tswitch string(k) {\n")
		for _, va := range en.variants {
			if va.kind == "unit" {
				fmt.Fprintf(b, "\t\tcase %q:\n\t\t\t*p = %s{}\n\t\t\treturn true\n", va.wire, va.goName)
			}
		}
		b.WriteString("\t\t}\n\t\treturn false\n\t}\n")
	}
	if units(en) == len(en.variants) {
		b.WriteString("\treturn false\n")
		return
	}
	b.WriteString("\tif n, ok := r.MapLen(); !ok || n != 1 {\n\t\treturn false\n\t}\n")
	b.WriteString("\tk, ok := r.Key()\n\tif !ok {\n\t\treturn false\n\t}\n\tswitch string(k) {\n")
	for _, va := range en.variants {
		if va.kind == "unit" {
			continue
		}
		fmt.Fprintf(b, "\tcase %q:\n\t\tvar v %s\n", va.wire, va.goName)
		var read string
		if va.st != nil {
			read = g.reader(va.st) + "(r, &v)"
		} else {
			read = g.reader(va.fields[0].t) + "(r, &v.Value)"
		}
		fmt.Fprintf(b, "\t\tif !%s {\n\t\t\treturn false\n\t\t}\n\t\t*p = v\n", read)
	}
	b.WriteString("\tdefault:\n\t\treturn false\n\t}\n\treturn true\n")
}

// arrayReader is the body of a tuple's or a tuple or unit struct's reader:
// an array of its fields in order (a unit struct's also nil).
func (g *generator) arrayReader(b *strings.Builder, st *structType) {
	if len(st.fields) == 0 {
		b.WriteString("\tif r.Nil() {\n\t\treturn true\n\t}\n\tn, ok := r.ArrayLen()\n\treturn ok && n == 0\n")
		return
	}
	fmt.Fprintf(b, "\tif n, ok := r.ArrayLen(); !ok || n != %d {\n\t\treturn false\n\t}\n", len(st.fields))
	reads := make([]string, len(st.fields))
	for i, f := range st.fields {
		reads[i] = g.reader(f.t) + "(r, &p." + f.goName + ")"
	}
	fmt.Fprintf(b, "\treturn %s\n", strings.Join(reads, " &&\n\t\t"))
}

// units is how many of en's variants are unit variants.
func units(en *enumType) int {
	n := 0
	for _, va := range en.variants {
		if va.kind == "unit" {
			n++
		}
	}
	return n
}

// reader is t's reader, made once, as the bindings call it (l.readX): a
// method of the bindings' type, func (l *Library) readX(r *ferryman.Result,
// p *T) bool, since an object it reads is wrapped with the bindings.
func (g *generator) reader(t *goType) string {
	name, isNew := g.helper("read", t)
	if !isNew {
		return "l." + name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "func (l *%s) %s(r *ferryman.Result, p *%s) bool {\n", g.opts.Type, name, t.expr)
	switch t.kind {
	case "bool":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Bool()\n\treturn ok\n")
	case "i64", "isize":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Int()\n\treturn ok\n")
	case "i8", "i16", "i32":
		g.math = true
		bits := t.kind[1:]
		fmt.Fprintf(&b, "\tn, ok := r.IntIn(math.MinInt%s, math.MaxInt%s)\n\t*p = %s(n)\n\treturn ok\n", bits, bits, t.expr)
	case "u64", "usize":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Uint()\n\treturn ok\n")
	case "u8", "u16", "u32":
		g.math = true
		fmt.Fprintf(&b, "\tn, ok := r.UintTo(math.MaxUint%s)\n\t*p = %s(n)\n\treturn ok\n", t.kind[1:], t.expr)
	case "f32":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Float32()\n\treturn ok\n")
	case "f64":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Float64()\n\treturn ok\n")
	case "str", "path":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Str()\n\treturn ok\n")
	case "bytes":
		b.WriteString("\tvar ok bool\n\t*p, ok = r.Bytes()\n\treturn ok\n")
	case "unit":
		b.WriteString("\treturn r.Nil()\n")
	case "i128", "u128", "duration", "timestamp":
		b.WriteString("\treturn r.Value(p)\n")
	case "object":
		fmt.Fprintf(&b, "\tvar obj *ferryman.Object\n\tif !r.Value(&obj) {\n\t\treturn false\n\t}\n\t*p = l.wrap%s(obj)\n\treturn true\n", t.class)
	case "list":
		switch t.elem.kind {
		case "i64":
			b.WriteString("\tvar ok bool\n\t*p, ok = r.Ints()\n\treturn ok\n")
		case "f64":
			b.WriteString("\tvar ok bool\n\t*p, ok = r.Floats()\n\treturn ok\n")
		default:
			elem := g.reader(t.elem)
			fmt.Fprintf(&b, "\tn, ok := r.ArrayLen()\n\tif !ok {\n\t\treturn false\n\t}\n\ts := make(%s, n)\n", t.expr)
			fmt.Fprintf(&b, "\tfor i := range s {\n\t\tif !%s(r, &s[i]) {\n\t\t\treturn false\n\t\t}\n\t}\n\t*p = s\n\treturn true\n", elem)
		}
	case "option":
		elem := g.reader(t.elem)
		if t.elem.nilable() {
			fmt.Fprintf(&b, "\tif r.Nil() {\n\t\t*p = nil\n\t\treturn true\n\t}\n\treturn %s(r, p)\n", elem)
			break
		}
		fmt.Fprintf(&b, "\tif r.Nil() {\n\t\t*p = nil\n\t\treturn true\n\t}\n\tx := new(%s)\n", t.elem.expr)
		fmt.Fprintf(&b, "\tif !%s(r, x) {\n\t\treturn false\n\t}\n\t*p = x\n\treturn true\n", elem)
	case "map":
		key, elem := g.reader(t.key), g.reader(t.elem)
		fmt.Fprintf(&b, "\tn, ok := r.MapLen()\n\tif !ok {\n\t\treturn false\n\t}\n\tm := make(%s, n)\n", t.expr)
		fmt.Fprintf(&b, "\tfor i := 0; i < n; i++ {\n\t\tvar k %s\n\t\tvar x %s\n", t.key.expr, t.elem.expr)
		fmt.Fprintf(&b, "\t\tif !%s(r, &k) || !%s(r, &x) {\n\t\t\treturn false\n\t\t}\n\t\tm[k] = x\n\t}\n\t*p = m\n\treturn true\n", key, elem)
	case "struct":
		if t.st.array {
			g.arrayReader(&b, t.st)
			break
		}
		b.WriteString("\tn, ok := r.MapLen()\n\tif !ok {\n\t\treturn false\n\t}\n")
		b.WriteString("\tfor i := 0; i < n; i++ {\n\t\tk, ok := r.Key()\n\t\tif !ok {\n\t\t\treturn false\n\t\t}\n\t\tswitch string(k) {\n")
		for _, f := range t.st.fields {
			fmt.Fprintf(&b, "\t\tcase %q:\n\t\t\tok = %s(r, &p.%s)\n", f.wire, g.reader(f.t), f.goName)
		}
		// An unknown key: the general reader skips it, Decode does.
		b.WriteString("\t\tdefault:\n\t\t\tok = false\n\t\t}\n\t\tif !ok {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n")
	case "enum":
		g.enumReader(&b, t.en)
	}
	b.WriteString("}\n\n")
	g.codec.WriteString(b.String())
	return "l." + name
}
