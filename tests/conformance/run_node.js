#!/usr/bin/env node
'use strict';
// The Node.js runner of the conformance suite (tests/conformance/README.md).
//
//     node tests/conformance/run_node.js path/to/libferryman_fixture.so [-k TEXT]
//
// Loads the fixture library as a user would (`ferryman.load`, the package in
// bindings/node), calls every case of cases.json with its arguments as JS
// values and checks the result, or the thrown error against the expected one
// by the Node host's documented mapping (bindings/node/README.md): `error` →
// the `lib.errors` class of the Rust type (a `ferryman.RustError`); `panic`
// → `ferryman.RustPanic`; `arity`, `type` and `overflow` →
// `ferryman.ArgumentError` with that `kind`. Prints each failure with its
// case id and what differed, then `N passed, M failed`; exits 1 when a case
// failed.

const fs = require('node:fs');
const path = require('node:path');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..');
const ferryman = require(path.join(REPO, 'bindings', 'node'));

// ---- the tagged forms -> JS values ------------------------------------------

const TAGS = new Set(['$bytes', '$int', '$float', '$tuple', '$map']);

function tagOf(v) {
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    if (!TAGS.has(keys[0])) throw new Error(`unknown tag ${keys[0]}`);
    return keys[0];
  }
  return null;
}

