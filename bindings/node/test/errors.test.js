'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { ferryman, lib, fixturePath } = require('./fixture');

test('a Rust Err throws its per-type class with message, variant and fields', () => {
  assert.throws(() => lib.checked_add(2 ** 53 - 1, 2n ** 63n - 1n), (error) => {
    assert.ok(error instanceof lib.errors.MathError);
    assert.ok(error instanceof ferryman.RustError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'MathError');
    assert.equal(error.kind, 'error');
    assert.equal(error.variant, 'Overflow');
    assert.equal(error.rustType, 'ferryman_fixture::errors::MathError');
    assert.deepEqual(error.fields, { left: 2 ** 53 - 1, right: 2n ** 63n - 1n });
    assert.equal(error.left, 2 ** 53 - 1);
    assert.equal(error.function, 'checked_add');
    return true;
  });
  assert.throws(() => lib.integer_sqrt(-4), (error) => {
    assert.equal(error.message, 'negative input: -4');
    assert.deepEqual(error.fields, { 0: -4 });
    return true;
  });
});

test('the Rust frames follow the JS frames in err.stack, in V8 format', () => {
  let error;
  try {
    lib.divide(1, 0);
  } catch (e) {
    error = e;
  }
  const lines = error.stack.split('\n');
  assert.equal(lines[0], 'MathError: division by zero');
  assert.match(lines[1], /errors\.test\.js:\d+:\d+/, 'the first frame is the caller in JS');
  assert.match(lines.at(-1), /^ {4}at divide \(tests\/fixture\/src\/errors\.rs:\d+:\d+\)$/);
  assert.deepEqual(Object.keys(error.frames[0]).sort(), ['column', 'file', 'function', 'language', 'line']);
  assert.equal(error.frames[0].function, 'divide');
  assert.equal(error.frames[0].language, 'rust');
});

test('the source() chain is the ES2022 cause chain, each a RustError', () => {
  assert.throws(() => lib.load_config('app', 'x'), (error) => {
    assert.ok(error instanceof lib.errors.ConfigError);
    assert.equal(error.message, 'could not load config `app`');
    assert.ok(error.cause instanceof ferryman.RustError);
    assert.equal(error.cause.message, 'line 1 is not a number');
    assert.ok(error.cause.cause instanceof ferryman.RustError);
    assert.equal(error.cause.cause.message, 'invalid digit found in string');
    assert.equal(error.cause.cause.cause, undefined);
    return true;
  });
});

test('a panic throws RustPanic whose stack ends at the panic line', () => {
  assert.throws(() => lib.panic_now('oops'), (error) => {
    assert.ok(error instanceof ferryman.RustPanic);
    assert.equal(error.message, 'oops');
    assert.equal(error.kind, 'panic');
    const last = error.stack.split('\n').at(-1);
    assert.match(last, /^ {4}at panic_now \(.*tests\/fixture\/src\/panics\.rs:\d+:\d+\)$/);
    return true;
  });
});

test('wrong arity, type and overflow: ArgumentError from the library, naming the parameter', () => {
  assert.throws(() => lib.add(1), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.equal(error.kind, 'arity');
    assert.match(error.message, /`add\(\)` takes 2 arguments \(a, b\) but was given 1 argument/);
    return true;
  });
  assert.throws(() => lib.add('x', 2), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.equal(error.kind, 'type');
    assert.equal(error.param, 'a');
    assert.equal(error.index, 0);
    assert.equal(error.expected, 'i64');
    return true;
  });
  assert.throws(() => lib.add(1.5, 2), { name: 'ArgumentError', message: /argument `a`: expected i64, but found floating point 1.5/ });
  assert.throws(() => lib.echo_u8(256), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.equal(error.kind, 'overflow');
    assert.equal(error.param, 'value');
    return true;
  });
  assert.throws(() => lib.echo_i64(2n ** 64n), { name: 'ArgumentError', message: /out of range/ });
  assert.throws(() => lib.echo_u64(-1), { name: 'ArgumentError' });
});

test('a library that is not ours: LoadError with the reason', () => {
  const libc = '/lib/x86_64-linux-gnu/libc.so.6';
  assert.throws(() => ferryman.load(libc), (error) => {
    assert.ok(error instanceof ferryman.LoadError);
    assert.match(error.message, /is not a ferryman library: it does not export `ferryman_abi_version`/);
    return true;
  });
  assert.throws(() => ferryman.load(path.join(path.dirname(fixturePath), 'no-such-lib.so')), {
    name: 'LoadError',
    message: /cannot load .*no-such-lib\.so/,
  });
});

