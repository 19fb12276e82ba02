package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// The Go host's documented mapping from error values to Go errors
// (bindings/go/README.md, "Errors"), read back into the case's `error` keys.

// kindOf is the error value kind a Go error stands for.
func kindOf(err error) string {
	var (
		re  *ferryman.RustError
		rp  *ferryman.RustPanic
		ae  *ferryman.ArgumentError
		be  *ferryman.BorrowError
		pe  *ferryman.ProtocolError
		ce  *ferryman.CallbackError
		bre *ferryman.BridgeError
	)
	switch {
	case errors.As(err, &re):
		return "error"
	case errors.As(err, &rp):
		return "panic"
	case errors.As(err, &ae):
		return ae.Kind
	case errors.As(err, &be):
		return "borrow"
	case errors.As(err, &pe):
		return "malformed"
	case errors.As(err, &ce):
		return "host"
	case errors.As(err, &bre):
		return bre.Kind
	}
	return fmt.Sprintf("a %T", err)
}

// message is an error's own message, without the prefix its Error() adds
// ("MathError: ", "rust panic: ").
func message(err error) string {
	switch e := err.(type) {
	case *ferryman.RustError:
		return e.Message
	case *ferryman.RustPanic:
		return e.Message
	case *ferryman.CallbackError:
		return e.Message
	case *ferryman.ProtocolError:
		return e.Message
	}
	return err.Error()
}

// attribute is one of `function`, `param`, `index`, `expected` of the error
// (nil when its Go type has no such field).
func attribute(err error, key string) any {
	switch e := err.(type) {
	case *ferryman.ArgumentError:
		switch key {
		case "function":
			return e.Function
		case "param":
			return e.Param
		case "index":
			return int64(e.Index)
		case "expected":
			return e.Expected
		}
	case *ferryman.RustError:
		if key == "function" {
			return e.Function
		}
	case *ferryman.RustPanic:
		if key == "function" {
			return e.Function
		}
	}
	return nil
}

func frames(err error) []ferryman.Frame {
	switch e := err.(type) {
	case *ferryman.RustError:
		return e.Frames
	case *ferryman.RustPanic:
		return e.Frames
	case *ferryman.ArgumentError:
		return e.Frames
	case *ferryman.BorrowError:
		return e.Frames
	case *ferryman.CallbackError:
		return e.Frames
	case *ferryman.ProtocolError:
		return e.Frames
	case *ferryman.BridgeError:
		return e.Frames
	}
	return nil
}

// errorDifferences compares a failed call with the case's `error`.
func errorDifferences(w map[string]any, err error, fixture string) []string {
	kind := kindOf(err)
	if kind != w["kind"] {
		return []string{fmt.Sprintf("expected a %q error, got %T: %v (kind %s)", w["kind"], err, err, kind)}
	}
	var found []string
	if m, ok := w["message"]; ok && message(err) != m {
		found = append(found, fmt.Sprintf("message: expected %q, got %q", m, message(err)))
	}
	if m, ok := w["message_contains"].(string); ok && !strings.Contains(message(err), m) {
		found = append(found, fmt.Sprintf("message: expected it to contain %q, got %q", m, message(err)))
	}
	if re, ok := err.(*ferryman.RustError); ok {
		found = append(found, rustErrorDifferences(w, re)...)
	}
	for _, key := range []string{"function", "param", "index", "expected"} {
		expected, ok := w[key]
		if !ok {
			continue
		}
		ex, werr := want(expected)
		if werr != nil {
			return []string{werr.Error()}
		}
		found = append(found, differences(ex, attribute(err, key), key)...)
	}
	if f, ok := w["frame"].(map[string]any); ok {
		found = append(found, frameDifferences(f, frames(err), fixture)...)
	}
	if causes, ok := w["causes"].([]any); ok {
		found = append(found, causeDifferences(causes, err)...)
	}
	return found
}

