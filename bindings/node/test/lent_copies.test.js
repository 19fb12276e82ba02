'use strict';
// A large Buffer given to a `ferryman::Bytes` parameter goes as a copy the
// library may keep (a host object, `spec/abi.md` "Lent bytes"); a result
// that is that Bytes comes back as the copy itself when the library holds it
// no more, else as a new Buffer. JS never shares memory with bytes the
// library still reads.
const test = require('node:test');
const assert = require('node:assert/strict');
const { lib } = require('./fixture');

const LARGE = 200_000;
const pattern = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255));

test('a large Buffer reaches a Bytes parameter as memory of its own, kept without a second copy', () => {
  assert.equal(lib.bytes_is_lent(pattern(LARGE, 1)), true, 'kept as the host\'s copy');
  assert.equal(lib.bytes_is_lent(pattern(1000, 1)), false, 'small: sent as bin');
  // &[u8] still reads the caller's own Buffer in place.
  const large = pattern(LARGE, 2);
  assert.equal(lib.slice_address(large), lib.slice_address(large));
});

test('an echoed Bytes is a new Buffer with the same bytes, sharing nothing with the argument', () => {
  const data = pattern(LARGE, 3);
  const out = lib.bytes_echo(data);
  assert.ok(Buffer.isBuffer(out));
  assert.notEqual(out, data);
  assert.ok(out.equals(data));
  out[0] ^= 0xff;
  assert.equal(data[0], pattern(1, 3)[0], 'changing the result leaves the argument');
  data[1] ^= 0xff;
  assert.equal(out[1], pattern(2, 3)[1], 'changing the argument leaves the result');
  assert.notEqual(lib.bytes_echo(data), lib.bytes_echo(data), 'each call its own Buffer');
});

test('slices and chunks of a lent copy come back as new Buffers of their bytes', () => {
  const data = pattern(LARGE, 4);
  const slice = lib.bytes_slice(data, 10, 70_010);
  assert.ok(slice.equals(data.subarray(10, 70_010)));
  const chunks = lib.bytes_chunks(data, 70_000);
  assert.equal(chunks.length, 3);
  assert.ok(Buffer.concat(chunks).equals(data));
  chunks[0][0] ^= 0xff;
  assert.ok(chunks[1].equals(data.subarray(70_000, 140_000)));
  // One chunk of the whole: the copy itself.
  const [whole] = lib.bytes_chunks(data, LARGE);
  assert.ok(whole.equals(data));
});

test('bytes the library keeps never change with what JS does to its Buffers', () => {
  lib.drop_kept_bytes();
  const data = pattern(LARGE, 5);
  const sum = [...data].reduce((a, b) => a + b, 0);
  assert.equal(lib.keep_bytes(data), 1);
  data.fill(0);
  assert.equal(lib.kept_bytes_sum(), sum, 'the library kept a copy, not the argument');
  // Kept, then returned: a new Buffer each time (the library still holds the copy).
  const [again] = lib.kept_bytes_from_thread();
  assert.equal(again.length, LARGE);
  again.fill(9);
  assert.equal(lib.kept_bytes_sum(), sum, 'the result is not the kept memory');
  // Echoed while also kept (keep_bytes_ref keeps a clone): not handed out either.
  const other = pattern(LARGE, 6);
  assert.equal(lib.keep_bytes_ref(other), 2);
  assert.equal(lib.drop_kept_bytes(), 2);
});

/** Collects, letting V8 free the backing stores it sweeps in the background. */
async function collect() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('lent copies are released: many calls hold no memory', async () => {
  await collect();
  const before = process.memoryUsage().arrayBuffers;
  const data = pattern(1 << 20, 7);
  for (let i = 0; i < 200; i++) {
    lib.bytes_echo(data);
    lib.bytes_slice(data, 0, 10);
    lib.keep_bytes(data);
    if (i % 20 === 19) lib.drop_kept_bytes(); // released on another thread
  }
  lib.add(1, 2); // a call sweeps what other threads released
  await collect();
  // Holding the copies would keep ~400 MiB (200 echoes, 200 kept, plus the
  // slices' copies); the bound leaves room for a collector that is late.
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 128 << 20, `${grown} bytes of ArrayBuffers still held after 600 calls of 1 MiB`);
});
