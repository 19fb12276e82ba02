package ferryman_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// onlyRequiredSymbols is a library with only the six symbols spec/abi.md says
// "all a host needs to call functions", whose functions nonetheless return
// a closure (extension 2), an object (5) and a stream (7).
const onlyRequiredSymbols = `
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t *ptr; size_t len; size_t cap; } FerryBox;

static int32_t put(FerryBox *out, const uint8_t *b, size_t n) {
    uint8_t *p = malloc(n);
    memcpy(p, b, n);
    out->ptr = p; out->len = n; out->cap = n;
    return 0;
}

uint32_t ferryman_abi_version(void) { return 1; }

/* {"abi":1,"wire":1,"library":"bare","objects":true} */
static const uint8_t HANDSHAKE[] = {
    0x84, 0xa3,'a','b','i', 0x01, 0xa4,'w','i','r','e', 0x01,
    0xa7,'l','i','b','r','a','r','y', 0xa4,'b','a','r','e',
    0xa7,'o','b','j','e','c','t','s', 0xc3};
int32_t ferryman_handshake(FerryBox *out) { return put(out, HANDSHAKE, sizeof HANDSHAKE); }

/* {"abi":1,"wire":1,"library":"bare","functions":[{"id":0,"name":"closure","params":[]}, … "object", "stream"]} */
static const uint8_t DESCRIBE[] = {
    0x84, 0xa3,'a','b','i', 0x01, 0xa4,'w','i','r','e', 0x01,
    0xa7,'l','i','b','r','a','r','y', 0xa4,'b','a','r','e',
    0xa9,'f','u','n','c','t','i','o','n','s', 0x93,
      0x83, 0xa2,'i','d', 0x00, 0xa4,'n','a','m','e', 0xa7,'c','l','o','s','u','r','e', 0xa6,'p','a','r','a','m','s', 0x90,
      0x83, 0xa2,'i','d', 0x01, 0xa4,'n','a','m','e', 0xa6,'o','b','j','e','c','t', 0xa6,'p','a','r','a','m','s', 0x90,
      0x83, 0xa2,'i','d', 0x02, 0xa4,'n','a','m','e', 0xa6,'s','t','r','e','a','m', 0xa6,'p','a','r','a','m','s', 0x90};
int32_t ferryman_describe(FerryBox *out) { return put(out, DESCRIBE, sizeof DESCRIBE); }

int64_t ferryman_function_id(const FerryBox *name) { (void)name; return -1; }

int32_t ferryman_call(uint32_t id, const FerryBox *args, FerryBox *out) {
    static const uint8_t CLOSURE[] = {0xd7, 0x02, 0,0,0,0,0,0,0,1};
    static const uint8_t OBJECT[] = {0xc7, 12, 0x05, 0,0,0,0, 0,0,0,0,0,0,0,1};
    static const uint8_t STREAM[] = {0xd7, 0x07, 0,0,0,0,0,0,0,1};
    (void)args;
    switch (id) {
    case 0: return put(out, CLOSURE, sizeof CLOSURE);
    case 1: return put(out, OBJECT, sizeof OBJECT);
    default: return put(out, STREAM, sizeof STREAM);
    }
}

void ferryman_box_free(FerryBox *box) {
    if (box == NULL) return;
    free(box->ptr);
    box->ptr = NULL; box->len = 0; box->cap = 0;
}
`

// buildBareLibrary compiles onlyRequiredSymbols with the C compiler cgo uses.
func buildBareLibrary(t *testing.T) *ferryman.Library {
	t.Helper()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		t.Skipf("no C compiler (%s) to build a bare library: %v", cc, err)
	}
	dir := t.TempDir()
	src, so := filepath.Join(dir, "bare.c"), filepath.Join(dir, "libbare.so")
	if err := os.WriteFile(src, []byte(onlyRequiredSymbols), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-shared", "-fPIC", "-o", so, src).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cc, err, out)
	}
	bare, err := ferryman.Load(so)
	if err != nil {
		t.Fatal(err)
	}
	return bare
}

// A library without the optional closure, object and stream symbols may
// still hand out closures, objects and streams: using one is an error
// naming the missing symbol, and releasing one (also by a finalizer) does
// nothing, never a call through NULL (spec/abi.md: "a missing optional
// symbol [is] 'this library does not offer that'").
func TestALibraryWithoutTheOptionalSymbols(t *testing.T) {
	bare := buildBareLibrary(t)
	var be *ferryman.BridgeError

	c, err := ferryman.Call[*ferryman.Closure](bare, "closure")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(); !errors.As(err, &be) || be.Kind != "no_function" || !strings.Contains(be.Message, "ferryman_closure_call") {
		t.Fatalf("calling a closure: %v", err)
	}
	c.Release()

	o, err := ferryman.Call[*ferryman.Object](bare, "object")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); !errors.As(err, &be) || !strings.Contains(be.Message, "ferryman_object_release") {
		t.Fatalf("closing an object: %v", err)
	}

	// Forgotten ones: their finalizers run.
	for i := 0; i < 3; i++ {
		if _, err := bare.Call("closure"); err != nil {
			t.Fatal(err)
		}
		if _, err := bare.Call("object"); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}

	// A stream that cannot be pulled gives its error once and ends, so a
	// range over All that goes on after an error ends too.
	s, err := ferryman.Call[*ferryman.Stream](bare, "stream")
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for item, err := range s.All() {
		if item != nil || len(errs) == 10 {
			break
		}
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.As(errs[0], &be) || !strings.Contains(be.Message, "ferryman_stream_next") {
		t.Fatalf("ranging over an unpullable stream: %v", errs)
	}
	if _, ok, err := s.Next(); ok || err != nil {
		t.Fatalf("Next after the failure: %v, %v", ok, err)
	}
}