func rustErrorDifferences(w map[string]any, e *ferryman.RustError) []string {
	var found []string
	if t, ok := w["type"]; ok && e.Type != t {
		found = append(found, fmt.Sprintf("type: expected %q, got %q", t, e.Type))
	}
	if v, ok := w["variant"]; ok {
		// A missing variant is "" in Go.
		if v == nil {
			v = ""
		}
		if e.Variant != v {
			found = append(found, fmt.Sprintf("variant: expected %q, got %q", v, e.Variant))
		}
	}
	if f, ok := w["fields"]; ok {
		expected, err := want(f)
		if err != nil {
			return append(found, err.Error())
		}
		var got any
		if e.Fields != nil {
			got = e.Fields
		}
		found = append(found, differences(expected, got, "fields")...)
	}
	return found
}

// causeDifferences walks Unwrap() from the error: the source() chain.
func causeDifferences(w []any, err error) []string {
	var chain []error
	for c := errors.Unwrap(err); c != nil; c = errors.Unwrap(c) {
		chain = append(chain, c)
	}
	if len(chain) != len(w) {
		return []string{fmt.Sprintf("causes: expected %d, got %d (%v)", len(w), len(chain), chain)}
	}
	var found []string
	for i, c := range chain {
		cw, _ := w[i].(map[string]any)
		if m, ok := cw["message"]; ok && message(c) != m {
			found = append(found, fmt.Sprintf("causes[%d] message: expected %q, got %q", i, m, message(c)))
		}
		if t, ok := cw["type"]; ok {
			got := ""
			if re, isRust := c.(*ferryman.RustError); isRust {
				got = re.Type
			}
			if got != t {
				found = append(found, fmt.Sprintf("causes[%d] type: expected %q, got %q", i, t, got))
			}
		}
	}
	return found
}

// frameDifferences compares the innermost (last) frame with the case's `frame`.
func frameDifferences(w map[string]any, frames []ferryman.Frame, fixture string) []string {
	if len(frames) == 0 {
		return []string{"frame: the error has no Rust frames"}
	}
	f := frames[len(frames)-1]
	var found []string
	file := strings.ReplaceAll(f.File, `\`, "/")
	wantFile, _ := w["file"].(string)
	if file != wantFile && !strings.HasSuffix(file, "/"+wantFile) {
		found = append(found, fmt.Sprintf("frame file: expected …/%s, got %q", wantFile, file))
	}
	var line int64
	if l, ok := w["line"]; ok {
		n, err := want(l)
		if err != nil {
			return append(found, err.Error())
		}
		line = numberOrZero(n)
	} else {
		n, err := sourceLine(fixture, wantFile, fmt.Sprint(w["line_of"]))
		if err != nil {
			return append(found, err.Error())
		}
		line = int64(n)
	}
	if int64(f.Line) != line {
		found = append(found, fmt.Sprintf("frame line: expected %d, got %d (%s)", line, f.Line, file))
	}
	if c, ok := w["column"]; ok {
		n, _ := want(c)
		if int64(f.Column) != numberOrZero(n) {
			found = append(found, fmt.Sprintf("frame column: expected %v, got %d", c, f.Column))
		}
	}
	if fn, ok := w["function"]; ok && f.Function != fn {
		found = append(found, fmt.Sprintf("frame function: expected %q, got %q", fn, f.Function))
	}
	return found
}

func numberOrZero(n any) int64 {
	r, special, ok := numberValue(n)
	if !ok || special != 0 || !r.IsInt() {
		return 0
	}
	return r.Num().Int64()
}

// sourceLine is the 1-based line of fixture/file holding text, which must
// occur on exactly one line.
func sourceLine(fixture, file, text string) (int, error) {
	data, err := os.ReadFile(filepath.Join(fixture, file))
	if err != nil {
		return 0, err
	}
	at, count := 0, 0
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, text) {
			at, count = i+1, count+1
		}
	}
	if count != 1 {
		return 0, fmt.Errorf("line_of %q occurs %d times in %s", text, count, file)
	}
	return at, nil
}
