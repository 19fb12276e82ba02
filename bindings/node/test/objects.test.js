'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib, collectUntil } = require('./fixture');

test('exported classes are JS classes: new, methods, statics, protocols', () => {
  const counter = new lib.Counter('a', 3);
  assert.ok(counter instanceof lib.Counter);
  assert.ok(counter instanceof ferryman.RustObject);
  assert.equal(counter.value(), 3);
  assert.equal(counter.add(2), 5);
  assert.equal(counter.name(), 'a');
  counter.rename('b');
  assert.equal(String(counter), 'Counter(b=5)');
  assert.match(require('node:util').inspect(counter), /Counter/, 'debug through util.inspect');
  assert.equal(counter.compareTo(new lib.Counter('z', 9)), -1);
  assert.equal(lib.Counter.named('n').name(), 'n');
  assert.throws(() => lib.Counter.named(''), lib.errors.CounterError);
  const other = new lib.Counter('b', 5);
  assert.equal(counter.equals(other), true);
  assert.equal(counter.hashCode(), other.hashCode(), 'a u64: a number or a BigInt by the BigInt rule');
  assert.equal(lib.counter_value(counter), 5, 'an object as an argument');
  assert.equal(lib.counter_total([counter, other]), 10);
  const copy = counter.clone_counter();
  assert.ok(copy instanceof lib.Counter);
  assert.equal(lib.maybe_counter(false), null);
  assert.ok(lib.maybe_counter(true) instanceof lib.Counter);
  assert.throws(() => counter.fail('bad'), lib.errors.CounterError);
  assert.throws(() => counter.boom(), ferryman.RustPanic);
});

