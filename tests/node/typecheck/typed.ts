// Correct uses of the fixture's generated .d.ts: tsc --noEmit must accept
// every line, and, compiled, it runs against the fixture through the Node
// host (scripts/ts_check.sh): what the declarations promise is there.
import * as assert from "node:assert/strict";
import * as ferryman from "ferryman";
import type {
  Counter,
  Event,
  FerrymanFixtureLibrary,
  Point,
  RatioError,
  Settings,
  Shape,
  Tree,
} from "./generated/ferryman_fixture";

const lib = ferryman.load<FerrymanFixtureLibrary>(process.env.FERRYMAN_FIXTURE ?? "libferryman_fixture.so");

// Library members from ferryman.Library stay.
const names: readonly string[] = lib.functions;
const live: Record<string, number> = lib.liveObjects();
const description: Record<string, unknown> = lib.describe();

// Integers: number or bigint in; 64-bit results may be bigint, narrower ones are numbers.
const sum: number | bigint = lib.add(2, 3n);
const small: number = lib.echo_i32(7);
assert.equal(typeof small, "number");
const quotient = lib.divide(7, 2);
const wide: bigint | number = lib.echo_u128(2n ** 100n);
const ratio: number = lib.ratio(1.0, 2.0, { low: 0, high: 1 });

// Text, bytes, lists, tuples, maps, options.
const shouted: string = lib.shout("hi");
const echoed: Buffer = lib.echo_bytes(new Uint8Array([1, 2]));
assert.ok(Buffer.isBuffer(echoed));
const chunks: Buffer[] = lib.bytes_chunks(Buffer.from("abcd"), 2);
const total = lib.sum([1, 2, 3n] as const);
const tuple: [number, string, boolean] = lib.echo_tuple([1, "a", true]);
const counts: Record<string, number | bigint> = lib.echo_map({ a: 1, b: 2n });
const fromMap = lib.echo_map(new Map([["a", 1]]));
const keyed: Map<number | bigint, string> = lib.echo_int_keys(new Map([[1, "one"]]));
assert.ok(keyed instanceof Map);
const maybe: number | bigint | null = lib.echo_option();
assert.equal(maybe, null);
const maybeToo = lib.echo_option(null) ?? lib.echo_option(undefined) ?? lib.echo_option(4);
const mean: number | null = lib.mean([1.5, 2.5]);

// Defaults are optional parameters.
const joined: string = lib.join_top(["a", "b"]) + lib.join_top(["a"], 1) + lib.join_top(["a"], 1n, "-");
const scaled: number = lib.scaled(2) + lib.scaled(2, 3) + lib.scaled(2, 3, true);

// Records and enums in the wire's form.
const point: Point = lib.echo_point({ x: 1, y: 2 });
const distance: number = lib.distance(point, { x: 0, y: 0 });
const shapes: Shape[] = ["Empty", { Circle: { center: point, radius: 1 } }, { Square: 2 }];
const area: Shape = lib.echo_shape(shapes[1]);
const events: Event[] = ["Start", { Move: point }, { Resize: [1, 2] }, { close: { code: 1 } }];
const last: Event | null = lib.replay(3.5, events);
const settings: Settings = { maxDepth: 3, key: new Uint8Array(4), mode: { Careful: { retries: 2 } } };
const [configured, pair] = lib.configure(settings, []);
const label: string | null | undefined = configured.label;
const pairText: string = pair[1];
const tree: Tree = lib.tree("/", 2);
const firstChild: string | undefined = tree.children[0]?.path;

// Callbacks and closures.
const applied = lib.apply((x) => (typeof x === "bigint" ? x * 2n : x * 2), 21);
const mapped: Point = lib.map_point((p) => ({ x: p.y, y: p.x }), point);
const visited: Array<number | bigint> = [];
lib.for_each_value([1, 2], (value) => {
  visited.push(value);
});
assert.deepEqual(visited, [1, 2]);
const addTwo = lib.adder(2);
const four: number | bigint = addTwo(2);
const join = lib.joiner("-");
const dashed: string = join("a", "b");
const composed = lib.make_and_apply((n) => (x) => x, 1, 2);

