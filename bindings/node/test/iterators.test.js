'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib } = require('./fixture');

test('Rust iterators are JS iterators', () => {
  assert.deepEqual([...lib.count_up(5)], [0, 1, 2, 3, 4]);
  assert.deepEqual([...lib.count_up(0)], []);
  assert.deepEqual([...lib.count_up(200)].length, 200);
  const words = [];
  for (const word of lib.words('a bb ccc')) words.push(word);
  assert.deepEqual(words, ['a', 'bb', 'ccc']);
  assert.equal(lib.liveClosures().filter((s) => s.startsWith('iterator')).length, 0, 'exhausted ones are released');
  const it = lib.count_up(1);
  assert.ok(it instanceof ferryman.RustIterator);
  it.return();
});

test('return() (break) releases the Rust iterator early', () => {
  const before = lib.iterator_drops();
  for (const x of lib.droppable(1000)) {
    if (x === 2) break;
  }
  assert.equal(lib.iterator_drops(), before + 1);
  const it = lib.droppable(10);
  assert.deepEqual(it.next(), { value: 0, done: false });
  assert.deepEqual(it.return(), { value: undefined, done: true });
  assert.equal(lib.iterator_drops(), before + 2);
  assert.deepEqual(it.next(), { value: undefined, done: true });
});

test('an Err item throws at its place; the iterator goes on after it', () => {
  const it = lib.parse_all(['1', 'x', '3']);
  assert.deepEqual(it.next(), { value: 1, done: false });
  assert.throws(() => it.next(), (error) => {
    assert.ok(error instanceof ferryman.RustError);
    assert.equal(error.name, 'ParseError');
    assert.equal(error.text, 'x');
    return true;
  });
  assert.deepEqual(it.next(), { value: 3, done: false });
  assert.deepEqual(it.next(), { value: undefined, done: true });
});

test("a callback's exception in an Err item is thrown as itself", () => {
  const mine = new Error('mine');
  const it = lib.droppable_through(5, (i) => { if (i === 2) throw mine; return i; });
  assert.deepEqual([it.next().value, it.next().value], [0, 1]);
  assert.throws(() => it.next(), (error) => error === mine);
  assert.deepEqual(it.next(), { value: 3, done: false });
});

test('a panic inside next() throws RustPanic', () => {
  const it = lib.panic_at(2);
  assert.equal(it.next().value, 0);
  assert.equal(it.next().value, 1);
  assert.throws(() => it.next(), { name: 'RustPanic', message: 'iterator panicked at 2' });
  it.return();
});