test('lib.errors: one class per Rust type; a short name several types share gives way to qualified names', () => {
  const BOXED = 'alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>';
  const cases = [
    [() => lib.os_failure(2), 'std_io_error_Error', 'std::io::error::Error'],
    [() => lib.pick_failure(0), 'alloc_boxed_Box_dyn_core_error_Error_core_marker_Send_core_marker_Sync', BOXED],
    [() => lib.boxed_local_failure(true), 'alloc_boxed_Box_dyn_core_error_Error', 'alloc::boxed::Box<dyn core::error::Error>'],
    [() => lib.divide(1, 0), 'MathError', 'ferryman_fixture::errors::MathError'],
  ];
  const seen = new Set();
  for (const [fail, name, rustType] of cases) {
    const cls = lib.errors[name];
    assert.equal(cls.name, name);
    assert.equal(lib.errors[rustType], cls);
    assert.ok(!seen.has(cls));
    seen.add(cls);
    assert.throws(fail, (error) => {
      assert.ok(error instanceof cls);
      assert.ok(error instanceof ferryman.RustError);
      assert.equal(error.name, name);
      assert.equal(error.type, name === 'MathError' ? 'MathError' : 'Error');
      assert.equal(error.rustType, rustType);
      assert.ok(error.stack.startsWith(`${name}: `));
      return true;
    });
  }
  // A unique short name's class is also there by its qualified name (not enumerable).
  assert.equal(lib.errors.ferryman_fixture_errors_MathError, lib.errors.MathError);
  assert.ok(Object.keys(lib.errors).includes('MathError'));
  assert.ok(!Object.keys(lib.errors).includes('ferryman_fixture_errors_MathError'));
  assert.ok(!Object.keys(lib.errors).includes('std::io::error::Error'));
  // `Error` alone does not say which: a TypeError naming the spellings that do.
  assert.throws(() => lib.errors.Error, (error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /3 error types are named 'Error'/);
    assert.match(error.message, /lib\.errors\.std_io_error_Error or lib\.errors\["std::io::error::Error"\]/);
    return true;
  });
  assert.equal(lib.errors.NoSuchType, undefined);
  assert.throws(() => { lib.errors.MathError = class {}; }, TypeError);
});

test('a type first seen when raised takes its short name only if no other type has it', () => {
  const { makeErrorNamespace, qualifiedName } = require('../error_classes');
  const { errors, classFor } = makeErrorNamespace(ferryman.RustError, [
    { name: 'Oops', rust: 'a::Oops' },
    { name: 'Oops', rust: 'a::Oops' },
  ]);
  assert.deepEqual(Object.keys(errors), ['Oops']);
  const other = classFor('Oops', 'b::Oops');
  assert.equal(other.name, 'b_Oops');
  assert.equal(errors.Oops, classFor('Oops', 'a::Oops'), 'what a short name means never changes');
  assert.equal(errors['b::Oops'], other);
  const fresh = classFor('Fresh', 'c::Fresh');
  assert.equal(fresh.name, 'Fresh');
  assert.equal(classFor('Fresh', 'c::Fresh'), fresh);
  // A cause link (no Rust type) gets the class its short name stands for, else the base.
  assert.equal(classFor('Fresh'), fresh);
  assert.equal(classFor(null), ferryman.RustError);
  assert.equal(qualifiedName('Box<dyn Error + Send>'), 'Box_dyn_Error_Send');
  assert.equal(qualifiedName('9lives'), '_9lives');
});

test('an extra argument is the arity error, whatever it is', () => {
  for (const extra of [3, Symbol('s'), new Set(), () => 1]) {
    assert.throws(() => lib.add(1, 2, extra), (error) => {
      assert.ok(error instanceof ferryman.ArgumentError);
      assert.equal(error.kind, 'arity');
      assert.match(error.message, /`add\(\)` takes 2 arguments \(a, b\) but was given 3 arguments/);
      return true;
    });
  }
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('release() and load() name their parameter when given nothing usable', () => {
  for (const value of [undefined, null, 1, 'f']) {
    assert.throws(() => ferryman.release(value), { name: 'TypeError', message: /ferryman\.release\(closure\): `closure` must be/ });
  }
  assert.throws(() => ferryman.release(), { name: 'TypeError', message: /`closure` must be a closure the library returned, but got undefined/ });
  assert.equal(ferryman.release({}), false);
  assert.equal(ferryman.release(() => 1), false);
  assert.throws(() => ferryman.load(), { name: 'TypeError', message: /ferryman\.load\(path\): `path` must be the path of a library, but got undefined/ });
  assert.throws(() => ferryman.load(''), { name: 'TypeError', message: /`path` must be the path of a library, but got ''/ });
});
