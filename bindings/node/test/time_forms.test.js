'use strict';
// Every result form of the time descriptors (spec/wire.md, "Times"), and the
// places a result reaches JS through (iterator and stream items, async
// results, methods), including those no fixture function writes: the fixture
// through test/times_addon.js, which describes some of its functions as
// returning times and adds functions answering in the `time` crate's forms
// with offsets, in named types that refer to each other. test/times.test.js
// has the fixture's own time functions.
const path = require('node:path');
const test = require('node:test');
const assert = require('node:assert/strict');

process.env.FERRYMAN_NODE_ADDON = path.join(__dirname, 'times_addon.js');
// test/fixture.js loads the fixture through the stand-in (its `require('..')` is this one).
const { ferryman, lib } = require('./fixture');

test("timestamps: time's offsets kept, SystemTime in UTC, the rest unchanged", () => {
  assert.deepEqual(lib.fake_timestamps(), [
    '2024-05-01T12:00:00+02:00',
    '2024-05-01T12:00:00.000000005-05:30',
    '2023-12-31T23:59:30Z',
    '2024-12-31T23:59:59.999999999Z',
    '-0001-01-01T00:00:00Z',
    '+10000-01-01T00:00:00Z',
    '+285428751-11-12T07:36:33Z',
    [2023, 366, 0, 0, 0, 0, 0, 0, 0],
    [2024, 122, 24, 0, 0, 0, 0, 0, 0],
    [2024, 122, 12, 0, 0, 1e9, 0, 0, 0],
    [2024, 122, 12, 0, 0, 0, 0, 0],
    { secs_since_epoch: 1, nanos_since_epoch: 1e9 },
    { secs_since_epoch: 1, nanos_since_epoch: 0, extra: 1 },
    'not a time',
    7,
    null,
  ]);
});

test("dates and date-times from time's arrays; other values unchanged", () => {
  assert.deepEqual(lib.fake_dates(), [
    '2024-02-29', '2023-03-01', '2024-12-31', '+10000-01-01', '-0044-03-15',
    [2023, 366], [2024, 0], [2024, 1.5], [2024], '2024-05-01', 'May 1st', { year: 2024 },
  ]);
  assert.deepEqual(lib.fake_datetimes(), [
    '2024-05-01T12:30:05.12', '2024-05-01T12:30:05',
    [2024, 122, 12, 30, 60, 0], [2024, 122, 12, 30, 5], '2024-05-01T12:00:00.5', 'later',
  ]);
});

test('durations: [secs, nanos] with 0 <= nanos < 1e9 from every form', () => {
  assert.deepEqual(lib.fake_durations(), [
    [0, 999999999], [-2, 500000000], [2, 0], [4, 500000000], [2n ** 64n - 1n, 0],
    [4, 500000000], [-5400, 0], [60, 0], [0, 1], [-1, 500000000], [9007199254740993n, 0],
    'PT', 'P1D', 'PT1.5H', 'P2MT3H', [1, 0, 0], [1.5, 0], { secs: 1 }, { secs: 1, nanos: 0, x: 0 }, null,
  ]);
});

test('times in map keys and values, newtypes, and types that refer to each other', () => {
  const keyed = lib.fake_keys();
  assert.ok(keyed instanceof Map);
  assert.deepEqual([...keyed], [[[1, [1, 0]], '1970-01-01T00:00:00Z']]);
  assert.deepEqual(lib.fake_record_map(), { a: [1, 0], b: [0, 999999999] });
  assert.deepEqual(lib.fake_ping(), {
    pong: { ping: { pong: { ping: null, at: '1970-01-01T00:00:01Z' } }, at: '2024-01-01T00:00:00Z' },
  });
  // No time in the type, or a type describe does not list: as decoded.
  assert.deepEqual(lib.fake_plain(), { at: '2024-05-01' });
  assert.deepEqual(lib.fake_unknown(), { secs: 1, nanos: 0 });
});

test('iterator items are converted, batch by batch', () => {
  assert.deepEqual([...lib.words('PT1S PT2.5S -PT0.25S plain')], [[1, 0], [2, 500000000], [-1, 750000000], 'plain']);
  const many = Array.from({ length: 150 }, (_, i) => `PT${i}S`).join(' ');
  assert.deepEqual([...lib.words(many)], Array.from({ length: 150 }, (_, i) => [i, 0]));
  const vocabulary = new lib.Vocabulary(['PT1M', 'PT0.5S']);
  assert.deepEqual([...vocabulary.words()], [[60, 0], [0, 500000000]]);
  vocabulary.close();
});

test('stream items, async results and method results are converted', async () => {
  const items = [];
  for await (const item of lib.stream_count(3)) items.push(item);
  assert.deepEqual(items, ['1970-01-01T00:00:00.5Z', '1970-01-01T00:00:01.5Z', '1970-01-01T00:00:02.5Z']);
  const counter = new lib.AsyncCounter(0);
  const upcoming = [];
  for await (const item of counter.upcoming(1)) upcoming.push(item);
  assert.deepEqual(upcoming, ['1970-01-01T00:00:01.5Z']);
  counter.close();

  const pending = lib.async_sleep(1, 'PT1.5S');
  assert.ok(pending instanceof Promise);
  assert.deepEqual(await pending, [1, 500000000]);
  assert.deepEqual(await lib.async_sleep(1, '-PT1.5S', new AbortController().signal), [-2, 500000000]);
  await assert.rejects(lib.async_sleep('soon', 'PT1S'), ferryman.ArgumentError);

  const named = new lib.Counter('PT3S', 0);
  assert.deepEqual(named.name(), [3, 0]);
  named.close();
});
