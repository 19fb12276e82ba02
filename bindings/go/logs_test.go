package ferryman_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	ferryman "github.com/ferryman-rs/ferryman/bindings/go"
)

// records collects log records from any thread.
type records struct {
	sync.Mutex
	list []ferryman.LogRecord
}

func (r *records) add(rec ferryman.LogRecord) {
	r.Lock()
	defer r.Unlock()
	r.list = append(r.list, rec)
}

func (r *records) take() []ferryman.LogRecord {
	r.Lock()
	defer r.Unlock()
	out := r.list
	r.list = nil
	return out
}

func TestLogs(t *testing.T) {
	var got records
	call(t, "log_each_level", "before")
	if call(t, "log_max_level") != int64(0) {
		t.Fatal("the library logs before a logger is set")
	}
	if err := lib.SetLogger(ferryman.LogInfo, got.add); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lib.SetLogger(ferryman.LogOff, nil) }()
	if call(t, "log_max_level") != int64(3) {
		t.Fatalf("log_max_level after SetLogger(LogInfo): %v", call(t, "log_max_level"))
	}
	call(t, "log_each_level", "x")
	recs := got.take()
	if len(recs) != 3 || recs[0].Level != ferryman.LogError || recs[2].Level != ferryman.LogInfo ||
		recs[2].Message != "info: x" || recs[2].Target != "ferryman_fixture::logs" ||
		recs[2].File != "tests/fixture/src/logs.rs" || recs[2].Line != fixtureLine(t, "logs.rs", `log::info!("info: {message}")`) {
		t.Fatalf("records at info: %+v", recs)
	}
	// From a Rust thread, and from one that logs while no call runs.
	call(t, "log_from_thread", "t")
	if recs := got.take(); len(recs) != 1 || recs[0].Thread != "fixture-logger" || recs[0].Message != "from a thread: t" {
		t.Fatalf("record from a thread: %+v", recs)
	}
	call(t, "log_later", "l", 3, 1)
	deadline := time.Now().Add(5 * time.Second)
	var later []ferryman.LogRecord
	for len(later) < 3 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
		later = append(later, got.take()...)
	}
	if len(later) != 3 || later[2].Message != "later 2: l" {
		t.Fatalf("records while no call runs: %+v", later)
	}
	if err := lib.SetLogLevel(ferryman.LogTrace); err != nil {
		t.Fatal(err)
	}
	call(t, "log_each_level", "all")
	if recs := got.take(); len(recs) != 5 || recs[4].Level != ferryman.LogTrace {
		t.Fatalf("records at trace: %+v", recs)
	}
	call(t, "log_with_target", "app::custom", "m")
	if recs := got.take(); len(recs) != 1 || recs[0].Target != "app::custom" || recs[0].Level != ferryman.LogWarn {
		t.Fatalf("record with a target: %+v", recs)
	}
	if err := lib.SetLogLevel(ferryman.LogLevel(6)); err == nil {
		t.Fatal("SetLogLevel(6) did not fail")
	}
	// Disconnecting drops the library's reference to the handler.
	if err := lib.SetLogger(ferryman.LogOff, nil); err != nil {
		t.Fatal(err)
	}
	call(t, "log_each_level", "off")
	if recs := got.take(); len(recs) != 0 || ferryman.LiveHostObjects() != 0 {
		t.Fatalf("after disconnecting: %d records, %d host objects live", len(recs), ferryman.LiveHostObjects())
	}
}

func TestSlogHandler(t *testing.T) {
	var out bytes.Buffer
	h := slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn})
	if err := lib.SetLogger(ferryman.LogTrace, ferryman.SlogHandler(h)); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lib.SetLogger(ferryman.LogOff, nil) }()
	call(t, "log_each_level", "s")
	text := out.String()
	if !strings.Contains(text, `level=ERROR msg="error: s" target=ferryman_fixture.logs file=tests/fixture/src/logs.rs`) ||
		!strings.Contains(text, `level=WARN msg="warn: s"`) || strings.Contains(text, "info: s") {
		t.Fatalf("slog output:\n%s", text)
	}
}
