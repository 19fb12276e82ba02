'use strict';
// A stand-in for ferryman.node that test/time_forms.test.js loads through
// FERRYMAN_NODE_ADDON: the real addon, whose `open` describes a few of the
// fixture's functions as returning times (an iterator's, a stream's, an async
// function's and a method's result, which no fixture function has) and adds
// JS functions that answer as a library could write times (the `time`
// crate's arrays with offsets, named types that refer to each other), so the
// result conversion of index.js meets every form.
const path = require('node:path');

const real = require(path.join(__dirname, '..', 'ferryman.node'));

/** Real functions given a time descriptor in their result. */
const RETURNS = {
  words: { iter: 'duration' }, // "PT1S PT2.5S" → each word an ISO 8601 duration
  'Vocabulary.words': { iter: 'duration' },
  async_sleep: 'duration',
  stream_count: { stream: 'timestamp' }, // items turned into SystemTime maps below
  'AsyncCounter.upcoming': { stream: 'timestamp' },
  'Counter.name': 'duration',
};

/** Named types of the added functions. */
const TYPES = [
  // Mutual recursion, the time after the reference: A holds one through B.
  { name: 'Ping', doc: null, kind: 'struct', fields: [
    { name: 'pong', type: { option: { named: 'Pong' } }, optional: true },
  ] },
  { name: 'Pong', doc: null, kind: 'struct', fields: [
    { name: 'ping', type: { option: { named: 'Ping' } }, optional: true },
    { name: 'at', type: 'timestamp', optional: false },
  ] },
  { name: 'Span', doc: null, kind: 'newtype_struct', type: 'duration' },
  { name: 'Plain', doc: null, kind: 'struct', fields: [{ name: 'at', type: 'str', optional: false }] },
];

/**
 * Added functions: [name, returns, a function answering the value as the
 * library would have written it (made anew each call: results are fresh)].
 */
const ADDED = [
  ['fake_timestamps', { list: 'timestamp' }, () => [
    [2024, 122, 12, 0, 0, 0, 2, 0, 0], // +02:00
    [2024, 122, 12, 0, 0, 5, -5, -30, 0], // -05:30
    [2024, 1, 0, 0, 0, 0, 0, 0, 30], // +00:00:30: no RFC 3339 form, so UTC
    [2024, 366, 23, 59, 59, 999999999, 0, 0, 0],
    [-1, 1, 0, 0, 0, 0, 0, 0, 0],
    { secs_since_epoch: 253402300800, nanos_since_epoch: 0 }, // year 10000
    { secs_since_epoch: 2n ** 53n + 1n, nanos_since_epoch: 0 }, // seconds beyond 2^53: a BigInt
    // None of the forms: unchanged.
    [2023, 366, 0, 0, 0, 0, 0, 0, 0],
    [2024, 122, 24, 0, 0, 0, 0, 0, 0],
    [2024, 122, 12, 0, 0, 1e9, 0, 0, 0],
    [2024, 122, 12, 0, 0, 0, 0, 0],
    { secs_since_epoch: 1, nanos_since_epoch: 1e9 },
    { secs_since_epoch: 1, nanos_since_epoch: 0, extra: 1 },
    'not a time',
    7,
    null,
  ]],
  ['fake_dates', { list: 'date' }, () => [
    [2024, 60], [2023, 60], [2024, 366], [10000, 1], [-44, 75],
    [2023, 366], [2024, 0], [2024, 1.5], [2024], '2024-05-01', 'May 1st', { year: 2024 },
  ]],
  ['fake_datetimes', { list: 'datetime' }, () => [
    [2024, 122, 12, 30, 5, 120000000], [2024, 122, 12, 30, 5, 0],
    [2024, 122, 12, 30, 60, 0], [2024, 122, 12, 30, 5], '2024-05-01T12:00:00.5', 'later',
  ]],
  ['fake_durations', { list: 'duration' }, () => [
    [1, -1], [-1, -500000000], [2, 0], { secs: 3, nanos: 1500000000 }, { secs: 2n ** 64n - 1n, nanos: 0 },
    'PT4.5S', '-PT1H30M', 'pt1m', '+PT0.000000001S', '-PT0.5S', 'PT9007199254740993S',
    'PT', 'P1D', 'PT1.5H', 'P2MT3H', [1, 0, 0], [1.5, 0], { secs: 1 }, { secs: 1, nanos: 0, x: 0 }, null,
  ]],
  ['fake_keys', { map: [{ tuple: ['i32', 'duration'] }, 'timestamp'] }, () => new Map([
    [[1, 'PT1S'], { secs_since_epoch: 0, nanos_since_epoch: 0 }],
  ])],
  ['fake_record_map', { map: ['str', { named: 'Span' }] }, () => ({ a: 'PT1S', b: [1, -1] })],
  ['fake_ping', { named: 'Ping' }, () => ({
    pong: { ping: { pong: { ping: null, at: { secs_since_epoch: 1, nanos_since_epoch: 0 } } }, at: [2024, 1, 0, 0, 0, 0, 0, 0, 0] },
  })],
  ['fake_plain', { named: 'Plain' }, () => ({ at: '2024-05-01' })],
  ['fake_unknown', { named: 'Unlisted' }, () => ({ secs: 1, nanos: 0 })],
];

/** Streams whose items are SystemTime maps: `n` → `{secs_since_epoch: n, …}`. */
const timeStreams = new Set();

function open(libPath, hooks) {
  const makeStream = hooks.makeStream;
  const opened = real.open(libPath, {
    ...hooks,
    makeStream(handle, token) {
      timeStreams.add(handle);
      return makeStream(handle, token);
    },
  });
  const describe = opened.describe;
  for (const described of describe.functions) {
    if (Object.hasOwn(RETURNS, described.name)) described.returns = { type: RETURNS[described.name], rust: 'T' };
  }
  describe.types = [...(describe.types || []).filter((t) => t.name !== 'Span'), ...TYPES];
  for (const [name, type, answer] of ADDED) {
    describe.functions.push({
      id: describe.functions.length, name, doc: '', params: [], returns: { type, rust: 'T' }, error: null,
      file: __filename, line: 1, class: null, kind: 'function', async: false, stream: false,
    });
    opened.functions.push({ [name]() { return answer(); } }[name]);
  }
  return opened;
}

async function streamNext(lib, handle, token) {
  const batch = await real.streamNext(lib, handle, token);
  if (batch === null || !timeStreams.has(handle)) return batch;
  return batch.map((n) => ({ secs_since_epoch: Number(n), nanos_since_epoch: 500000000 }));
}

module.exports = { ...real, open, streamNext };