test('close() and Symbol.dispose release the object; then ClosedObjectError', () => {
  const before = lib.liveObjects().Counter || 0;
  const counter = new lib.Counter('c', 1);
  assert.equal(lib.liveObjects().Counter, before + 1);
  counter.close();
  assert.equal(counter.closed, true);
  assert.equal(lib.liveObjects().Counter || 0, before);
  assert.throws(() => counter.value(), (error) => {
    assert.ok(error instanceof ferryman.ClosedObjectError);
    assert.match(error.message, /Counter\.value\(\)` argument `self`: this Counter object was closed/);
    return true;
  });
  assert.throws(() => lib.counter_value(counter), ferryman.ClosedObjectError);
  counter.close();
  const disposed = new lib.Counter('d', 1);
  disposed[Symbol.dispose]();
  assert.equal(disposed.closed, true);
  assert.equal(lib.liveObjects().Counter || 0, before);
});

test('every member of a closed object throws the same ClosedObjectError; protocol members by their JS names', () => {
  const util = require('node:util');
  // `call`: the member as JS calls it; `function`: the library's name for it.
  const closedError = (call, fn, param = 'self', cls = 'Counter') => (error) => {
    assert.ok(error instanceof ferryman.ClosedObjectError, String(error));
    assert.equal(error.name, 'ClosedObjectError');
    assert.equal(error.kind, 'closed');
    assert.equal(error.function, fn);
    assert.equal(error.param, param);
    assert.equal(error.message,
      `\`${call}()\` argument \`${param}\`: this ${cls} object was closed (close() or Symbol.dispose)`);
    return true;
  };
  const open = new lib.Counter('o', 1);
  for (const close of [(object) => object.close(), (object) => object[Symbol.dispose]()]) {
    const counter = new lib.Counter('c', 1);
    // Hashed while open; nothing is kept for after close (Python keeps the last hash for sets).
    assert.equal(counter.hashCode(), new lib.Counter('c', 1).hashCode());
    close(counter);
    assert.throws(() => counter.value(), closedError('Counter.value', 'Counter.value'));
    assert.throws(() => counter.hashCode(), closedError('Counter.hashCode', 'Counter.__hash__'));
    assert.throws(() => counter.equals(open), closedError('Counter.equals', 'Counter.__eq__'));
    assert.throws(() => counter.compareTo(open), closedError('Counter.compareTo', 'Counter.__cmp__'));
    assert.throws(() => open.equals(counter), closedError('Counter.equals', 'Counter.__eq__', 'other'));
    assert.throws(() => open.compareTo(counter), closedError('Counter.compareTo', 'Counter.__cmp__', 'other'));
    // Conversions to text never throw (JS makes them unasked): the closed form.
    assert.equal(counter.toString(), 'Counter <closed>');
    assert.equal(String(counter), 'Counter <closed>');
    assert.equal(util.inspect(counter), 'Counter <closed>');
  }
  const vocabulary = new lib.Vocabulary(['x']);
  vocabulary.close();
  assert.throws(() => [...vocabulary],
    closedError('Vocabulary[Symbol.iterator]', 'Vocabulary.__iter__', 'self', 'Vocabulary'));
  assert.throws(() => vocabulary.words(), closedError('Vocabulary.words', 'Vocabulary.words', 'self', 'Vocabulary'));
  assert.equal(open.equals(new lib.Counter('o', 1)), true, 'the open one is untouched');
});

test('objects are released when garbage collected', async () => {
  await collectUntil(() => false, 5); // earlier tests' garbage first
  const before = lib.liveObjects().Counter || 0;
  (() => { for (const c of lib.counters(5)) c.value(); })();
  assert.equal(lib.liveObjects().Counter, before + 5);
  assert.ok(await collectUntil(() => (lib.liveObjects().Counter || 0) === before), 'the GC released them');
});

test('objects in callbacks are the same Rust object', () => {
  const counter = new lib.Counter('e', 10);
  assert.equal(lib.with_counter(counter, (c) => { assert.ok(c instanceof lib.Counter); return c.add(1); }), 11);
  assert.equal(counter.value(), 11);
  assert.equal(lib.counter_in_thread(counter, 4), 15);
  assert.equal(counter.visit((name) => name.length), 1);
  counter.close();
});

test('a method iterator keeps its object and is a JS iterator', () => {
  const vocabulary = new lib.Vocabulary(['x', 'y', 'z']);
  assert.deepEqual([...vocabulary.words()], ['x', 'y', 'z']);
  assert.equal(vocabulary.len(), 3);
  vocabulary.close();
});

test('objects as text: util.inspect, console.log, String, template strings; never a throw', () => {
  const util = require('node:util');
  const shown = (value) => {
    // console.log passes util.inspect its depth, options and inspect: Debug takes none.
    const lines = [];
    const { Console } = require('node:console');
    const { Writable } = require('node:stream');
    const out = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    new Console({ stdout: out, colorMode: false }).log(value);
    return lines.join('').trimEnd();
  };
  // `debug` and `display`: Debug for inspect, Display for text.
  const counter = new lib.Counter('c', 3);
  const debug = 'Counter { name: "c", value: 3 }';
  assert.equal(util.inspect(counter), debug);
  assert.equal(util.inspect(counter, { depth: 0, colors: true, showHidden: true }), debug);
  assert.equal(shown(counter), debug);
  assert.equal(shown({ nested: [counter] }), `{ nested: [ ${debug} ] }`);
  assert.equal(util.format('%s|%o|%O', counter, counter, counter), `Counter(c=3)|${debug}|${debug}`);
  assert.equal(String(counter), 'Counter(c=3)');
  assert.equal(`${counter}`, 'Counter(c=3)');
  assert.equal('' + counter, 'Counter(c=3)');
  // Neither: the class name, no handle, no library internals.
  const ledger = new lib.Ledger('1, 2');
  assert.equal(util.inspect(ledger), 'Ledger {}');
  assert.equal(shown(ledger), 'Ledger {}');
  assert.equal(util.format('%O', ledger), 'Ledger {}');
  assert.equal(String(ledger), '[object Ledger]');
  assert.equal(`${ledger}`, '[object Ledger]');
  // Closed: said so, where a method call would throw ClosedObjectError.
  counter.close();
  ledger.close();
  assert.equal(util.inspect(counter), 'Counter <closed>');
  assert.equal(shown(counter), 'Counter <closed>');
  assert.equal(`${counter}`, 'Counter <closed>');
  assert.equal(util.inspect(ledger), 'Ledger <closed>');
  assert.throws(() => counter.value(), ferryman.ClosedObjectError);
  // The prototype is no object of the class: no call into Rust.
  assert.equal(String(lib.Counter.prototype), 'Counter {}');
});

test('a callback re-entering the object its Rust call is using is a BorrowError, not a deadlock', () => {
  const counter = new lib.Counter('a', 1);
  const isBorrow = (name) => (error) => {
    assert.ok(error instanceof ferryman.BorrowError);
    assert.equal(error.name, 'BorrowError');
    assert.equal(error.kind, 'borrow');
    assert.equal(error.function, name);
    assert.equal(error.param, 'self');
    return true;
  };
  // The callback's error is the Rust call's failure (a CallbackError with it as cause).
  const causedBy = (name) => (error) => isBorrow(name)(error.cause ?? error);
  assert.throws(() => counter.visit(() => { counter.rename('zz'); return 1; }), causedBy('Counter.rename'));
  assert.throws(() => counter.rename_with(() => String(counter.value())), causedBy('Counter.value'));
  assert.throws(() => lib.with_counter(counter, (c) => { c.rename('q'); return 1; }), causedBy('Counter.rename'));
  // Caught inside the callback: the same class, and the outer call goes on.
  assert.equal(counter.visit(() => {
    assert.throws(() => counter.rename('zz'), isBorrow('Counter.rename'));
    return 7;
  }), 7);
  // A shared borrow inside a shared borrow is fine, and nested calls of
  // other objects and functions work.
  assert.equal(counter.visit(() => counter.value()), 1);
  const other = new lib.Counter('b', 2);
  assert.equal(counter.visit(() => { other.rename('c'); return lib.add(other.value(), 1); }), 3);
  assert.equal(counter.name(), 'a');
  counter.rename('ok');
  assert.equal(counter.name(), 'ok');
  assert.equal(ferryman.liveCallbacks(), 0);
});

test('&mut self on an object Rust still holds is a BorrowError', () => {
  const counter = new lib.Counter('k', 1);
  lib.keep_counter(counter);
  try {
    assert.throws(() => counter.rename('z'), (error) => {
      assert.ok(error instanceof ferryman.BorrowError);
      assert.ok(!(error instanceof ferryman.BridgeError));
      assert.equal(error.kind, 'borrow');
      return true;
    });
  } finally {
    lib.drop_kept_counters();
  }
  counter.rename('z');
});

test('exported classes cannot be subclassed', () => {
  // The constructor returns the library's object, of the exported class: a
  // subclass would silently get one that is not its instance.
  class Named extends lib.Counter {}
  assert.throws(() => new Named('n', 1), (error) => error instanceof TypeError
    && /Counter cannot be subclassed/.test(error.message));
  assert.ok(new lib.Counter('c', 1) instanceof lib.Counter);
});
