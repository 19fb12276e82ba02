// Wrong uses of the fixture's generated .d.ts: each line after a
// `@ts-expect-error` must be an error, or tsc --noEmit fails
// (scripts/ts_check.sh). Type-checked only, never run.
import * as ferryman from "ferryman";
import type { FerrymanFixtureLibrary, Point } from "./generated/ferryman_fixture";

const lib = ferryman.load<FerrymanFixtureLibrary>("libferryman_fixture.so");

// @ts-expect-error a misspelt function
lib.aad(1, 2);
// @ts-expect-error a wrong argument type
lib.add("1", 2);
// @ts-expect-error a missing argument
lib.divide(1);
// @ts-expect-error an argument too many
lib.shout("a", "b");
// @ts-expect-error a 64-bit result may be a bigint
const narrow: number = lib.add(1, 2);
// @ts-expect-error an async function's result is a Promise
const notAwaited: number | bigint = lib.async_add(1, 2);
// @ts-expect-error only async functions take an AbortSignal
lib.add(1, 2, new AbortController().signal);
// @ts-expect-error a stream is an async iterable, not an iterable
for (const item of lib.stream_count(3)) console.log(item);
// @ts-expect-error a wrong field in a record
const point: Point = { x: 1, z: 2 };
// @ts-expect-error a missing field in a record
lib.distance({ x: 1 }, { x: 1, y: 2 });
// @ts-expect-error an enum variant that does not exist
lib.echo_shape("Triangle");
// @ts-expect-error a struct variant with a wrong field
lib.echo_shape({ Circle: { centre: { x: 0, y: 0 }, radius: 1 } });
// @ts-expect-error a required parameter before the defaulted ones
lib.join_top();
// @ts-expect-error a wrong type for a defaulted parameter
lib.join_top(["a"], 1, 2);
// @ts-expect-error a string where bytes go
lib.echo_bytes("abc");
// @ts-expect-error a time result is text, not a Date
const when: Date = lib.echo_system_time(new Date(0));
// @ts-expect-error a duration is [secs, nanos], not a number of seconds
lib.scale_duration(1.5, 2);
// @ts-expect-error a plain object where a map with integer keys goes
lib.echo_int_keys({ 1: "one" });
// @ts-expect-error a callback of the wrong type
lib.map_point((p: string) => p, { x: 0, y: 0 });
// @ts-expect-error a method that does not exist
new lib.Counter("c", 1).subtract(1);
// @ts-expect-error a constructor's missing argument
new lib.Counter();
// @ts-expect-error an object of another class
lib.counter_value(new lib.Vocabulary([]));
// @ts-expect-error a protocol method takes an object of its class
new lib.Counter("c", 1).equals("c");
try {
  lib.ratio(1, 0, { low: 0, high: 1 });
} catch (error) {
  if (error instanceof lib.errors.QuotaError) {
    // @ts-expect-error a wrong error field
    console.log(error.fields.maxitems);
    // @ts-expect-error a field of the wrong type
    const user: number = error.fields.userName;
    // @ts-expect-error a field property of the wrong type
    const most: string = error.maxItems;
  }
  if (error instanceof lib.errors.RatioError) {
    // @ts-expect-error a variant the type does not have
    const unknownVariant: "infinite" = error.variant;
  }
}
console.log(narrow, point, notAwaited, when);
