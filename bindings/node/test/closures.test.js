'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib, collectUntil } = require('./fixture');

test('a Rust closure comes back as a JS function', () => {
  const add5 = lib.adder(5);
  assert.equal(typeof add5, 'function');
  assert.equal(add5(10), 15);
  assert.equal(lib.joiner('-')('a', 'b'), 'a-b');
  assert.equal(lib.three_argument_closure()('x', 1, true), 'x1true');
  // Passed back, it runs in-process.
  assert.equal(lib.apply(add5, 1), 6);
  assert.equal(lib.make_and_apply(lib.adder_maker(), 2, 3), 5);
  assert.equal(lib.adder_maker()(4)(1), 5);
  assert.equal(ferryman.release(add5), true);
});

test('a Rust closure is not a constructor: `new` throws a TypeError and nothing crosses', () => {
  let called = 0;
  const closure = lib.propagating_closure((x) => { called += 1; return x; });
  assert.throws(() => new closure(1), (error) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.ok(!(error instanceof ferryman.ArgumentError));
    assert.match(error.message, /^closure is not a constructor$/);
    return true;
  });
  assert.throws(() => Reflect.construct(lib.adder(5), [1]), /^TypeError: closure is not a constructor$/);
  assert.equal(called, 0, 'the closure never ran');
  assert.equal(closure(7), 8, 'f(7) + 1');
  assert.equal(called, 1);
  ferryman.release(closure);
});

test('a closure failure throws like a function failure', () => {
  assert.throws(() => lib.sqrt_closure()(-4), (error) => {
    assert.ok(error instanceof lib.errors.MathError);
    assert.equal(error.message, 'negative input: -4');
    assert.match(error.stack.split('\n').at(-1), /^ {4}at sqrt_closure::\{\{closure\}\} \(tests\/fixture\/src\/closures\.rs:\d+:\d+\)$/);
    return true;
  });
  assert.throws(() => lib.exploding_closure()(3), { name: 'RustPanic', message: 'closure exploded on 3' });
  assert.throws(() => lib.joiner('-')('a'), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.equal(error.kind, 'arity');
    assert.match(error.message, /`joiner\(\)`'s closure takes 2 arguments/);
    return true;
  });
  const boom = new Error('from JS');
  assert.throws(() => lib.propagating_closure(() => { throw boom; })(1), (error) => error === boom);
});

test('released closures: explicitly, and by the garbage collector', async () => {
  const before = lib.liveClosures().length;
  const add = lib.adder(1);
  assert.equal(lib.liveClosures().length, before + 1);
  assert.equal(ferryman.release(add), true);
  assert.equal(lib.liveClosures().length, before);
  assert.throws(() => add(1), (error) => error instanceof ferryman.ClosedObjectError
    && /this closure was released/.test(error.message));
  assert.equal(ferryman.release(add), false, 'released already: like Map#delete, nothing to do');
  assert.equal(ferryman.release(() => 1), false, 'not a closure');

  await collectUntil(() => false, 5); // earlier garbage first
  const settled = lib.liveClosures().length;
  (() => { lib.adder(2); lib.joiner(','); })();
  assert.equal(lib.liveClosures().length, settled + 2);
  assert.ok(await collectUntil(() => lib.liveClosures().length === settled), 'the GC released them');
});
