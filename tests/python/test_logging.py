"""Rust logs in ``logging`` (``spec/abi.md``, "Logs"): the fixture's
``log`` and ``tracing`` records (tests/fixture/src/logs.rs) become records of
the logger named after their Rust target, with level, message, file, line and
thread; a disabled level is not even sent (the library's cached maximum); a
failing handler does not fail the call."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from conftest import source_line

import ferryman
from ferryman._logs import logger_name

LOGGER = "ferryman_fixture"


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog, with the fixture's root logger at INFO (and restored after)."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    yield caplog


def mine(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(LOGGER)]


def test_each_record_names_its_rust_target_level_file_and_line(lib, records) -> None:
    lib.log_each_level("hello")
    got = mine(records)
    assert [(r.name, r.levelno, r.getMessage()) for r in got] == [
        ("ferryman_fixture.logs", logging.ERROR, "error: hello"),
        ("ferryman_fixture.logs", logging.WARNING, "warn: hello"),
        ("ferryman_fixture.logs", logging.INFO, "info: hello"),
    ]
    info = got[2]
    assert info.pathname == "tests/fixture/src/logs.rs"
    assert info.filename == "logs.rs"
    assert info.lineno == source_line("logs.rs", 'log::info!("info: {message}")')
    assert info.rust_target == "ferryman_fixture::logs"
    # Logged on the calling thread: Python's own ident and name.
    assert info.thread == threading.get_ident()
    assert info.threadName == threading.current_thread().name
    formatted = logging.Formatter("%(name)s %(levelname)s %(filename)s:%(lineno)d %(message)s").format(info)
    assert formatted == f"ferryman_fixture.logs INFO logs.rs:{info.lineno} info: hello"


def test_trace_is_a_level_below_debug_named_trace(lib, caplog) -> None:
    assert ferryman.TRACE == 5 < logging.DEBUG
    assert logging.getLevelName(ferryman.TRACE) == "TRACE"
    caplog.set_level(ferryman.TRACE, logger=LOGGER)
    assert lib.log_max_level() == 5
    lib.log_each_level("all")
    got = mine(caplog)
    assert [r.levelname for r in got] == ["ERROR", "WARNING", "INFO", "DEBUG", "TRACE"]
    assert got[-1].levelno == ferryman.TRACE


def test_a_disabled_level_is_not_sent(lib, caplog) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # The library's cached maximum follows `setLevel`: info, debug and trace
    # records are not even built in Rust.
    assert lib.log_max_level() == 2
    lib.log_each_level("quiet")
    assert [r.levelname for r in mine(caplog)] == ["ERROR", "WARNING"]
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    assert lib.log_max_level() == 4


def test_logging_disable_turns_the_library_off(lib, records) -> None:
    logging.disable(logging.CRITICAL)
    try:
        assert lib.log_max_level() == 0
        lib.log_each_level("nothing")
        assert mine(records) == []
    finally:
        logging.disable(logging.NOTSET)
    assert lib.log_max_level() == 3


def test_the_most_verbose_logger_under_the_library_sets_the_maximum(lib, caplog) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    caplog.set_level(logging.DEBUG, logger="ferryman_fixture.logs")
    assert lib.log_max_level() == 4
    lib.log_each_level("fine")
    assert [r.levelname for r in mine(caplog)] == ["ERROR", "WARNING", "INFO", "DEBUG"]
    # A record the maximum lets through but its own logger does not want is
    # dropped by the host: `audit` stays at WARNING.
    caplog.set_level(logging.ERROR, logger="ferryman_fixture.audit")
    lib.log_with_target("audit", "not wanted")
    assert "not wanted" not in [r.getMessage() for r in caplog.records]


def test_levels_set_without_logging_api_sync_on_request(lib, records) -> None:
    logger = logging.getLogger(LOGGER)
    saved = logger.level
    try:
        logger.level = logging.DEBUG  # no `_clear_cache`: the library does not know yet
        assert lib.log_max_level() == 3
        ferryman.sync_log_levels()
        assert lib.log_max_level() == 4
    finally:
        logger.level = saved
        ferryman.sync_log_levels()


def test_a_record_from_a_rust_thread_names_that_thread(lib, records) -> None:
    lib.log_from_thread("worker")
    (record,) = mine(records)
    assert record.getMessage() == "from a thread: worker"
    assert record.threadName == "fixture-logger"
    assert record.thread != threading.get_ident()


def test_records_from_rust_threads_while_python_threads_call(lib, records) -> None:
    # Several Python threads at once: each call releases the GIL while its
    # Rust thread logs (and takes the GIL to deliver the record).
    def work(k: int) -> None:
        for i in range(5):
            lib.log_from_thread(f"{k}-{i}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = sorted(r.getMessage() for r in mine(records))
    assert messages == sorted(f"from a thread: {k}-{i}" for k in range(4) for i in range(5))


def test_targets_outside_the_crate_go_under_the_library(lib, records) -> None:
    lib.log_with_target("audit", "a")
    lib.log_with_target("ferryman_fixture::deep::inner", "b")
    lib.log_with_target("hyper::client", "c")
    assert [(r.name, r.getMessage()) for r in mine(records)] == [
        ("ferryman_fixture.audit", "a"),
        ("ferryman_fixture.deep.inner", "b"),
        ("ferryman_fixture.hyper.client", "c"),
    ]


def test_logger_name() -> None:
    assert logger_name("textkit", "textkit::tokenizer") == "textkit.tokenizer"
    assert logger_name("textkit", "textkit") == "textkit"
    assert logger_name("textkit", "textkit_extra::x") == "textkit.textkit_extra.x"
    assert logger_name("textkit", "") == "textkit"


def test_tracing_spans_and_events_arrive(lib, records) -> None:
    lib.trace_event("traced")
    got = [(r.name, r.levelname, r.getMessage()) for r in mine(records)]
    assert got == [
        ("ferryman_fixture.logs", "INFO", "fixture_span; size=6"),
        ("ferryman_fixture.logs", "INFO", "tracing: traced size=6"),
    ]
    event = mine(records)[1]
    assert event.lineno == source_line("logs.rs", 'tracing::info!(size = message.len(), "tracing: {message}")')


class Raising(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        raise RuntimeError("handler broke")


def test_a_raising_handler_does_not_fail_the_call(lib, records, capsys) -> None:
    logger = logging.getLogger(LOGGER)
    handler = Raising()
    logger.addHandler(handler)
    try:
        lib.log_each_level("boom")
        lib.log_from_thread("boom")
        assert lib.add(1, 2) == 3
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "--- Logging error" in err
    assert "RuntimeError: handler broke" in err


def test_the_library_says_it_is_sending(lib) -> None:
    assert lib._log_answer == "sending"


def test_a_call_that_keeps_the_gil_gets_its_threads_records_when_it_returns(fixture_file) -> None:
    # A fresh single-threaded interpreter holding no callables: calls keep the
    # GIL, so the Rust thread's record is queued (waiting for the GIL would
    # deadlock with the call joining that thread) and delivered as the call
    # returns, before the next statement runs.
    script = f"""
