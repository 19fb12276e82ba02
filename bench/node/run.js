#!/usr/bin/env node
'use strict';
// ferryman's Node benchmark: every case × every column in one Node process.
//
//     node bench/node/run.js            # the full run: markdown tables on stdout
//     node bench/node/run.js --smoke    # a few checked calls of every cell
//
// Build first with `bash bench/build.sh` and install koffi with `npm ci` in
// bench/node (`bash bench/node/run.sh` does both).
//
// Timing, as in the Python table (bench/run.py): for each case, every column
// is calibrated so that one repeat (`number` calls of `f(args)` in a loop, `f`
// and the arguments bound beforehand) lasts about `--target-ms`; then the
// repeats of all columns are interleaved, so that a noisy neighbour slows every
// column alike. A cell reports the median ns per call of its repeats, their
// 10th–90th percentile spread, and its ratio to the napi-rs column.
//
// Benchmarks are not tests: nothing here asserts a time. `--smoke` only checks
// that every column returns the right results, and exits non-zero when one
// does not.

const os = require('node:os');
const util = require('node:util');
const { LOADERS, ferrymanPresent } = require('./columns');

// --- cases ----------------------------------------------------------------------

const RECORD = { name: 'ferry', id: 41, score: 1.25, tags: Array.from({ length: 10 }, (_, i) => i) };
const BUMPED = { name: 'ferry!', id: 42, score: 2.5, tags: RECORD.tags };
const ERROR_MESSAGE = 'failed with code 7';

function payload(size) {
  const data = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) data[i] = i % 251;
  return data;
}

function equals(expected) {
  return (result) => typeof result === typeof expected && util.isDeepStrictEqual(result, expected);
}

function bytesCase(key, label, size, goal) {
  const data = payload(size);
  return {
    key,
    label,
    fn: 'echo',
    args: () => [data],
    // A new Buffer each call, never the caller's own.
    check: (result) => Buffer.isBuffer(result) && result !== data && result.equals(data),
    goal,
  };
}

function listCase(key, label, size, goal) {
  const values = Array.from({ length: size }, (_, i) => i);
  const total = (size * (size - 1)) / 2;
  return { key, label, fn: 'sum', args: () => [values], check: equals(total), goal };
}

// Targets (issue 13): every small call ≤ 3× napi-rs, large payloads ≤ 1.5×.
const SMALL = 3;
const LARGE = 1.5;

const CASES = [
  { key: 'add', label: 'add(1, 2)', fn: 'add', args: () => [1, 2], check: equals(3), goal: SMALL },
  bytesCase('echo16', 'echo 16 B', 16, SMALL),
  bytesCase('echo64k', 'echo 64 KiB', 64 * 1024, LARGE),
  bytesCase('echo1m', 'echo 1 MiB', 1024 * 1024, LARGE),
  listCase('sum10', 'sum of 10 ints', 10, SMALL),
  listCase('sum10k', 'sum of 10,000 ints', 10_000, LARGE),
  {
    key: 'record',
    label: 'record round trip',
    fn: 'bump',
    args: () => [{ ...RECORD, tags: [...RECORD.tags] }],
    check: (result) => util.isDeepStrictEqual({ ...result }, BUMPED),
    goal: SMALL,
  },
  {
    key: 'error',
    label: 'error thrown and caught',
    fn: 'fail',
    args: () => [7],
    check: (error) => error instanceof Error && error.message.includes(ERROR_MESSAGE),
    raises: true,
    goal: SMALL,
  },
];

// --- running one cell --------------------------------------------------------------

/** Calls the case once; returns its result, or the error for `raises` cases. */
function callOnce(kase, column) {
  const f = column[kase.fn];
  const args = kase.args();
  if (!kase.raises) return f(...args);
  let result;
  try {
    result = f(...args);
  } catch (error) {
    return error;
  }
  throw new Error(`${kase.label}: nothing thrown, returned ${util.inspect(result)}`);
}

/** Undefined when the column gets the case right, else what went wrong. */
function checkCell(kase, column) {
  let result;
  try {
    result = callOnce(kase, column);
  } catch (error) {
    return `threw ${(error && error.stack) || error}`.split('\n').slice(0, 4).join('\n');
  }
  if (!kase.check(result)) {
    return `wrong result: ${util.inspect(result, { maxArrayLength: 12, breakLength: Infinity }).slice(0, 200)}`;
  }
  return undefined;
}

/**
 * A timed loop calling the column's function directly, `f(a0, a1, …)`, made
 * afresh for each cell with `new Function` so that its call site sees one
 * function only (what `timeit` compiling a statement per cell gives Python).
 * Returns `(number) => elapsed ns`.
 */