/** A case's JSON value as the JS value a user would pass. */
function value(v) {
  if (Array.isArray(v)) return v.map(value);
  if (v === null || typeof v !== 'object') return v;
  const tag = tagOf(v);
  switch (tag) {
    case '$bytes': return Buffer.from(v[tag], 'base64');
    case '$int': {
      const n = BigInt(v[tag]);
      return n >= -BigInt(Number.MAX_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case '$float': return { nan: NaN, inf: Infinity, '-inf': -Infinity }[v[tag]] ?? Number(v[tag]);
    case '$tuple': return v[tag].map(value);
    case '$map': return new Map(v[tag].map(([key, item]) => [value(key), value(item)]));
    default: return Object.fromEntries(Object.entries(v).map(([key, item]) => [key, value(item)]));
  }
}

// ---- comparing ----------------------------------------------------------------

const show = (v) => {
  try {
    return require('node:util').inspect(v, { depth: 4, breakLength: Infinity });
  } catch {
    return String(v);
  }
};

const isNumber = (v) => typeof v === 'number' || typeof v === 'bigint';

/** What differs between an expected JS value and an actual one ("Comparing"). */
function differences(want, got, where = 'result') {
  if (want === null || typeof want === 'boolean') {
    return got === want ? [] : [`${where}: expected ${show(want)}, got ${show(got)}`];
  }
  if (isNumber(want)) {
    if (!isNumber(got)) return [`${where}: expected the number ${show(want)}, got ${show(got)}`];
    if (typeof want === 'number' && Number.isNaN(want)) {
      return Number.isNaN(got) ? [] : [`${where}: expected NaN, got ${show(got)}`];
    }
    const same = typeof want === typeof got ? want === got
      : (Number.isInteger(Number(want)) && Number.isInteger(Number(got)) && BigInt(want) === BigInt(got));
    return same ? [] : [`${where}: expected ${show(want)}, got ${show(got)}`];
  }
  if (typeof want === 'string') {
    return got === want ? [] : [`${where}: expected ${show(want)}, got ${show(got)}`];
  }
  if (Buffer.isBuffer(want)) {
    if (Buffer.isBuffer(got)) return want.equals(got) ? [] : [`${where}: expected ${show(want)}, got ${show(got)}`];
    if (Array.isArray(got)) return differences([...want], got, where);
    return [`${where}: expected bytes ${show(want)}, got ${show(got)}`];
  }
  if (Array.isArray(want)) {
    if (Buffer.isBuffer(got)) got = [...got];
    if (!Array.isArray(got) || got.length !== want.length) return [`${where}: expected ${show(want)}, got ${show(got)}`];
    return want.flatMap((w, i) => differences(w, got[i], `${where}[${i}]`));
  }
  const wantEntries = want instanceof Map ? [...want] : Object.entries(want);
  let gotEntries;
  if (got instanceof Map) gotEntries = [...got];
  else if (got !== null && typeof got === 'object' && !Array.isArray(got) && !Buffer.isBuffer(got)) gotEntries = Object.entries(got);
  else return [`${where}: expected ${show(want)}, got ${show(got)}`];
  if (gotEntries.length !== wantEntries.length) return [`${where}: expected ${show(want)}, got ${show(got)}`];
  const found = [];
  for (const [key, item] of wantEntries) {
    const match = gotEntries.find(([k]) => differences(key, k).length === 0);
    if (!match) found.push(`${where}: key ${show(key)} missing in ${show(got)}`);
    else found.push(...differences(item, match[1], `${where}[${show(key)}]`));
  }
  return found;
}

// ---- errors -----------------------------------------------------------------

/** The error kind a thrown error stands for, by the Node host's mapping. */
function kindOf(error) {
  if (error instanceof ferryman.RustError) return 'error';
  if (error instanceof ferryman.RustPanic) return 'panic';
  if (error instanceof ferryman.ArgumentError) return error.kind;
  return null;
}

/** The 1-based line of `fixture/file` holding `text`; it must hold it once. */
function sourceLine(fixture, file, text) {
  const lines = fs.readFileSync(path.join(fixture, file), 'utf8').split('\n');
  const numbers = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  if (numbers.length !== 1) throw new Error(`line_of ${show(text)} occurs ${numbers.length} times in ${file}`);
  return numbers[0];
}

function frameDifferences(want, frames, fixture) {
  if (!frames || frames.length === 0) return ['frame: the error has no Rust frames'];
  const frame = frames[frames.length - 1];
  const found = [];
  const file = String(frame.file).replaceAll('\\', '/');
  if (file !== want.file && !file.endsWith(`/${want.file}`)) found.push(`frame file: expected …/${want.file}, got ${show(file)}`);
  const line = 'line' in want ? want.line : sourceLine(fixture, want.file, want.line_of);
  if (frame.line !== line) found.push(`frame line: expected ${line}, got ${frame.line} (${file})`);
  for (const key of ['column', 'function']) {
    if (key in want && frame[key] !== want[key]) found.push(`frame ${key}: expected ${show(want[key])}, got ${show(frame[key])}`);
  }
  return found;
}

function errorDifferences(lib, want, error, fixture) {
  const kind = kindOf(error);
  if (kind !== want.kind) {
    return [`expected a ${show(want.kind)} error, got ${error && error.name}: ${error && error.message} (kind ${kind})`];
  }
  const found = [];
  if ('message' in want && error.message !== want.message) found.push(`message: expected ${show(want.message)}, got ${show(error.message)}`);
  if ('message_contains' in want && !error.message.includes(want.message_contains)) {
    found.push(`message: expected it to contain ${show(want.message_contains)}, got ${show(error.message)}`);
  }
  if (kind === 'error') {
    if ('type' in want) {
      if (error.type !== want.type) found.push(`type: expected ${show(want.type)}, got ${show(error.type)}`);
      const key = error.rustType || error.type;
      if (!(error instanceof lib.errors[key])) found.push(`class: ${error.constructor.name} is not lib.errors[${show(key)}]`);
    }
    if ('variant' in want && error.variant !== want.variant) found.push(`variant: expected ${show(want.variant)}, got ${show(error.variant)}`);
    if ('fields' in want) found.push(...differences(value(want.fields), error.fields, 'fields'));
  }
  for (const key of ['function', 'param', 'index', 'expected']) {
    if (key in want && error[key] !== want[key]) found.push(`${key}: expected ${show(want[key])}, got ${show(error[key])}`);
  }
  if ('frame' in want) found.push(...frameDifferences(want.frame, error.frames, fixture));
  if ('causes' in want) {
    const chain = [];
    for (let cause = error.cause; cause !== undefined; cause = cause.cause) chain.push(cause);
    if (chain.length !== want.causes.length) {
      found.push(`causes: expected ${want.causes.length}, got ${show(chain.map((c) => c.message))}`);
    } else {
      want.causes.forEach((w, i) => {
        if ('message' in w && chain[i].message !== w.message) found.push(`causes[${i}] message: expected ${show(w.message)}, got ${show(chain[i].message)}`);
      });
    }
  }
  return found;
}

// ---- one case ---------------------------------------------------------------

// "async" or "stream" when describe marks the function so.
function flavor(lib, name) {
  const f = lib.describe().functions.find((f) => f.name === name);
  return f && f.async ? 'async' : f && f.stream ? 'stream' : null;
}

// Calls the function: an async one's Promise is awaited, a stream consumed to
// its end (its items, also gathered in `items` so that they are known when an
// error item rejects).
async function outcome(lib, fn, name, args, items) {
  const kind = flavor(lib, name);
  if (kind === 'async') return await fn(...args);
  if (kind === 'stream') {
    for await (const item of fn(...args)) items.push(item);
    return items;
  }
  return fn(...args);
}

async function runCase(lib, testCase, fixture) {
  const fn = lib[testCase.function];
  if (typeof fn !== 'function') return [`the library has no function ${testCase.function}`];
  const args = value(testCase.args);
  const items = [];
  let got;
  try {
    got = await outcome(lib, fn, testCase.function, args, items);
  } catch (error) {
    if (!('error' in testCase)) return [`expected the result ${show(testCase.result)}, got ${error && error.name}: ${error && error.message}`];
    const problems = 'items' in testCase ? differences(value(testCase.items), items, 'items') : [];
    try {
      return problems.concat(errorDifferences(lib, testCase.error, error, fixture));
    } catch (problem) {
      return [String(problem.message)];
    }
  }
  if ('error' in testCase) return [`expected a ${show(testCase.error.kind)} error, got the result ${show(got)}`];
  return differences(value(testCase.result), got);
}

async function main(argv) {
  const positional = [];
  let only = '';
  let casesPath = path.join(HERE, 'cases.json');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-k') only = argv[++i] || '';
    else if (argv[i] === '--cases') casesPath = argv[++i];
    else positional.push(argv[i]);
  }
  if (positional.length !== 1) {
    console.error('usage: run_node.js path/to/libferryman_fixture.so [-k TEXT] [--cases FILE]');
    return 2;
  }
  const suite = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
  const fixture = path.join(REPO, suite.fixture);
  const lib = ferryman.load(path.resolve(positional[0]));
  let passed = 0;
  let failed = 0;
  for (const testCase of suite.cases) {
    if (!testCase.id.includes(only)) continue;
    const problems = await runCase(lib, testCase, fixture);
    if (problems.length) {
      failed += 1;
      console.log(`FAIL ${testCase.id}: ${problems.join('; ')}`);
    } else {
      passed += 1;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