import logging, threading, ferryman
seen = []
class Keep(logging.Handler):
    def emit(self, record):
        seen.append((record.threadName, record.getMessage()))
logging.getLogger("ferryman_fixture").addHandler(Keep())
logging.getLogger("ferryman_fixture").setLevel(logging.INFO)
lib = ferryman.load({str(fixture_file)!r})
assert threading.active_count() == 1 and ferryman._native.live_host_objects() == 0
lib.log_from_thread("kept")
assert seen == [("fixture-logger", "from a thread: kept")], seen
lib.log_each_level("main")
assert [m for _, m in seen[1:]] == ["error: main", "warn: main", "info: main"], seen
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_records_from_a_rust_thread_arrive_while_python_runs_no_call(fixture_file) -> None:
    # No call returns to deliver them: the delivery thread takes the GIL, in a
    # single-threaded interpreter whose calls keep the GIL, and in order.
    script = f"""
import logging, threading, time, ferryman
seen = []
class Keep(logging.Handler):
    def emit(self, record):
        seen.append((record.threadName, record.getMessage()))
logging.getLogger("ferryman_fixture").addHandler(Keep())
logging.getLogger("ferryman_fixture").setLevel(logging.INFO)
lib = ferryman.load({str(fixture_file)!r})
assert threading.active_count() == 1 and ferryman._native.live_host_objects() == 0
lib.log_later("idle", 50, 50)
deadline = time.monotonic() + 30
while len(seen) < 50 and time.monotonic() < deadline:
    sum(range(1000))
want = [("fixture-logger", f"later {{i}}: idle") for i in range(50)]
assert seen == want, seen
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_records_from_a_rust_thread_keep_their_order_while_calls_run(lib, records) -> None:
    # Calls end (and deliver) on this thread while the delivery thread
    # delivers too: one of them at a time, oldest first.
    lib.log_later("busy", 200, 0)
    deadline = time.monotonic() + 30
    while len(mine(records)) < 200 and time.monotonic() < deadline:
        lib.add_logged(1, 2)
    messages = [r.getMessage() for r in mine(records) if r.getMessage().startswith("later")]
    assert messages == [f"later {i}: busy" for i in range(200)]


def test_a_handler_that_calls_the_library_again_does_not_wait_for_itself(lib, records) -> None:
    # The handler runs on the delivering thread; its own call ends there and
    # its own record joins the queue behind the ones being delivered.
    class Nested(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("later"):
                lib.log_with_target("ferryman_fixture.nested", "inner " + record.getMessage())

    nested = Nested()
    logging.getLogger(LOGGER).addHandler(nested)
    try:
        lib.log_later("again", 20, 0)
        deadline = time.monotonic() + 30
        while len(mine(records)) < 40 and time.monotonic() < deadline:
            time.sleep(0.001)
    finally:
        logging.getLogger(LOGGER).removeHandler(nested)
    messages = [r.getMessage() for r in mine(records)]
    assert sorted(messages) == sorted(
        [f"later {i}: again" for i in range(20)] + [f"inner later {i}: again" for i in range(20)]
    )
