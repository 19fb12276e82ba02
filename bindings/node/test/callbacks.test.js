'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib } = require('./fixture');

test('a JS function is a Callback parameter', () => {
  assert.equal(lib.apply((x) => x * 10, 4), 40);
  assert.deepEqual(lib.map_values([1, 2, 3], (x) => x + 1), [2, 3, 4]);
  const seen = [];
  assert.equal(lib.for_each_value([5, 6], (x) => { seen.push(x); }), 2);
  assert.deepEqual(seen, [5, 6]);
  assert.deepEqual(lib.list_from_callback(() => [1, 2]), [1, 2]);
  assert.equal(ferryman.liveCallbacks(), 0, 'released when the call returns');
});

test('callbacks from Rust threads while the JS thread waits in the call', () => {
  const threads = new Set();
  assert.equal(lib.call_from_threads((x) => { threads.add(x); return x * 2; }, 8), 2 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7));
  assert.equal(threads.size, 8);
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('a stored callback is held until Rust drops it, on any thread', () => {
  lib.store_callback((text) => `${text}!`);
  assert.equal(ferryman.liveCallbacks(), 1);
  assert.equal(lib.call_stored('hi'), 'hi!');
  assert.equal(lib.call_stored_on_thread('yo'), 'yo!');
  assert.equal(lib.drop_stored_on_thread(), true);
  assert.equal(ferryman.liveCallbacks(), 0);
  lib.store_callback((text) => text);
  assert.equal(lib.drop_stored(), true);
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('a JS exception thrown in a callback comes out of the Rust call as the same object', () => {
  const boom = new RangeError('boom');
  assert.throws(() => lib.apply(() => { throw boom; }, 1), (error) => error === boom);
  const thrown = { not: 'an Error' };
  assert.throws(() => lib.call_from_threads(() => { throw thrown; }, 3), (error) => error === thrown);
  // Kept by Rust past the call, and thrown by a later call.
  const kept = new Error('kept');
  assert.equal(lib.keep_error_of(() => { throw kept; }, 1), true);
  assert.throws(() => lib.take_kept_error(), (error) => error === kept);
  assert.equal(lib.count_successes((x) => { if (x % 2) throw new Error('odd'); return x; }, 4), 2);
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('a callback error wrapped in a Rust error is its cause', () => {
  const boom = new Error('inner');
  assert.throws(() => lib.apply_wrapped(() => { throw boom; }, 7), (error) => {
    assert.ok(error instanceof ferryman.RustError);
    assert.equal(error.message, 'the callback failed while processing 7');
    assert.equal(error.cause, boom);
    return true;
  });
});

test('a panic while handling a callback error', () => {
  assert.throws(() => lib.apply_or_panic(() => { throw new Error('no'); }, 1), ferryman.RustPanic);
});

test('a callback result with no wire form fails inside the callback as ArgumentError', () => {
  assert.throws(() => lib.apply(() => Symbol('x'), 1), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.match(error.message, /found a symbol/);
    return true;
  });
  assert.throws(() => lib.apply(() => 'text', 1), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    // The message names the call the callback answered (spec/callbacks.md).
    assert.equal(
      error.message,
      '`apply()`: a callback returned a value of the wrong type: expected i64, but found string "text"',
    );
    return true;
  });
  // A Rust closure's call is named after the function that made it.
  assert.throws(() => lib.applying_closure()(() => 'text', 1), {
    name: 'ArgumentError',
    message: "`applying_closure()`'s closure: a callback returned a value of the wrong type: "
      + 'expected i64, but found string "text"',
  });
});

test('callables inside callbacks and back', () => {
  assert.equal(lib.apply_with_doubler((double, x) => double(x) + 1, 5), 11);
  const inner = (x) => x * 3;
  assert.equal(lib.apply_passing((f, x) => { assert.equal(f, inner); return f(x); }, inner, 2), 6);
  const f = (x) => x + 100;
  assert.equal(lib.identity_callback(f), f);
  assert.equal(lib.compose_apply(lib.adder(1), (x) => x * 2, 3), 8);
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('re-entering the library from a callback', () => {
  assert.equal(lib.apply((x) => lib.add(x, lib.apply((y) => y * 2, x)), 3), 9);
});

test('calls from callbacks that Rust threads make run on those threads', () => {
  // Each nested call runs on the thread that called back (crossing.rs).
  assert.equal(lib.call_from_threads((x) => lib.add(x, lib.apply((y) => y * 2, x)), 8), 3 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7));
  lib.store_callback((text) => `${lib.add(text.length, 1)}`);
  try {
    assert.equal(lib.call_stored_on_thread('abc'), '4');
    assert.equal(lib.call_stored('abcd'), '5');
  } finally {
    lib.drop_stored();
  }
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('a primitive thrown in a callback comes out of the Rust call as the same value', () => {
  for (const value of ['str', 42, 7n, true, null, undefined, Symbol('s')]) {
    assert.throws(() => lib.apply(() => { throw value; }, 1), (error) => error === value);
    assert.throws(() => lib.call_from_threads(() => { throw value; }, 2), (error) => error === value);
    assert.throws(() => lib.apply_wrapped(() => { throw value; }, 7), (error) => {
      assert.ok(error instanceof ferryman.RustError);
      assert.ok('cause' in error);
      return error.cause === value;
    });
  }
  assert.equal(ferryman.liveCallbacks(), 0);
});
