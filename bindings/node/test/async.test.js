'use strict';
// Async functions and streams (spec/abi.md, "Futures" and "Streams"): async
// exports return Promises, settled on the JS thread when the library's
// completion comes; streams are async iterators pulled in batches. Runs the
// fixture's tests/fixture/src/async_fns.rs and streams.rs.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ferryman, lib, fixturePath, collectUntil } = require('./fixture');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds, polling the event loop. */
async function until(done, ms = 2000) {
  for (let waited = 0; waited < ms && !done(); waited += 10) await sleep(10);
  return done();
}

test('an async function ready at its first poll still returns a Promise', async () => {
  const result = lib.async_add(2, 3);
  assert.ok(result instanceof Promise);
  assert.equal(await result, 5);
});

test('a pending async function is awaited: its value comes from the completion', async () => {
  const started = Date.now();
  const result = lib.async_sleep(30, 'late');
  assert.ok(result instanceof Promise);
  assert.equal(await result, 'late');
  assert.ok(Date.now() - started >= 25, 'it waited for the Rust timer');
});

test('1,000 concurrent awaits each get their own value', async () => {
  const calls = Array.from({ length: 1000 }, (_, i) => lib.async_sleep(i % 25, `v${i}`));
  const values = await Promise.all(calls);
  assert.deepEqual(values, Array.from({ length: 1000 }, (_, i) => `v${i}`));
  assert.deepEqual(lib.liveFutures(), []);
});

test('an Err of an async function rejects with its error class', async () => {
  await assert.rejects(lib.async_fail(5), (error) => {
    assert.ok(error instanceof lib.errors.AsyncError);
    assert.ok(error instanceof ferryman.RustError);
    assert.equal(error.message, 'failed after 5 ms');
    assert.equal(error.variant, 'Late');
    assert.equal(error.function, 'async_fail');
    return true;
  });
  // Ready at once (0 ms still sleeps once), the same rejection.
  await assert.rejects(lib.async_fail(0), lib.errors.AsyncError);
});

test('a panic inside an async function rejects with RustPanic', async () => {
  await assert.rejects(lib.async_panic(5), (error) => {
    assert.ok(error instanceof ferryman.RustPanic);
    assert.match(error.message, /async panic after 5 ms/);
    return true;
  });
});

test('a bad argument to an async function rejects (it does not throw)', async () => {
  let promise;
  assert.doesNotThrow(() => { promise = lib.async_sleep('soon', 'x'); });
  await assert.rejects(promise, ferryman.ArgumentError);
});

test('async methods of classes return Promises', async () => {
  const counter = new lib.AsyncCounter(10);
  const [a, b] = await Promise.all([counter.add_later(10, 1), counter.add_later(5, 2)]);
  // Whichever finishes first adds to 10 (timers on a loaded machine may
  // finish out of order); the second sees both.
  assert.ok([11, 12].includes(Math.min(a, b)), `${a}, ${b}`);
  assert.equal(Math.max(a, b), 13);
  assert.equal(await counter.add_later(0, 4), 17);
  // A method may return a stream too.
  const upcoming = [];
  for await (const item of counter.upcoming(2)) upcoming.push(item);
  assert.deepEqual(upcoming, [18, 19]);
  counter.close();
  await assert.rejects(counter.add_later(0, 1), ferryman.ClosedObjectError);
});

test('an AbortSignal after the arguments cancels the Rust future', async () => {
  const drops = lib.async_drops();
  const controller = new AbortController();
  const started = Date.now();
  const call = lib.async_guarded(10_000, controller.signal);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(call, (error) => error === controller.signal.reason && error.name === 'AbortError');
  assert.ok(Date.now() - started < 5000, 'it did not wait for the Rust timer');
  assert.ok(await until(() => lib.async_drops() === drops + 1), 'the future was dropped');
  // A cancel meeting a poll on a library thread drops the future there, after it.
  assert.ok(await until(() => lib.liveFutures().length === 0), JSON.stringify(lib.liveFutures()));
  // Already aborted: not called at all. Not aborted: the value as usual.
  const aborted = AbortSignal.abort();
  await assert.rejects(lib.async_sleep(1, 'x', aborted), (error) => error === aborted.reason);
  assert.equal(await lib.async_sleep(1, 'kept', new AbortController().signal), 'kept');
  assert.equal(await lib.async_add(1, 2, new AbortController().signal), 3);
  // No signal: \`undefined\` in its place (the .d.ts declares it optional).
  assert.equal(await lib.async_sleep(1, 'none', undefined), 'none');
  assert.equal(await new lib.AsyncCounter(1).add_later(1, 2, undefined), 3);
  const counter = new lib.AsyncCounter(0);
  const method = new AbortController();
  const later = counter.add_later(10_000, 1, method.signal);
  method.abort();
  await assert.rejects(later, (error) => error === method.signal.reason);
  counter.close();
  // A cancel meeting a poll on a library thread drops the future there, after it.
  assert.ok(await until(() => lib.liveFutures().length === 0), JSON.stringify(lib.liveFutures()));
});

