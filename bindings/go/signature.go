package ferryman

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Signature is function f's parameter and result types on one line, every
// named type spelled out from describe's types the first time it appears:
// "(i64, i64) -> i64", "(Record{name: str, id: i64}) -> Record". Two
// libraries whose functions have one signature read and write the same
// values, which is what typed bindings rely on (Library.Bind).
func (d *Description) Signature(f *Function) string {
	return signature(d.TypesByName(), f)
}

// signature is Signature with describe's types by name (Library.Bind
// makes them once for all of its functions).
func signature(types map[string]map[string]any, f *Function) string {
	s := signer{types: types, seen: map[string]bool{}}
	s.b.WriteByte('(')
	for i, p := range f.Params {
		if i > 0 {
			s.b.WriteString(", ")
		}
		s.descriptor(p.Type)
	}
	s.b.WriteString(") -> ")
	s.descriptor(f.Returns.Type)
	if f.Async {
		s.b.WriteString(" async")
	}
	return s.b.String()
}

// TypesByName is describe's types (the named types' entries) by name.
func (d *Description) TypesByName() map[string]map[string]any {
	byName := make(map[string]map[string]any, len(d.Types))
	for _, t := range d.Types {
		if m, ok := t.(map[string]any); ok {
			if name, ok := m["name"].(string); ok {
				byName[name] = m
			}
		}
	}
	return byName
}

type signer struct {
	b     strings.Builder
	types map[string]map[string]any
	seen  map[string]bool
}

// descriptor writes a type descriptor (spec/wire.md, "Type descriptors").
func (s *signer) descriptor(t any) {
	switch t := t.(type) {
	case string:
		s.b.WriteString(t)
	case map[string]any:
		for key, inner := range t { // one key
			if key == "named" {
				name, _ := inner.(string)
				s.named(name)
				continue
			}
			s.b.WriteString(key)
			s.b.WriteByte('(')
			s.descriptor(inner)
			s.b.WriteByte(')')
		}
	case []any:
		s.b.WriteByte('[')
		for i, item := range t {
			if i > 0 {
				s.b.WriteString(", ")
			}
			s.descriptor(item)
		}
		s.b.WriteByte(']')
	default:
		fmt.Fprintf(&s.b, "%v", t)
	}
}

// named writes a named type: its name, then, the first time, its entry
// (every key but the doc comment, sorted).
func (s *signer) named(name string) {
	s.b.WriteString(name)
	entry, described := s.types[name]
	if !described || s.seen[name] {
		return
	}
	s.seen[name] = true
	s.entryMap(entry, "; ", "name", "doc")
}

// entryValue writes a value inside a types entry: fields and variants are
// lists of maps with a name (whose "type" and "items" hold descriptors),
// items a list of descriptors.
func (s *signer) entryValue(v any) {
	switch v := v.(type) {
	case []any:
		s.b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				s.b.WriteString(", ")
			}
			if m, isMap := item.(map[string]any); isMap && m["name"] != nil {
				s.entryMap(m, ", ") // a field or a variant
			} else {
				s.descriptor(item)
			}
		}
		s.b.WriteByte(']')
	case map[string]any:
		s.descriptor(v)
	default:
		fmt.Fprintf(&s.b, "%v", v)
	}
}

// entryMap writes a map of a types entry with its keys sorted, but for
// skip: "type" holds a descriptor, other keys entry values.
func (s *signer) entryMap(m map[string]any, sep string, skip ...string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	s.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			s.b.WriteString(sep)
		}
		s.b.WriteString(k)
		s.b.WriteString(": ")
		if k == "type" {
			s.descriptor(m[k])
		} else {
			s.entryValue(m[k])
		}
	}
	s.b.WriteByte('}')
}
