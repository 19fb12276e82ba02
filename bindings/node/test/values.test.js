'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { ferryman, lib } = require('./fixture');

test('functions are properties with a name and a length', () => {
  assert.equal(lib.add(2, 3), 5);
  assert.equal(lib.add.name, 'add');
  assert.equal(lib.add.length, 2);
  assert.ok(lib.functions.includes('divide'));
  assert.ok(lib.functions.includes('Counter.value'));
  assert.equal(typeof lib.describe, 'function');
});

test('exported functions are not constructors: `new` throws a TypeError and nothing crosses', () => {
  let called = 0;
  const f = (x) => { called += 1; return x; };
  const refused = (name) => (error) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.ok(!(error instanceof ferryman.ArgumentError), 'no argument error: nothing was sent');
    assert.match(error.message, new RegExp(`(^|\\.)${name} is not a constructor$`));
    return true;
  };
  // The addon's function itself (the hot path), also through Reflect and a subclass's super().
  assert.throws(() => new lib.add(1, 2), refused('add'));
  assert.throws(() => new lib.apply(f, 1), refused('apply'));
  assert.throws(() => Reflect.construct(lib.apply, [f, 1]), refused('apply'));
  class Applied extends lib.apply {}
  assert.throws(() => new Applied(f, 1), refused('apply'));
  // The wrapped ones: an iterator, times, async, a refused AsyncCallback, a static.
  assert.throws(() => new lib.count_up(3), refused('count_up'));
  assert.throws(() => new lib.echo_system_time('2024-05-01T12:00:00Z'), refused('echo_system_time'));
  assert.throws(() => new lib.async_add(1, 2), refused('async_add'));
  assert.throws(() => new lib.apply_async(async (x) => x, 1), refused('apply_async'));
  const before = lib.liveObjects().Counter || 0;
  assert.throws(() => new lib.Counter.named('n'), refused('Counter.named'));
  assert.equal(lib.liveObjects().Counter || 0, before, 'no Counter was made');
  assert.equal(called, 0, 'the callback never ran: no call reached the library');
  assert.equal(ferryman.liveCallbacks(), 0);
  // Called without `new`, they work; classes are constructed with it.
  assert.equal(lib.add(1, 2), 3);
  assert.equal(lib.apply(f, 4), 4);
  assert.equal(called, 1);
  const counter = new lib.Counter('c', 1);
  assert.ok(counter instanceof lib.Counter);
  assert.ok(Reflect.construct(lib.Counter, ['r', 2]) instanceof lib.Counter);
  assert.equal(lib.Counter.named('m').name(), 'm');
});

test('describe() is the describe map as plain JS values', () => {
  const described = lib.describe();
  assert.equal(described.abi, 1);
  assert.equal(described.wire, 1);
  const add = described.functions.find((f) => f.name === 'add');
  assert.deepEqual(add.params.map((p) => p.name), ['a', 'b']);
  assert.equal(add.returns.type, 'i64');
  assert.ok(Array.isArray(described.classes));
  described.functions.length = 0; // a copy: the library's own stays whole
  assert.ok(lib.describe().functions.length > 0);
});

test('numbers: whole numbers are ints, others floats', () => {
  assert.equal(lib.echo_i64(-7), -7);
  assert.equal(lib.echo_f64(1.5), 1.5);
  assert.equal(lib.echo_f64(3), 3);
  assert.ok(Number.isNaN(lib.echo_f64(NaN)));
  assert.equal(lib.echo_f64(Infinity), Infinity);
  assert.equal(lib.echo_f32(0.5), 0.5);
  assert.equal(lib.echo_u8(255), 255);
  assert.equal(lib.echo_bool(true), true);
  assert.equal(lib.echo_char('é'), 'é');
  assert.equal(lib.echo_string('héllo ✓'), 'héllo ✓');
  assert.equal(lib.echo_unit(null), null);
});

