package gogen

import (
	"bytes"
	"fmt"
	"strings"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// Classes: a Go type per exported class holding its *ferryman.Object (and
// the bindings, whose bound functions its methods call), with a method per
// Rust method; constructors and static methods are methods of the bindings'
// type (NewCounter, CounterNamed). Members whose types the generated code
// handles are typed throughout, as free functions are (the object is self,
// the first argument); the others call through the general API
// (Library.New, Object.Call, CallMethod[T]), typed at the signature.

// classesOf is d's classes whose names are Go names.
func classesOf(d *ferryman.Description) map[string]*ferryman.Class {
	classes := map[string]*ferryman.Class{}
	for i := range d.Classes {
		if c := &d.Classes[i]; exported(c.Name) == c.Name {
			classes[c.Name] = c
		}
	}
	return classes
}

// objectClass is the generated class an {"object": "Class"} descriptor
// names, or "".
func (g *generator) objectClass(d any) string {
	m, ok := d.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	class, _ := m["object"].(string)
	if g.classes[class] == nil {
		return ""
	}
	return class
}

// classMethodNames are the methods every generated class has.
var classMethodNames = map[string]bool{"Object": true, "Close": true, "String": true}

// members are the Go methods to write, by receiver and name; two that would
// have one name are an error naming both.
func (g *generator) members(fns []*ferryman.Function) ([]member, error) {
	var out []member
	taken := map[string]string{} // receiver type + "." + Go name → Rust name
	for _, f := range fns {
		m := member{f: f, class: f.Class, goRecv: "l *" + g.opts.Type}
		short := strings.TrimPrefix(f.Name, f.Class+".")
		switch {
		case f.Class == "":
			m.name = exported(f.Name)
		case strings.HasPrefix(short, "__"):
			continue // protocols: Object.String, and the host's own
		case f.Kind == "constructor":
			m.name = "New" + f.Class
		case f.Kind == "static":
			m.name = f.Class + exported(short)
		default:
			m.name, m.goRecv = exported(short), "o *"+f.Class
			if classMethodNames[m.name] {
				m.name += "Method"
			}
		}
		key := m.goRecv[strings.IndexByte(m.goRecv, '*')+1:] + "." + m.name
		if other, clash := taken[key]; clash || m.name == "Ferryman" {
			return nil, fmt.Errorf("`%s` and `%s` both become the Go method %s", other, f.Name, key)
		}
		taken[key] = f.Name
		out = append(out, m)
	}
	return out, nil
}

// classTypes writes each class's Go type.
func (g *generator) classTypes(out *bytes.Buffer) {
	for _, c := range byName(g.classes) {
		name := c.Name
		out.WriteString(docLines("", c.Doc))
		if c.Doc != "" {
			out.WriteString("//\n")
		}
		fmt.Fprintf(out, "// %s is the library's class %s (%s): a handle that Close releases (a\n", name, name, c.Rust)
		out.WriteString("// finalizer does when it is not closed).\n")
		fmt.Fprintf(out, "type %s struct {\n\tl   *%s\n\tobj *ferryman.Object\n}\n\n", name, g.opts.Type)
		fmt.Fprintf(out, "func (l *%s) wrap%s(obj *ferryman.Object) *%s {\n\tif obj == nil {\n\t\treturn nil\n\t}\n\treturn &%s{l: l, obj: obj}\n}\n\n", g.opts.Type, name, name, name)
		out.WriteString("// Object is the handle, for the general API; nil for a nil receiver.\n")
		fmt.Fprintf(out, "func (o *%s) Object() *ferryman.Object {\n\tif o == nil {\n\t\treturn nil\n\t}\n\treturn o.obj\n}\n\n", name)
		out.WriteString("// Close releases the handle (ferryman.Object.Close).\n")
		fmt.Fprintf(out, "func (o *%s) Close() error { return o.obj.Close() }\n\n", name)
		out.WriteString("// String is the object's Display, when its class has one (ferryman.Object.String).\n")
		fmt.Fprintf(out, "func (o *%s) String() string { return o.obj.String() }\n\n", name)
	}
}