// Objects: classes with constructors, methods, statics, close and dispose.
const counter: Counter = new lib.Counter("c", 1);
const value: number | bigint = counter.add(2);
const named: Counter = lib.Counter.named("d");
const text: string = `${counter}` + counter.toString() + counter.name();
const same: boolean = counter.equals(named) && counter.compareTo(named) === 0;
counter.rename("e");
const greeting: string = new lib.Greeter().greet("Ann") + new lib.Greeter("Hi").greet("Bob", "?", 2);
const words: string[] = [...new lib.Vocabulary(["a", "b"]).words()];
assert.deepEqual(words, ["a", "b"]);
for (const c of new lib.Vocabulary(["x"]).counters()) {
  c.close();
}
const maybeCounter: Counter | null = lib.maybe_counter(true);
const counterTotal = lib.counter_total([counter, named]);
{
  using scoped = new lib.Counter("scoped", 0);
  scoped.add(1);
}
named[Symbol.dispose]();

// Iterators.
const counted: Array<number | bigint> = [];
for (const n of lib.count_up(3)) {
  const m: number | bigint = n;
  counted.push(m);
}
assert.deepEqual(counted, [0, 1, 2]);

// Errors: classes under lib.errors extending ferryman.RustError, typed fields.
const caught: string[] = [];
for (const fail of [
  () => lib.ratio(1, 0, { low: 0, high: 1 }),
  () => lib.take_items("ann", 5),
  () => lib.find_user("bob"),
  () => lib.divide(1, 0),
]) {
  try {
    fail();
  } catch (error) {
    caught.push(check(error));
  }
}
assert.deepEqual(caught, ["RatioError", "QuotaError", "NoSuchUser", "MathError"]);

function check(error: unknown): string {
  if (error instanceof lib.errors.RatioError) {
    const e: RatioError = error;
    const variant: "not_finite" | "bad_text" | "out_of_bounds" = e.variant;
    const fields = e.fields;
    if ("numerator" in fields) {
      const numerator: number = fields.numerator;
      const hint: string | null | undefined = fields.hint;
      assert.equal(numerator, 1);
      assert.equal(typeof hint, "string");
    }
    const base: ferryman.RustError = e;
    const frames: ferryman.Frame[] = e.frames;
    assert.equal(variant, "not_finite");
    assert.ok(base instanceof ferryman.RustError && frames.length > 0);
    return "RatioError";
  } else if (error instanceof lib.errors.QuotaError) {
    const most: number = error.fields.maxItems;
    const user: string = error.fields.userName;
    assert.equal(error.maxItems, most);
    assert.equal(error.userName, user);
    return "QuotaError";
  } else if (error instanceof lib.errors.NoSuchUser) {
    const missing: string = error.fields["0"];
    assert.equal(missing, "bob");
    return "NoSuchUser";
  } else if (error instanceof lib.errors.MathError) {
    const plain: Record<string, unknown> | null = error.fields;
    assert.ok(plain === null || typeof plain === "object");
    return "MathError";
  } else if (error instanceof ferryman.RustPanic || error instanceof ferryman.ArgumentError) {
    return error.message;
  }
  return String(error);
}

