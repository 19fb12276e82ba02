'use strict';
// Times in results (spec/wire.md, "Times"; spec/host-guide.md, section 8):
// whatever form the Rust crate writes (std, chrono, time, jiff), a result is
// the form the Node host sends — RFC 3339 text for a "timestamp", `YYYY-MM-DD`
// for a "date", `YYYY-MM-DDTHH:MM:SS[.f]` for a "datetime", `[secs, nanos]`
// for a "duration" — at any depth, so it can be passed back. Runs the
// fixture's tests/fixture/src/times.rs, time_crates.rs and record_times.rs.
const test = require('node:test');
const assert = require('node:assert/strict');
const { lib } = require('./fixture');

function isNative(fn) {
  return /\[native code\]/.test(Function.prototype.toString.call(fn));
}

test('std: Duration is [secs, nanos], SystemTime RFC 3339 text in UTC', () => {
  assert.deepEqual(lib.scale_duration([1, 0], 2), [2, 0]);
  assert.deepEqual(lib.scale_duration([1, 500000000], 3), [4, 500000000]);
  assert.deepEqual(lib.scale_duration([2 ** 53 - 1, 999999999], 1), [2 ** 53 - 1, 999999999]);
  // Beyond ±(2^53 − 1) the seconds are a BigInt, as every integer result.
  assert.deepEqual(lib.scale_duration([2n ** 63n, 1], 1), [2n ** 63n, 1]);
  assert.equal(lib.echo_system_time('2024-05-01T12:00:00Z'), '2024-05-01T12:00:00Z');
  assert.equal(lib.echo_system_time('2024-05-01T14:00:00+02:00'), '2024-05-01T12:00:00Z');
  // Every nanosecond kept (no trip through Date), trailing zeros trimmed.
  assert.equal(lib.echo_system_time('2024-05-01T12:00:00.123456789Z'), '2024-05-01T12:00:00.123456789Z');
  assert.equal(lib.echo_system_time('2024-05-01T12:00:00.120Z'), '2024-05-01T12:00:00.12Z');
  assert.equal(lib.echo_system_time('2024-05-01T12:00:00.000000001Z'), '2024-05-01T12:00:00.000000001Z');
  assert.equal(lib.echo_system_time('1970-01-01T00:00:00Z'), '1970-01-01T00:00:00Z');
  assert.equal(lib.echo_system_time('2024-02-29T23:59:59Z'), '2024-02-29T23:59:59Z');
  assert.equal(lib.echo_system_time('9999-12-31T23:59:59.999999999Z'), '9999-12-31T23:59:59.999999999Z');
  assert.equal(lib.echo_system_time(new Date(Date.UTC(2000, 0, 1))), '2000-01-01T00:00:00Z');
  assert.deepEqual(
    lib.later_times(['2024-05-01T12:00:00Z', '2024-12-31T23:59:59.5Z'], [0, 500000000]),
    ['2024-05-01T12:00:00.5Z', '2025-01-01T00:00:00Z'],
  );
  assert.deepEqual(lib.later_times([], [1, 0]), []);
});

test('chrono: text stays as chrono wrote it; TimeDelta is [secs, nanos]', () => {
  assert.equal(lib.echo_utc('2024-05-01T14:00:00+02:00'), '2024-05-01T12:00:00Z');
  assert.equal(lib.utc_plus('2024-05-01T12:00:00Z', [1, 5]), '2024-05-01T12:00:01.000000005Z');
  assert.deepEqual(lib.scale_delta([1, 500000000], -3), [-5, 500000000]);
  assert.deepEqual(lib.scale_delta([0, 0], 3), [0, 0]);
  assert.equal(lib.next_day('2024-02-28'), '2024-02-29');
  assert.equal(lib.next_day('9999-12-31'), '+10000-01-01', "chrono's extended year, as it wrote it");
  assert.equal(lib.naive_plus('2024-05-01T12:00:00.5', 3), '2024-05-01T12:00:03.500');
  assert.equal(lib.date_of('2024-05-01T12:00:00'), '2024-05-01');
});

