package ferryman

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// A library's Rust log records (spec/abi.md, "Logs"; spec/wire.md, "Log
// records"), delivered to a Go func on the thread that logged.

// LogLevel is a Rust log level; as a maximum, LogOff sends nothing.
type LogLevel uint32

const (
	LogOff LogLevel = iota
	LogError
	LogWarn
	LogInfo
	LogDebug
	LogTrace
)

func (l LogLevel) String() string {
	switch l {
	case LogOff:
		return "off"
	case LogError:
		return "error"
	case LogWarn:
		return "warn"
	case LogInfo:
		return "info"
	case LogDebug:
		return "debug"
	case LogTrace:
		return "trace"
	}
	return fmt.Sprintf("LogLevel(%d)", uint32(l))
}

// LogRecord is one Rust log record. Target is the Rust module path that
// logged unless the macro named another; Thread is empty for an unnamed
// Rust thread; File and Line are the call site, when known.
type LogRecord struct {
	Level    LogLevel `msgpack:"level"`
	Target   string   `msgpack:"target"`
	Message  string   `msgpack:"message"`
	Module   string   `msgpack:"module"`
	File     string   `msgpack:"file"`
	Line     int      `msgpack:"line"`
	Thread   string   `msgpack:"thread"`
	ThreadID uint64   `msgpack:"thread_id"`
}

// SetLogger sends the library's log records up to max to handler, which is
// called on the thread that logged (a Rust thread, also while no call
// runs), so it must be safe for concurrent use; a panic in it is recovered
// and the record dropped. A nil handler or LogOff disconnects. It replaces
// the library's earlier connection, from this host or another.
func (l *Library) SetLogger(max LogLevel, handler func(LogRecord)) error {
	if l.sym.logConnect == nil || l.sym.logLevel == nil {
		return &BridgeError{Kind: "no_function", Function: "ferryman_log_connect", Message: l.handshake.Library + " sends no logs (it has no ferryman_log_connect)"}
	}
	if max > LogTrace {
		return fmt.Errorf("SetLogger: %v is not a log level", max)
	}
	hostID, err := l.host()
	if err != nil {
		return err
	}
	if handler == nil || max == LogOff {
		if l.sym.connectLog(hostID, 0, 0) != 0 {
			return &BridgeError{Kind: "internal", Function: "ferryman_log_connect", Message: "the library refused to disconnect its logs"}
		}
		return nil
	}
	h := hostNew(handler)
	status := l.sym.connectLog(hostID, h, uint32(max))
	hostRelease(h) // on success the library retained its own reference
	switch status {
	case 0:
		return nil
	case 1:
		return &BridgeError{Kind: "internal", Function: "ferryman_log_connect", Message: l.handshake.Library + " sends no log records (built without ferryman's log feature, or it installed a logger of its own)"}
	}
	return &BridgeError{Kind: "internal", Function: "ferryman_log_connect", Message: fmt.Sprintf("ferryman_log_connect failed with status %d", status)}
}

// SetLogLevel changes the most verbose level the library sends to the
// connected logger: records above it are not even built.
func (l *Library) SetLogLevel(max LogLevel) error {
	if l.sym.logLevel == nil {
		return &BridgeError{Kind: "no_function", Function: "ferryman_log_level", Message: l.handshake.Library + " sends no logs (it has no ferryman_log_level)"}
	}
	if max > LogTrace || l.sym.setLogLevel(uint32(max)) != 0 {
		return fmt.Errorf("SetLogLevel: %v is not a log level", max)
	}
	return nil
}

// SlogLevel is the log/slog level of a Rust level: trace is below debug.
func SlogLevel(l LogLevel) slog.Level {
	switch l {
	case LogError:
		return slog.LevelError
	case LogWarn:
		return slog.LevelWarn
	case LogInfo:
		return slog.LevelInfo
	case LogDebug:
		return slog.LevelDebug
	}
	return slog.LevelDebug - 4
}

// SlogHandler is a handler for SetLogger that writes each record to a
// log/slog handler, with its target (Rust's `::` as `.`), file, line and
// thread as attributes.
func SlogHandler(h slog.Handler) func(LogRecord) {
	return func(r LogRecord) {
		level := SlogLevel(r.Level)
		if !h.Enabled(context.Background(), level) {
			return
		}
		rec := slog.NewRecord(time.Now(), level, r.Message, 0)
		rec.AddAttrs(slog.String("target", strings.ReplaceAll(r.Target, "::", ".")))
		if r.File != "" {
			rec.AddAttrs(slog.String("file", r.File), slog.Int("line", r.Line))
		}
		if r.Thread != "" {
			rec.AddAttrs(slog.String("thread", r.Thread))
		}
		_ = h.Handle(context.Background(), rec)
	}
}