test('a pending future keeps the process alive until it settles', () => {
  // A process whose only work is a pending Rust future: without the ref it
  // would exit before the value arrives.
  const script = `
    const ferryman = require(${JSON.stringify(path.join(__dirname, '..'))});
    const lib = ferryman.load(${JSON.stringify(fixturePath)});
    lib.async_sleep(150, 'kept alive').then((value) => console.log(value));
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'kept alive');
});

test('a stream is consumed in full with for await', async () => {
  const stream = lib.stream_count(150);
  assert.ok(stream instanceof ferryman.RustStream);
  const items = [];
  for await (const item of stream) items.push(item);
  assert.deepEqual(items, Array.from({ length: 150 }, (_, i) => i));
  assert.ok(stream.closed);
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
  const empty = [];
  for await (const item of lib.stream_count(0)) empty.push(item);
  assert.deepEqual(empty, []);
  assert.deepEqual(lib.liveFutures(), []);
});

test('a stream fed by a producer thread: pending nexts wait for it', async () => {
  const items = [];
  for await (const item of lib.ticker(5, 10, 2)) items.push(item);
  assert.deepEqual(items, [0, 1, 2, 3, 4]);
  assert.ok(await until(() => lib.ticker_report()[2]));
  assert.deepEqual(lib.ticker_report(), [5, false, true]);
});

test('break releases the stream: its producer sees the close', async () => {
  const items = [];
  for await (const item of lib.ticker(1000, 5, 1)) {
    items.push(item);
    if (items.length === 3) break;
  }
  assert.deepEqual(items, [0, 1, 2]);
  assert.deepEqual(lib.liveFutures(), []);
  assert.ok(await until(() => lib.ticker_report()[2]), 'the producer ended');
  const [sent, sawClose] = lib.ticker_report();
  assert.equal(sawClose, true);
  assert.ok(sent < 1000, `sent ${sent}`);
});

test('return() during a pending next ends the iteration', async () => {
  const stream = lib.ticker(1000, 200, 1);
  const pending = stream.next();
  await sleep(20);
  await stream.return();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.deepEqual(lib.liveFutures(), []);
  assert.ok(await until(() => lib.ticker_report()[2]));
  assert.equal(lib.ticker_report()[1], true);
});

test('an error item rejects at that item; the stream goes on after it', async () => {
  const stream = lib.count_failing(5, 2);
  const items = [];
  await assert.rejects(
    (async () => { for await (const item of stream) items.push(item); })(),
    (error) => {
      assert.ok(error instanceof lib.errors.BadItem);
      assert.equal(error.message, 'item 2 is bad');
      return true;
    },
  );
  assert.deepEqual(items, [0, 1]);
  // for await does not call return() after a rejected next: the stream is
  // still there, and goes on.
  assert.deepEqual(await stream.next(), { value: 3, done: false });
  await stream.return();
  assert.deepEqual(lib.liveFutures(), []);
});

test('a stream dropped without return() is released by the garbage collector', async () => {
  (() => { lib.stream_count(10); })();
  assert.ok(await collectUntil(() => lib.liveFutures().length === 0));
});

test('nothing is left live: no futures, streams or callbacks', async () => {
  await Promise.all([lib.async_sleep(1, 'a'), lib.async_add(1, 1)]);
  assert.deepEqual(lib.liveFutures(), []);
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('an AsyncCallback parameter is refused with the function and parameter named (no hang)', async () => {
  await assert.rejects(lib.apply_async(async (x) => x + 1, 3), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError, String(error));
    assert.equal(error.function, 'apply_async');
    assert.equal(error.param, 'f');
    assert.match(error.message, /apply_async\(\): parameter `f` is a ferryman::AsyncCallback/);
    return true;
  });
  assert.deepEqual(lib.liveFutures(), []);
});