test("time: the crate's arrays become text and [secs, nanos]", () => {
  // OffsetDateTime's 9 ints: RFC 3339, `Z` for a zero offset.
  assert.equal(lib.time_plus('2024-05-01T12:00:00.25+02:00', [1, 5]), '2024-05-01T10:00:01.250000005Z');
  assert.equal(lib.time_plus('2024-12-31T23:59:59Z', [1, 0]), '2025-01-01T00:00:00Z');
  assert.deepEqual(
    lib.time_later_than(['2024-05-01T12:00:00Z', '2020-01-01T00:00:00Z'], '2021-01-01T00:00:00Z'),
    ['2024-05-01T12:00:00Z'],
  );
  // Duration's nanos have the sign of its secs: normalised to 0 <= nanos < 1e9.
  assert.deepEqual(lib.time_scale([1, 500000000], -3), [-5, 500000000]);
  assert.deepEqual(lib.time_scale([-2, 500000000], 1), [-2, 500000000]);
  assert.deepEqual(lib.time_scale([1, 500000000], 2), [3, 0]);
  assert.deepEqual(lib.time_scale([2 ** 53, 0], 100), [2n ** 53n * 100n, 0]);
  // Date's [year, day of year].
  assert.equal(lib.time_next_day('2024-05-01'), '2024-05-02');
  assert.equal(lib.time_next_day('2024-02-28'), '2024-02-29');
  assert.equal(lib.time_next_day('2024-02-29'), '2024-03-01');
  assert.equal(lib.time_next_day('2023-02-28'), '2023-03-01');
  assert.equal(lib.time_next_day('2100-02-28'), '2100-03-01');
  assert.equal(lib.time_next_day('2024-12-30'), '2024-12-31');
  assert.equal(lib.time_next_day('2023-12-31'), '2024-01-01');
  assert.equal(lib.time_next_day('0000-01-01'), '0000-01-02');
  assert.equal(lib.time_next_day('9999-12-31'), null);
  // PrimitiveDateTime's 6 ints.
  assert.equal(lib.time_civil_plus('2024-05-01T12:00:00.000000007', 3), '2024-05-01T12:00:03.000000007');
  assert.equal(lib.time_civil_plus('2024-12-31T23:59:59.5', 1), '2025-01-01T00:00:00.5');
});

test('jiff: text stays; SignedDuration ISO 8601 text is [secs, nanos]', () => {
  assert.equal(lib.jiff_plus('2024-05-01T12:00:00Z', [1, 5]), '2024-05-01T12:00:01.000000005Z');
  assert.deepEqual(lib.jiff_scale([1, 500000000], -3), [-5, 500000000]); // -PT4.5S
  assert.deepEqual(lib.jiff_scale([3725, 0], 1), [3725, 0]); // PT1H2M5S
  assert.deepEqual(lib.jiff_scale([0, 0], 1), [0, 0]); // PT0S
  assert.deepEqual(lib.jiff_scale([0, 1], -1), [-1, 999999999]);
  assert.deepEqual(lib.jiff_scale([2 ** 53, 0], 100), [2n ** 53n * 100n, 0]);
  assert.deepEqual(lib.jiff_scale([-(2 ** 53), 1], 100), [-(2n ** 53n) * 100n, 100]);
  assert.equal(lib.jiff_next_day('2024-05-01'), '2024-05-02');
  assert.equal(lib.jiff_civil_plus('2024-05-01T12:00:00.5', 3), '2024-05-01T12:00:03.5');
  // Zoned: RFC 9557 text, kept with its bracketed zone.
  assert.equal(lib.zoned_at_offset('2024-05-01T08:00:00Z', 2), '2024-05-01T10:00:00+02:00[+02:00]');
  assert.equal(lib.echo_zoned('2024-05-01T08:00:00-04:00[-04:00]'), '2024-05-01T08:00:00-04:00[-04:00]');
  // Span is "str": its ISO 8601 text, not a duration.
  assert.equal(lib.echo_span('P2MT3H'), 'P2MT3H');
  assert.equal(lib.echo_span('PT3H'), 'PT3H');
});

const ENTRY = {
  path: '/data/a.txt',
  age: [90, 5],
  modified: '2024-05-01T12:00:00.25Z',
  day: '2024-05-01',
  seen: '2024-05-01T12:00:00Z',
  local: '2024-05-01T12:00:00',
  others: ['/data/b.txt'],
  timeout: [2, 0],
  by_name: { first: '2024-05-01T12:00:00Z', second: '1999-12-31T23:59:59.999Z' },
  opens: '08:00:00',
  size: 7,
  ratio: 0.5,
  pair: [1, '/data/c.txt'],
};

test('times inside a record, an option, a list, a map and a tuple', () => {
  const entry = lib.echo_file_entry(ENTRY);
  assert.deepEqual(entry, ENTRY);
  assert.deepEqual(lib.echo_file_entry({ ...ENTRY, timeout: null }), { ...ENTRY, timeout: null });
  assert.deepEqual(lib.echo_file_entries([ENTRY, ENTRY]), [ENTRY, ENTRY]);
  assert.equal(lib.echo_file_entries(null), null);
  assert.deepEqual(lib.echo_file_entries([]), []);
});

test('times inside enum variants, tuple structs and newtypes', () => {
  const events = [
    'Idle',
    { Started: '2024-05-01T12:00:00Z' },
    { Moved: ['/a', '/b'] },
    { Timed: { took: [1, 500000000], at: '2024-05-01T12:00:00.500Z' } }, // chrono's text
    { Timed: { took: [0, 1], at: null } },
  ];
  assert.deepEqual(lib.echo_events(events), events);
  assert.deepEqual(lib.stamp('/home/me/file', '2024-05-01T12:00:00Z'), [['/home/me/file', '2024-05-01T12:00:00Z'], '/home/me']);
  assert.deepEqual(lib.stamp('/', '2024-05-01T12:00:00Z'), [['/', '2024-05-01T12:00:00Z'], null]);
});

