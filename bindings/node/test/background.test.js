'use strict';
// Rust threads that call JS after the call that gave them the callable has
// returned: the JS thread serves them from its event loop.
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib } = require('./fixture');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('a Rust thread calls a JS callable while JS runs its event loop', async () => {
  const seen = [];
  lib.spawn_calling((i) => { seen.push(i); return i; }, 5);
  for (let i = 0; i < 100 && seen.length < 3; i++) await sleep(10);
  assert.ok(seen.length >= 3, `calls seen: ${seen.length}`);
  assert.deepEqual(seen.slice(0, 3), [0, 1, 2]);
  // A call while that thread keeps calling back does not deadlock.
  assert.equal(lib.add(1, 2), 3);
  assert.ok(lib.background_calls() >= 3);
});

test('a callable a Rust thread holds for a while is released then', async () => {
  const before = ferryman.liveCallbacks();
  lib.spawn_holding((x) => x, 20);
  assert.equal(ferryman.liveCallbacks(), before + 1);
  for (let i = 0; i < 100 && ferryman.liveCallbacks() > before; i++) await sleep(10);
  assert.equal(ferryman.liveCallbacks(), before);
});
