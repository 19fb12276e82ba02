'use strict';
// Default arguments (tests/fixture/src/defaults.rs): trailing parameters
// with a describe `default` may be left out, and `undefined` for one of
// them is its default, as for a JS function's default parameters.
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib } = require('./fixture');

test('left out at the end: the defaults', () => {
  assert.equal(lib.join_top(['a', 'b', 'c']), 'a,b,c');
  assert.equal(lib.join_top(['a', 'b', 'c'], 2), 'a,b');
  assert.equal(lib.scaled(2), 3);
  assert.equal(lib.greet_default('a'), 'Hello, a');
  assert.equal(new lib.Greeter('Hi').greet('x'), 'Hi, x!');
});

test('undefined for a parameter with a default is its default, before a given one too', () => {
  assert.equal(lib.join_top(['a', 'b', 'c'], undefined, '-'), 'a-b-c');
  assert.equal(lib.join_top(['a', 'b', 'c'], 2, undefined), 'a,b');
  assert.equal(lib.scaled(2, undefined, true), 3);
  assert.equal(new lib.Greeter('Hi').greet('x', undefined, 2), 'Hi, x! Hi, x!');
  // null is a value: a usize takes none.
  assert.throws(() => lib.join_top(['a'], null, '-'), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.match(error.message, /argument `top`: expected usize, but found nil/);
    return true;
  });
  // A required parameter has no default.
  assert.throws(() => lib.join_top(undefined), /argument `words`/);
});