test('the BigInt rule: numbers within ±(2^53 − 1), BigInts outside', () => {
  const max = Number.MAX_SAFE_INTEGER;
  assert.equal(lib.echo_i64(max), max);
  assert.equal(typeof lib.echo_i64(max), 'number');
  assert.equal(lib.echo_i64(-max), -max);
  assert.equal(lib.echo_i64(BigInt(max) + 1n), 2n ** 53n);
  assert.equal(lib.echo_i64(-(2n ** 53n)), -(2n ** 53n));
  assert.equal(lib.echo_i64(2n ** 63n - 1n), 2n ** 63n - 1n);
  assert.equal(lib.echo_i64(-(2n ** 63n)), -(2n ** 63n));
  assert.equal(lib.echo_u64(2n ** 64n - 1n), 2n ** 64n - 1n);
  // BigInt is accepted for every integer parameter, small values come back as numbers.
  assert.equal(lib.echo_i32(5n), 5);
  assert.equal(lib.add(2n, 3), 5);
  // 128-bit: extension 4 both ways.
  assert.equal(lib.echo_i128(2n ** 64n), 2n ** 64n);
  assert.equal(lib.echo_i128(-(2n ** 127n)), -(2n ** 127n));
  assert.equal(lib.echo_i128(2n ** 127n - 1n), 2n ** 127n - 1n);
  assert.equal(lib.echo_u128(2n ** 128n - 1n), 2n ** 128n - 1n);
  assert.equal(lib.echo_i128(-1), -1);
  assert.equal(lib.echo_i128(-1n), -1);
});

test('bytes: Buffer and Uint8Array in, Buffer out', () => {
  const out = lib.echo_bytes(Buffer.from([1, 2, 3]));
  assert.ok(Buffer.isBuffer(out));
  assert.deepEqual([...out], [1, 2, 3]);
  assert.deepEqual([...lib.echo_bytes(new Uint8Array([9, 8]))], [9, 8]);
  assert.deepEqual([...lib.echo_bytes([4, 5])], [4, 5]);
  assert.equal(lib.byte_sum(Buffer.alloc(1000, 1)), 1000);
  assert.deepEqual([...lib.reverse_bytes(Buffer.from('abc'))], [...Buffer.from('cba')]);
  assert.equal(lib.echo_bytes(Buffer.alloc(0)).length, 0);
  // 64 KiB and more are lent for the call rather than copied: the same results.
  const large = Buffer.alloc(200_000, 3);
  large[7] = 0;
  assert.equal(lib.byte_sum(large), 3 * (200_000 - 1));
  assert.equal(lib.count_zeros(large), 1);
  assert.ok(lib.echo_bytes(large).equals(large));
  assert.ok(lib.echo_bytes(new Uint8Array(large)).equals(large));
  // Lent, the library reads the Buffer's own memory; small ones are copied.
  const address = (buffer) => lib.slice_address(buffer);
  assert.equal(address(large), address(large), 'the same memory each time');
  assert.notEqual(address(Buffer.alloc(16, 1)), 0);
  assert.equal(address(large.subarray(8)) - address(large), 8, 'in place: a view is lent at its offset');
});

test('lent bytes a later argument detaches are copied as they are now, not read freed', () => {
  // A Date argument runs its toISOString; this one detaches (and frees)
  // the 1 MiB buffer lent as argument 0 before the call is made.
  let memory = new ArrayBuffer(1 << 20);
  const data = new Uint8Array(memory);
  class Detaching extends Date {
    toISOString() {
      structuredClone(memory, { transfer: [memory] });
      memory = null;
      global.gc();
      return '1';
    }
  }
  assert.throws(() => lib.bytes_slice(data, new Detaching(0), 10), /argument `start`: expected usize/);
  assert.equal(data.byteLength, 0);
  // And a buffer the JS leaves alone is still lent.
  const large = Buffer.alloc(200_000, 1);
  assert.equal(lib.slice_address(large), lib.slice_address(large));
});