function makeTimer(kase, column) {
  const f = column[kase.fn];
  const args = kase.args();
  const names = args.map((_, i) => `a${i}`);
  const call = `f(${names.join(', ')})`;
  const body = kase.raises
    ? `for (let i = 0; i < n; i++) { try { ${call}; } catch (e) {} }`
    : `let r; for (let i = 0; i < n; i++) { r = ${call}; } return r;`;
  // eslint-disable-next-line no-new-func
  const loop = new Function('f', ...names, 'n', body);
  if (CLOCK.cpu) {
    return (number) => {
      const start = process.cpuUsage();
      loop(f, ...args, number);
      const used = process.cpuUsage(start);
      return (used.user + used.system) * 1000;
    };
  }
  return (number) => {
    const start = process.hrtime.bigint();
    loop(f, ...args, number);
    return Number(process.hrtime.bigint() - start);
  };
}

// `--clock cpu`: time a repeat by the process's CPU time (user + system, all
// its threads) instead of the wall clock, so that waiting for a core on a
// loaded machine is not counted (V8's own GC and compiler threads are).
const CLOCK = { cpu: false };

/** The number of calls that makes one repeat last about `targetNs`. */
function calibrate(timer, targetNs) {
  let number = 1;
  let elapsed;
  for (;;) {
    elapsed = timer(number);
    if (elapsed >= targetNs / 5 || number >= 1 << 26) break;
    number *= elapsed < targetNs / 50 ? 4 : 2;
  }
  return Math.max(1, Math.round((number * targetNs) / Math.max(elapsed, 1)));
}

function median(samples) {
  return percentile(samples, 0.5);
}