// Every error class the .d.ts lists under `errors` is in lib.errors, under
// that name (a type-level list: a class missing here, or a name the .d.ts does
// not list, is a tsc error), and the failing call beside it throws an instance
// of it. Three types share the short name `Error`: each goes by its qualified name.
type Listed<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type ErrorName = keyof Listed<FerrymanFixtureLibrary["errors"]>;
const raisers: Record<ErrorName, (() => unknown) | null> = {
  CounterError: () => new lib.Counter("c", 0).fail("m"),
  // A callback's error is thrown as the very value the callback threw.
  CallbackError: null,
  LedgerError: () => new lib.Ledger("x"),
  alloc_boxed_Box_dyn_core_error_Error_core_marker_Send_core_marker_Sync: () => lib.pick_failure(0),
  ProcessingError: () =>
    lib.apply_wrapped(() => {
      throw new Error("no");
    }, 1),
  TokenError: () => lib.bad_token(0),
  alloc_boxed_Box_dyn_core_error_Error: () => lib.boxed_local_failure(true),
  MathError: () => lib.divide(1, 0),
  CommandError: () => lib.command_failure(true),
  NoSuchUser: () => lib.find_user("bob"),
  std_io_error_Error: () => lib.os_failure(2),
  LexError: () => lib.lex_failure(0),
  ConfigError: () => lib.load_config("app", "x"),
  LocalError: () => lib.local_failure("r"),
  ParseError: () => [...lib.parse_all(["x"])],
  RatioError: () => lib.ratio(1, 0, { low: 0, high: 1 }),
  ConfigFileError: () => lib.read_config("/nonexistent/ferryman"),
  SettingError: () => lib.set_setting("nope", 1),
  QuotaError: () => lib.take_items("ann", 5),
  TextError: () => lib.text_failure(""),
  // Rejections, not throws: awaited in `asyncUses` below.
  AsyncError: null,
  BadItem: null,
};
assert.deepEqual(Object.keys(lib.errors).sort(), Object.keys(raisers).sort());
for (const [name, raise] of Object.entries(raisers)) {
  const cls: typeof ferryman.RustError = lib.errors[name as ErrorName];
  assert.equal(typeof cls, "function", `lib.errors.${name}`);
  assert.equal(cls.name, name);
  assert.ok(cls.prototype instanceof ferryman.RustError, `lib.errors.${name} extends RustError`);
  if (raise === null) continue;
  assert.throws(raise, (error: unknown) => error instanceof cls && (error as Error).name === name, name);
}
const io: typeof ferryman.RustError = lib.errors.std_io_error_Error;
assert.equal(lib.errors["std::io::error::Error"], io);
assert.throws(() => lib.errors.Error, /3 error types are named 'Error'/);

// Async functions return Promises (methods too); streams are async iterables.
async function asyncUses(): Promise<unknown[]> {
  const added: number | bigint = await lib.async_add(1, 2);
  const late: string = await lib.async_sleep(1, "late");
  const controller = new AbortController();
  const cancelled = lib.async_sleep(10_000, "never", controller.signal);
  controller.abort();
  await assert.rejects(cancelled, (error: unknown) => error === controller.signal.reason);
  await assert.rejects(lib.async_fail(0), lib.errors.AsyncError);
  const counter = new lib.AsyncCounter(1);
  const more: number | bigint = await counter.add_later(0, 2);
  assert.equal(more, 3);
  counter.close();
  const items: Array<number | bigint> = [];
  for await (const item of lib.stream_count(3)) items.push(item);
  assert.deepEqual(items, [0, 1, 2]);
  const stream: AsyncIterable<number | bigint> = lib.count_failing(3, 1);
  const before: Array<number | bigint> = [];
  await assert.rejects(async () => {
    for await (const item of stream) before.push(item);
  }, lib.errors.BadItem);
  assert.deepEqual(before, [0]);
  const ticks: ferryman.RustStream<number | bigint> = lib.ticker(2, 1, 1);
  const first = await ticks.next();
  await ticks.return();
  assert.ok(ticks.closed);
  const live: ferryman.LiveFuture[] = lib.liveFutures();
  return [added, late, first, live];
}

// Times: a result is the form the host sends (times.js), so it goes back in.
const at: string = lib.echo_system_time(new Date(1500));
assert.equal(at, "1970-01-01T00:00:01.5Z");
const later: string[] = lib.later_times([at], [1, 0]);
const scaledSpan: ferryman.Duration = lib.scale_duration([1, 500_000_000], 2);
assert.deepEqual(scaledSpan, [3, 0]);
const tomorrow: string | null = lib.next_day("2024-02-28");
assert.equal(tomorrow, "2024-02-29");
const day: string = lib.date_of(lib.naive_plus("2024-05-01T12:00:00", 60));

const used: unknown[] = [names, live, description, sum, quotient, wide, ratio, shouted, chunks, total, tuple];
used.push(at, later, scaledSpan, tomorrow, day);
used.push(counts, fromMap, maybeToo, mean, joined, scaled, distance, area, last, label, pairText, firstChild);
used.push(applied, mapped, four, dashed, composed, value, text, greeting, maybeCounter, counterTotal, same);
asyncUses().then((values) => {
  used.push(...values);
  console.log(`typed.ts ran: ${used.length} values`);
});
