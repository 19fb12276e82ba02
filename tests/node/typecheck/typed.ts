// Correct uses of the fixture's generated .d.ts: tsc --noEmit must accept
// every line (scripts/ts_check.sh). Type-checked only, never run.
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
const quotient = lib.divide(7, 2);
const wide: bigint | number = lib.echo_u128(2n ** 100n);
const ratio: number = lib.ratio(1.0, 2.0, { low: 0, high: 1 });

// Text, bytes, lists, tuples, maps, options.
const shouted: string = lib.shout("hi");
const echoed: Buffer = lib.echo_bytes(new Uint8Array([1, 2]));
const chunks: Buffer[] = lib.bytes_chunks(Buffer.from("abcd"), 2);
const total = lib.sum([1, 2, 3n] as const);
const tuple: [number, string, boolean] = lib.echo_tuple([1, "a", true]);
const counts: Record<string, number | bigint> = lib.echo_map({ a: 1, b: 2n });
const fromMap = lib.echo_map(new Map([["a", 1]]));
const keyed: Map<number | bigint, string> = lib.echo_int_keys(new Map([[1, "one"]]));
const maybe: number | bigint | null = lib.echo_option();
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
lib.for_each_value([1, 2], (value) => {
  console.log(value);
});
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
for (const n of lib.count_up(3)) {
  const m: number | bigint = n;
  console.log(m);
}

// Errors: classes under lib.errors extending ferryman.RustError, typed fields.
try {
  lib.ratio(1, 0, { low: 0, high: 1 });
} catch (error) {
  if (error instanceof lib.errors.RatioError) {
    const e: RatioError = error;
    const variant: "not_finite" | "bad_text" | "out_of_bounds" = e.variant;
    const fields = e.fields;
    if ("numerator" in fields) {
      const numerator: number = fields.numerator;
      const hint: string | null | undefined = fields.hint;
      console.log(numerator, hint);
    }
    const base: ferryman.RustError = e;
    const frames: ferryman.Frame[] = e.frames;
    console.log(variant, base.message, frames);
  } else if (error instanceof lib.errors.QuotaError) {
    const most: number = error.fields.maxItems + error.maxItems;
    const user: string = error.fields.userName + error.userName;
    console.log(most, user);
  } else if (error instanceof lib.errors.NoSuchUser) {
    const missing: string = error.fields["0"];
    console.log(missing);
  } else if (error instanceof lib.errors.MathError) {
    const plain: Record<string, unknown> | null = error.fields;
    console.log(plain);
  } else if (error instanceof ferryman.RustPanic || error instanceof ferryman.ArgumentError) {
    console.log(error.message);
  }
}

console.log(names, live, description, sum, small, quotient, wide, ratio, shouted, echoed, chunks, total);
console.log(tuple, counts, fromMap, keyed, maybe, maybeToo, mean, joined, scaled, distance, area, last);
console.log(label, pairText, firstChild, applied, mapped, four, dashed, composed, value, text, greeting);
console.log(words, maybeCounter, counterTotal, same);