function percentile(samples, q) {
  const ordered = [...samples].sort((a, b) => a - b);
  const position = q * (ordered.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return ordered[low] + (ordered[high] - ordered[low]) * (position - low);
}

// --- loading ---------------------------------------------------------------------------

/** Loads the columns; returns the loaded ones and why the others were not. */
function loadColumns(keys) {
  const loaded = {};
  const failed = {};
  const absent = {};
  for (const key of keys) {
    if (key === 'ferryman' && !ferrymanPresent()) {
      absent[key] = 'bindings/node is not in this tree';
      continue;
    }
    try {
      loaded[key] = LOADERS[key]();
    } catch (error) {
      failed[key] = `${error.name}: ${error.message}`;
    }
  }
  return { loaded, failed, absent };
}

// --- smoke --------------------------------------------------------------------------------

function smoke(keys, cases) {
  const started = process.hrtime.bigint();
  const { loaded, failed, absent } = loadColumns(keys);
  const problems = Object.entries(failed).map(([key, why]) => `column ${key} does not load: ${why}`);
  for (const [key, why] of Object.entries(absent)) console.log(`—   column ${key} skipped: ${why}`);
  for (const kase of cases) {
    for (const column of Object.values(loaded)) {
      let problem;
      for (let i = 0; i < 3 && !problem; i++) problem = checkCell(kase, column);
      if (problem) {
        problems.push(`${kase.label} / ${column.label}: ${problem}`);
        continue;
      }
      const timer = makeTimer(kase, column);
      timer(2);
      timer(2);
      console.log(`ok  ${kase.label.padEnd(24)} ${column.label}`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const problem of problems) console.error(`FAIL ${problem}`);
  const verdict = problems.length ? 'FAILED' : 'passed';
  const count = Object.keys(loaded).length;
  console.log(`node smoke run ${verdict}: ${cases.length} cases × ${count} columns in ${seconds.toFixed(1)} s`);
  return problems.length ? 1 : 0;
}

// --- full run ---------------------------------------------------------------------------

/** Every cell: `{number, samples}`, a string saying why it was not measured. */
function measure(columns, cases, repeats, targetNs) {
  const cells = new Map();
  for (const kase of cases) {
    const timers = [];
    for (const column of Object.values(columns)) {
      const problem = checkCell(kase, column);
      if (problem) {
        cells.set(`${kase.key}/${column.key}`, problem.split('\n')[0]);
        continue;
      }
      const timer = makeTimer(kase, column);
      const cell = { number: calibrate(timer, targetNs), samples: [] };
      cells.set(`${kase.key}/${column.key}`, cell);
      timers.push([column.key, timer, cell]);
    }
    for (let r = 0; r < repeats; r++) {
      for (const [, timer, cell] of timers) cell.samples.push(timer(cell.number) / cell.number);
    }
    if (global.gc) global.gc();
    const done = timers.map(([key, , cell]) => `${key} ${fmtNs(median(cell.samples))} ns`);
    console.error(`  ${kase.label}: ${done.join(', ')}`);
  }
  return cells;
}

function fmtNs(ns) {
  return ns >= 100 ? Math.round(ns).toLocaleString('en-US') : ns.toFixed(1);
}

function fmtRatio(ratio) {
  if (ratio >= 100) return `×${Math.round(ratio).toLocaleString('en-US')}`;
  if (ratio >= 10) return `×${ratio.toFixed(1)}`;
  return `×${ratio.toFixed(2)}`;
}

function printTables(columns, failed, absent, cases, cells) {
  const keys = Object.keys(LOADERS).filter((k) => k in columns);
  const cell = (kase, key) => cells.get(`${kase.key}/${key}`);
  const isCell = (c) => c !== undefined && typeof c !== 'string';
  const ratio = (kase, key) => {
    const base = cell(kase, 'napi');
    const ours = cell(kase, key);
    return isCell(base) && isCell(ours) ? fmtRatio(median(ours.samples) / median(base.samples)) : '–';
  };
  const verdict = (kase) => {
    const wanted = `≤ ${kase.goal}×`;
    const ours = cell(kase, 'ferryman');
    const base = cell(kase, 'napi');
    if (!isCell(ours) || !isCell(base)) return wanted;
    return `${wanted} ${median(ours.samples) / median(base.samples) <= kase.goal ? 'met' : 'missed'}`;
  };

  console.log('### Median ns per call (ratio to napi-rs)\n');
  console.log(`| case | ${keys.map((k) => columns[k].label).join(' | ')} | target |`);
  console.log(`|---|${'---:|'.repeat(keys.length)}---|`);
  for (const kase of cases) {
    const row = keys.map((key) => {
      const c = cell(kase, key);
      return isCell(c) ? `${fmtNs(median(c.samples))} (${ratio(kase, key)})` : 'error';
    });
    console.log(`| ${kase.label} | ${row.join(' | ')} | ${verdict(kase)} |`);
  }

  console.log('\n### Every cell: median, spread (p10–p90 of the repeats), ratio to napi-rs\n');
  console.log('| case | column | median ns | p10–p90 ns | × napi-rs | calls × repeats |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const kase of cases) {
    for (const key of keys) {
      const c = cell(kase, key);
      if (isCell(c)) {
        const spread = `${fmtNs(percentile(c.samples, 0.1))}–${fmtNs(percentile(c.samples, 0.9))}`;
        const calls = `${c.number.toLocaleString('en-US')} × ${c.samples.length}`;
        console.log(
          `| ${kase.label} | ${columns[key].label} | ${fmtNs(median(c.samples))} | ${spread} | ${ratio(kase, key)} | ${calls} |`,
        );
      } else {
        console.log(`| ${kase.label} | ${columns[key].label} | error: ${c} | | | |`);
      }
    }
  }
  for (const [key, why] of Object.entries({ ...failed, ...absent })) {
    console.log(`\nColumn \`${key}\` was not measured: ${why}`);
  }
}

/** The medians as JSON (`--json`), to combine several runs. */
function mediansJson(cases, cells) {
  const out = {};
  for (const [id, c] of cells) {
    if (typeof c !== 'string') out[id] = median(c.samples);
  }
  return JSON.stringify({ cases: cases.map((k) => k.key), medians: out });
}

// --- command line ------------------------------------------------------------------

function parseArgs(argv) {
  const { values } = util.parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      repeats: { type: 'string', default: '21' },
      'target-ms': { type: 'string', default: '40' },
      columns: { type: 'string', default: Object.keys(LOADERS).join(',') },
      cases: { type: 'string', default: CASES.map((k) => k.key).join(',') },
      json: { type: 'boolean', default: false },
      clock: { type: 'string', default: 'wall' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return values;
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`run.js: ${error.message}`);
    return 2;
  }
  if (options.help) {
    console.log(
      'usage: node bench/node/run.js [--smoke] [--repeats N] [--target-ms T] ' +
        `[--columns ${Object.keys(LOADERS).join(',')}] [--cases ${CASES.map((k) => k.key).join(',')}] ` +
        '[--clock wall|cpu] [--json]',
    );
    return 0;
  }
  const keys = options.columns.split(',').filter(Boolean);
  const unknownColumns = keys.filter((k) => !(k in LOADERS));
  const wanted = options.cases.split(',').filter(Boolean);
  const unknownCases = wanted.filter((k) => !CASES.some((c) => c.key === k));
  if (unknownColumns.length || unknownCases.length) {
    console.error(`run.js: unknown ${unknownColumns.length ? `column ${unknownColumns}` : `case ${unknownCases}`}`);
    return 2;
  }
  const cases = CASES.filter((k) => wanted.includes(k.key));
  if (options.smoke) return smoke(keys, cases);

  if (options.clock !== 'wall' && options.clock !== 'cpu') {
    console.error('run.js: --clock is wall or cpu');
    return 2;
  }
  CLOCK.cpu = options.clock === 'cpu';
  const repeats = Number(options.repeats);
  const targetNs = Number(options['target-ms']) * 1e6;
  if (!(repeats >= 1) || !(targetNs > 0)) {
    console.error('run.js: --repeats and --target-ms must be positive numbers');
    return 2;
  }
  const { loaded, failed, absent } = loadColumns(keys);
  const cpu = os.cpus()[0];
  console.error(
    `node ${process.version} on ${os.platform()}-${os.arch()}, ${os.cpus().length} × ${cpu ? cpu.model : '?'}; ` +
      `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${repeats} repeats of ~${options['target-ms']} ms ` +
      `(${options.clock} clock)`,
  );
  const cells = measure(loaded, cases, repeats, targetNs);
  if (options.json) {
    console.log(mediansJson(cases, cells));
  } else {
    printTables(loaded, failed, absent, cases, cells);
  }
  return 0;
}

process.exitCode = main();