test('large bytes results: new Buffers, right whatever sizes come in turn', () => {
  // A site that returned a large bin has the next one written into a new
  // Buffer (bin_result.rs); a larger, a much smaller or a non-bin result
  // after it takes the usual way. Every result is its own memory.
  const pattern = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255));
  const sizes = [1 << 20, 1 << 20, 2 << 20, 40_000, 2 << 20, 16, 70_000, 70_000, 32 << 10];
  let previous = null;
  for (const [turn, n] of sizes.entries()) {
    const input = pattern(n, turn);
    const out = lib.bytes_echo(input);
    assert.ok(Buffer.isBuffer(out), `turn ${turn}`);
    assert.ok(out.equals(input), `turn ${turn}: ${n} bytes`);
    // Not holding a much larger allocation than the result.
    if (n >= 32 << 10) assert.ok(out.buffer.byteLength <= 2 * n + 16, `turn ${turn}: ${out.buffer.byteLength}`);
    out[0] ^= 1;
    assert.ok(!out.equals(input), 'a result is not the argument');
    if (previous) assert.equal(previous[1], ((1 * 7 + turn - 1) & 255), 'nor an earlier result');
    previous = out;
  }
  // A slice, an empty result and an error value after a large result.
  const big = pattern(300_000, 5);
  assert.ok(lib.bytes_slice(big, 0, 300_000).equals(big));
  assert.ok(lib.bytes_slice(big, 1000, 250_000).equals(big.subarray(1000, 250_000)));
  assert.equal(lib.bytes_slice(big, 10, 10).length, 0);
  assert.ok(lib.bytes_slice(big, 0, 300_000).equals(big));
  assert.throws(() => lib.bytes_slice(big, 'x', 1), /start/);
  assert.ok(lib.bytes_slice(big, 0, 300_000).equals(big));
  // Large bytes inside a larger value are copied out of it.
  const chunks = lib.bytes_chunks(big, 100_000);
  assert.equal(chunks.length, 3);
  assert.ok(Buffer.concat(chunks).equals(big));
});

test('typed arrays of numbers travel as lists', () => {
  assert.equal(lib.sum_f64(new Float64Array([1.5, 2.5])), 4);
  assert.deepEqual(lib.echo_i32s(new Int32Array([-1, 2])), [-1, 2]);
  assert.deepEqual(lib.echo_f32s(new Float32Array([0.5])), [0.5]);
});

test('arrays, tuples, options and sets', () => {
  assert.deepEqual(lib.echo_vec_i64([1, 2, 3]), [1, 2, 3]);
  assert.equal(lib.sum([]), 0);
  assert.deepEqual(lib.echo_tuple([1, 'a', true]), [1, 'a', true]);
  assert.equal(lib.echo_option(null), null);
  assert.equal(lib.echo_option(undefined), null);
  assert.equal(lib.echo_option(4), 4);
  assert.deepEqual(lib.echo_strings(['a', 'b']), ['a', 'b']);
});

test('maps: plain objects and Maps in; string keys come back as objects, others as Maps', () => {
  assert.deepEqual(lib.echo_map({ a: 1, b: 2 }), { a: 1, b: 2 });
  assert.deepEqual(lib.echo_map(new Map([['x', 3]])), { x: 3 });
  const ints = lib.echo_int_keys(new Map([[7, 'x'], [-1, 'y']]));
  assert.ok(ints instanceof Map);
  assert.deepEqual([...ints], [[-1, 'y'], [7, 'x']]);
  const tuples = lib.echo_tuple_keys(new Map([[[1, 'a'], true]]));
  assert.deepEqual([...tuples], [[[1, 'a'], true]]);
  const wide = lib.echo_wide_keys(new Map([[2n ** 100n, [2n ** 90n, 1]]]));
  assert.deepEqual([...wide], [[2n ** 100n, [2n ** 90n, 1]]]);
});

test('records and enums as the wire says', () => {
  assert.deepEqual(lib.echo_point({ x: 1, y: 2.5 }), { x: 1, y: 2.5 });
  assert.equal(lib.distance({ x: 0, y: 0 }, { x: 3, y: 4 }), 5);
  const circle = { Circle: { center: { x: 0, y: 0 }, radius: 1 } };
  assert.deepEqual(lib.echo_shape(circle), circle);
});

test('a host value with no wire form is an ArgumentError naming function and parameter', () => {
  assert.throws(() => lib.add(Symbol('s'), 1), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.ok(error instanceof TypeError);
    assert.equal(error.function, 'add');
    assert.equal(error.param, 'a');
    assert.equal(error.index, 0);
    assert.equal(error.expected, 'i64');
    assert.match(error.message, /`add\(\)` argument `a`: expected i64, but found a symbol/);
    return true;
  });
  assert.throws(() => lib.echo_i128(2n ** 200n), /argument `value`: expected i128, but found a BigInt beyond 128 bits/);
});

test('a string holding a lone surrogate is refused, not sent as U+FFFD', () => {
  const refused = /found a string that is not valid Unicode \(it holds a lone surrogate\)/;
  assert.throws(() => lib.echo_string('a\uD800b'), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.equal(error.param, 'value');
    assert.match(error.message, /`echo_string\(\)` argument `value`: expected String, but/);
    assert.match(error.message, refused);
    return true;
  });
  assert.throws(() => lib.echo_string('\uDC00'), refused);
  assert.throws(() => lib.echo_map({ ['k\uD800']: 1 }), refused); // a key
  assert.throws(() => lib.apply(() => 'q\uDFFF', 1), refused); // a callback's result
  // A real U+FFFD and surrogate pairs are Unicode.
  assert.equal(lib.echo_string('ok \uFFFD fine'), 'ok \uFFFD fine');
  assert.equal(lib.echo_string('x\uD83D\uDE00y'), 'x😀y');
});