test("a record of the time and jiff crates' types", () => {
  const times = {
    at: '2024-05-01T12:00:00.5+02:00',
    day: '2024-02-29',
    local: '2024-12-31T23:59:59.999999999',
    took: [-2, 500000000],
    jiff_at: '2024-05-01T12:00:00Z',
    jiff_day: '2024-05-01',
    jiff_local: '2024-05-01T12:00:00',
    jiff_took: [-2, 500000000],
    zoned: '2024-05-01T08:00:00-04:00[-04:00]',
    span: 'P2MT3H',
  };
  // `time`'s OffsetDateTime reads its argument in UTC (spec/wire.md, "Times").
  assert.deepEqual(lib.echo_crate_times(times), { ...times, at: '2024-05-01T10:00:00.5Z' });
});

test('results pass back as arguments', () => {
  const duration = lib.scale_duration([1, 500000000], 3);
  assert.deepEqual(lib.scale_duration(duration, 1), duration);
  assert.equal(lib.duration_seconds(duration), 4.5);
  const delta = lib.scale_delta([1, 500000000], -3);
  assert.deepEqual(lib.scale_delta(delta, 1), delta);
  assert.deepEqual(lib.time_scale(lib.time_scale([1, 500000000], -3), 1), [-5, 500000000]);
  assert.deepEqual(lib.jiff_scale(lib.jiff_scale([1, 500000000], -3), 1), [-5, 500000000]);
  assert.equal(lib.duration_seconds(lib.jiff_scale([3725, 250000000], 1)), 3725.25);

  const instant = lib.echo_system_time('2024-05-01T12:00:00.123456789Z');
  assert.equal(lib.echo_system_time(instant), instant);
  assert.equal(lib.seconds_since_epoch(lib.echo_system_time('1970-01-01T00:01:00.5Z')), 60.5);
  const offset = lib.time_plus('2024-05-01T12:00:00Z', [0, 7]);
  assert.equal(lib.time_plus(offset, [0, 0]), offset);
  assert.equal(lib.echo_utc(offset), '2024-05-01T12:00:00.000000007Z');
  assert.equal(lib.jiff_plus(lib.echo_system_time(instant), [0, 0]), instant);

  assert.equal(lib.time_next_day(lib.time_next_day('2024-02-28')), '2024-03-01');
  assert.equal(lib.next_day(lib.time_next_day('2024-05-01')), '2024-05-03');
  assert.equal(lib.time_civil_plus(lib.time_civil_plus('2024-05-01T12:00:00.5', 1), 1), '2024-05-01T12:00:02.5');
  assert.equal(lib.naive_plus(lib.time_civil_plus('2024-05-01T12:00:00', 1), 1), '2024-05-01T12:00:02');

  const entry = lib.echo_file_entry(ENTRY);
  assert.deepEqual(lib.echo_file_entry(entry), ENTRY);
  const events = lib.echo_events([{ Started: '2024-05-01T12:00:00Z' }, { Timed: { took: [1, 0], at: null } }]);
  assert.deepEqual(lib.echo_events(events), events);
});

test('functions whose results hold no time are the native functions, untouched', () => {
  // No wrapper on the hot path: the addon's function itself.
  for (const name of ['add', 'echo_map', 'echo_vec_i64', 'echo_strings', 'echo_point', 'tree', 'duration_seconds']) {
    assert.ok(isNative(lib[name]), `${name} is not wrapped`);
  }
  for (const name of ['scale_duration', 'echo_system_time', 'echo_file_entry', 'echo_events', 'stamp']) {
    assert.ok(!isNative(lib[name]), `${name} converts its times`);
    assert.equal(lib[name].name, name);
  }
  assert.equal(lib.scale_duration.length, 2);
  // Values that look like the library's time forms pass unchanged where the
  // descriptor is not a time.
  assert.deepEqual(lib.echo_map({ secs: 1, nanos: 2 }), { secs: 1, nanos: 2 });
  assert.deepEqual(lib.echo_map({ secs_since_epoch: 1, nanos_since_epoch: 0 }), { secs_since_epoch: 1, nanos_since_epoch: 0 });
  assert.deepEqual(lib.echo_vec_i64([2024, 123]), [2024, 123]);
  assert.deepEqual(lib.echo_strings(['PT1S']), ['PT1S']);
  // A named type holding paths but no times decodes as before.
  assert.deepEqual(lib.tree('/r', 1), { path: '/r', children: [{ path: '/r/d', children: [] }] });
});
