'use strict';
// The columns of the Node benchmark: one way each of calling the same Rust
// functions, side by side in one Node process (`run.js`).
//
// Every column exposes the same five functions with the same behaviour as the
// Python table's (`bench/columns.py`):
//
// - `add(a, b)`: `a + b` on i64 (numbers in, a number out);
// - `echo(data)`: the bytes of a `Buffer` back, as a new `Buffer`;
// - `sum(values)`: the sum of an array of integers (numbers);
// - `bump(record)`: the record (a plain object `{name, id, score, tags}`) with
//   `id + 1`, `score * 2` and `"!"` appended to `name`, as a new object;
// - `fail(code)`: always throws an `Error` whose message contains
//   `failed with code ${code}`.
//
// Each `load*` function returns a column or throws; `run.js` reports a column
// that cannot be loaded instead of measuring it.

const path = require('node:path');
const fs = require('node:fs');

const ROOT = path.resolve(__dirname, '..', '..');
const RELEASE = path.join(ROOT, 'target', 'release');
const NODE_HOST = path.join(ROOT, 'bindings', 'node');

// --- ferryman ----------------------------------------------------------------

/** `#[ferryman::export]` functions (bench/ferryman-lib), loaded with `ferryman.load`. */
function loadFerryman() {
  const ferryman = require(NODE_HOST);
  const lib = ferryman.load(path.join(RELEASE, 'libbench_ferryman.so'));
  return {
    key: 'ferryman',
    label: 'ferryman',
    add: lib.add,
    echo: lib.echo,
    sum: lib.sum,
    bump: lib.bump,
    fail: lib.fail,
  };
}

/** Whether the Node host is in this tree at all (it is built on another branch first). */
function ferrymanPresent() {
  return fs.existsSync(path.join(NODE_HOST, 'package.json'));
}

// --- napi-rs -------------------------------------------------------------------

/**
 * A hand-written napi-rs addon (bench/napi-lib): the lower bound. Loaded with
 * `process.dlopen`, which is what `require` does for a `.node` file, so the
 * cdylib needs no copy or rename.
 */
function loadNapi() {
  const module = { exports: {} };
  process.dlopen(module, path.join(RELEASE, 'libbench_napi.so'));
  const m = module.exports;
  return { key: 'napi', label: 'napi-rs', add: m.add, echo: m.echo, sum: m.sum, bump: m.bump, fail: m.fail };
}

// --- koffi: plain C ABI -----------------------------------------------------------

/**
 * bench/cabi-lib's plain `extern "C"` functions through koffi, declared with
 * C prototypes. As in the Python table's ctypes column the caller owns every
 * buffer (nothing is allocated across the boundary); the wrappers below are
 * the code a koffi user writes around such an API. `add` is called directly.
 */
function loadKoffi() {
  const koffi = require('koffi');
  const lib = koffi.load(path.join(RELEASE, 'libbench_cabi.so'));
  koffi.struct('BenchRecord', {
    name: 'uint8_t *',
    name_len: 'size_t',
    name_cap: 'size_t',
    id: 'int64_t',
    score: 'double',
    tags: 'const int64_t *',
    tags_len: 'size_t',
  });
  const add = lib.func('int64_t bench_add(int64_t a, int64_t b)');
  const cEcho = lib.func('void bench_echo(const uint8_t *data, size_t len, _Out_ uint8_t *out)');
  const cSum = lib.func('int64_t bench_sum(const int64_t *values, size_t len)');
  const cBump = lib.func('int32_t bench_bump(_Inout_ BenchRecord *record)');
  const cFail = lib.func('int32_t bench_fail(int64_t code, _Out_ int64_t *out)');

  function echo(data) {
    const out = Buffer.allocUnsafe(data.length);
    cEcho(data, data.length, out);
    return out;
  }

  // koffi copies a JS array of numbers into a C array for a pointer parameter.
  function sum(values) {
    return cSum(values, values.length);
  }

  function bump(record) {
    const n = Buffer.byteLength(record.name);
    const name = Buffer.allocUnsafe(n + 1);
    name.write(record.name);
    const tags = record.tags;
    // koffi writes the struct back into this object (pointers as addresses);
    // the name's bytes are changed in place in `name`.
    const c = { name, name_len: n, name_cap: n + 1, id: record.id, score: record.score, tags, tags_len: tags.length };
    if (cBump(c) !== 0) throw new Error('name buffer too small');
    return { name: name.toString('utf8', 0, c.name_len), id: c.id, score: c.score, tags: tags.slice() };
  }

  function fail(code) {
    const out = [0];
    if (cFail(code, out) !== 0) throw new Error(`failed with code ${out[0]}`);
    return out[0];
  }

  return { key: 'koffi', label: 'koffi C ABI', add, echo, sum, bump, fail };
}

/** Every column, in table order. */
const LOADERS = { ferryman: loadFerryman, napi: loadNapi, koffi: loadKoffi };

module.exports = { LOADERS, ROOT, RELEASE, ferrymanPresent };