test('a Map or a Date of another realm (a vm context) is sent as one of this realm', () => {
  const vm = require('node:vm');
  const context = vm.createContext({});
  assert.deepEqual(lib.echo_map(vm.runInContext('new Map([["a", 1]])', context)), { a: 1 });
  assert.deepEqual(lib.echo_map(vm.runInContext('({ b: 2 })', context)), { b: 2 });
  assert.equal(lib.echo_system_time(vm.runInContext('new Date(0)', context)), '1970-01-01T00:00:00Z');
});

test('a Date is sent as its ISO string', () => {
  assert.equal(lib.echo_utc(new Date(Date.UTC(2024, 4, 1, 12, 30))), '2024-05-01T12:30:00Z');
  // SystemTime's result is RFC 3339 text too (spec/wire.md, "Times"; test/times.test.js).
  assert.equal(lib.echo_system_time(new Date(1500)), '1970-01-01T00:00:01.5Z');
  assert.deepEqual(lib.echo_strings([new Date(0)]), ['1970-01-01T00:00:00.000Z']);
  assert.throws(() => lib.echo_utc(new Date(NaN)), (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.equal(error.param, 'at');
    assert.match(error.message, /found an invalid Date/);
    return true;
  });
});

test('objects with no wire form are refused, not sent as an empty map', () => {
  const refused = [
    [new Set([1]), /found a Set/],
    [Promise.resolve(1), /found a Promise/],
    [/x/, /found a RegExp/],
    [new WeakMap(), /found a WeakMap/],
    [new WeakSet(), /found a WeakSet/],
    [new SharedArrayBuffer(4), /found a SharedArrayBuffer/],
    [new Error('e'), /found an Error/],
    [new Number(1), /found a boxed primitive/],
  ];
  for (const [value, found] of refused) {
    assert.throws(() => lib.echo_map(value), (error) => {
      assert.ok(error instanceof ferryman.ArgumentError);
      assert.equal(error.function, 'echo_map');
      assert.equal(error.param, 'map');
      assert.match(error.message, found);
      return true;
    });
    // Nested, and as a callback's result.
    assert.throws(() => lib.echo_strings([value]), found);
    assert.throws(() => lib.apply(() => value, 1), found);
  }
  assert.throws(() => lib.distinct(new Set([1, 2])), /`distinct\(\)` argument `values`: expected HashSet<i64>, but found a Set/);
  assert.throws(() => lib.apply(async (x) => x, 1), /found a Promise/);
  // Objects of JS classes and null-prototype objects are still maps of their keys.
  assert.deepEqual(lib.echo_map(new (class Point { constructor() { this.x = 1; } })()), { x: 1 });
  assert.deepEqual(lib.echo_map(Object.assign(Object.create(null), { y: 2 })), { y: 2 });
  // A DataView is its bytes.
  const bytes = new Uint8Array([1, 2, 3, 4]);
  assert.deepEqual(lib.echo_bytes(new DataView(bytes.buffer, 1, 2)), Buffer.from([2, 3]));
});

test('whole numbers beyond 64 bits are 128-bit ints where the type has i128 or u128', () => {
  assert.equal(lib.echo_i128(2 ** 64), 2n ** 64n);
  assert.equal(lib.echo_i128(-(2 ** 64)), -(2n ** 64n));
  assert.equal(lib.echo_i128(2 ** 100), 2n ** 100n);
  assert.equal(lib.echo_i128(-(2 ** 127)), -(2n ** 127n));
  assert.equal(lib.echo_u128(2 ** 127), 2n ** 127n);
  assert.throws(() => lib.echo_i128(2 ** 127), /expected i128, but found integer 170141183460469231731687303715884105728, which is out of range/);
  // Elsewhere they stay floats, which an f64 takes.
  assert.equal(lib.echo_f64(2 ** 70), 2 ** 70);
  assert.equal(lib.echo_f64(1e20), 1e20);
  assert.equal(lib.echo_f64(-(2 ** 64)), -(2 ** 64));
});
