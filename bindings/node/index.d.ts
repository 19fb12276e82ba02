// Types of the ferryman npm package. A library's own functions are typed by
// a `.d.ts` generated from its describe (`ferryman stubs --lang ts`), whose
// interface extends `Library`: `load<MyLib>(path)`.

/** One frame of an error value, outermost first in `frames`. */
export interface Frame {
  function: string;
  file: string;
  line: number;
  column?: number;
  language?: string;
}

/** An `std::io::Error` behind an error (`errno`, and `io::ErrorKind` in snake case). */
export interface OsError {
  errno: number | null;
  kind: string;
}

/** What every error from a Rust call carries (the error value's keys). */
interface ErrorValueKeys {
  /** `error`, `panic`, `arity`, `type`, `overflow`, `malformed`, `no_function`, `internal`, `host`, `closed`, `borrow`. */
  readonly kind: string;
  /** The Rust error type's short name (`MathError`; `Panic`; `ArgumentError`). */
  readonly type: string;
  /** The full Rust type (`calc::MathError`), when known. */
  readonly rustType: string | null;
  /** The exported function that failed. */
  readonly function: string | null;
  /** The enum variant of the error type. */
  readonly variant: string | null;
  /** The error's serialized fields (also set as properties of the error). */
  readonly fields: Record<string, unknown> | null;
  /** The error base (`value`, `not_found`, …) the library chose. */
  readonly base: string | null;
  readonly osError: OsError | null;
  readonly notes: string[];
  /** Where it happened in Rust, outermost first (also at the end of `stack`). */
  readonly frames: Frame[];
}

/** Base of the errors a Rust function returns: `lib.errors.MathError` extends it. */
export class RustError extends Error implements ErrorValueKeys {
  readonly kind: string;
  readonly type: string;
  readonly rustType: string | null;
  readonly function: string | null;
  readonly variant: string | null;
  readonly fields: Record<string, unknown> | null;
  readonly base: string | null;
  readonly osError: OsError | null;
  readonly notes: string[];
  readonly frames: Frame[];
  [field: string]: unknown;
}

/** A Rust panic; its stack ends at the panic's line. */
export class RustPanic extends Error implements ErrorValueKeys {
  readonly kind: string;
  readonly type: string;
  readonly rustType: string | null;
  readonly function: string | null;
  readonly variant: string | null;
  readonly fields: Record<string, unknown> | null;
  readonly base: string | null;
  readonly osError: OsError | null;
  readonly notes: string[];
  readonly frames: Frame[];
}

/** Bad arguments: the function, the parameter and what it expected. */
export class ArgumentError extends TypeError {
  readonly kind: string;
  readonly function: string | null;
  readonly param: string | null;
  readonly index: number | null;
  readonly expected: string | null;
  readonly found: string | null;
  readonly frames: Frame[];
}

/** A method called on a closed object. */
export class ClosedObjectError extends Error {
  readonly function: string | null;
  readonly param: string | null;
}

/**
 * A `&mut self` method could not have the Rust object to itself (Rust still
 * holds another reference to it), or a call would re-enter an object it is
 * inside (a callback calling the object the Rust call is using).
 */
export class BorrowError extends Error {
  readonly kind: string;
  readonly function: string | null;
  readonly param: string | null;
  readonly frames: Frame[];
}

/** The bridge itself failed. */
export class BridgeError extends Error {}

/** A library that could not be loaded. */
export class LoadError extends Error {}

/** Objects of exported classes. */
export class RustObject {
  /** Releases the Rust object now; later calls throw `ClosedObjectError`. */
  close(): void;
  readonly closed: boolean;
  [Symbol.dispose](): void;
}

/** A Rust iterator; `return()` (or `break`) releases it early. */
export class RustIterator<T = unknown> implements IterableIterator<T> {
  next(): IteratorResult<T, undefined>;
  return(value?: unknown): IteratorResult<T, undefined>;
  [Symbol.iterator](): RustIterator<T>;
  /** Releases the Rust iterator now (`using`). */
  [Symbol.dispose](): void;
}

/**
 * A Rust stream (`impl Stream<Item = T>`) as an async iterator: `for await`.
 * An error item rejects at that item; `return()` (or `break`) drops the Rust
 * stream, whose producer then sees the end.
 */
export class RustStream<T = unknown> implements AsyncIterableIterator<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  return(value?: unknown): Promise<IteratorResult<T, undefined>>;
  /** Whether the stream ended or was dropped. */
  readonly closed: boolean;
  [Symbol.asyncIterator](): RustStream<T>;
  /** Drops the Rust stream (`await using`). */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A pending future or stream the host holds (`liveFutures()`). */
export interface LiveFuture {
  handle: number;
  kind: 'future' | 'stream';
  /** The function that made it. */
  function: string;
}

/**
 * A `"duration"` (`std::time::Duration`, `chrono::TimeDelta`, `time::Duration`,
 * `jiff::SignedDuration`) as sent and as returned: whole seconds (negative for
 * a negative span; a `bigint` outside ±(2^53 − 1) in results) and the
 * nanoseconds after them, `0 <= nanos < 1e9` (−1.5 s is `[-2, 500000000]`).
 * Instants, dates and date-times are `string`s (RFC 3339, `YYYY-MM-DD`,
 * `YYYY-MM-DDTHH:MM:SS[.f]`; README.md, "Times").
 */
export type Duration = [secs: number | bigint, nanos: number];

/** A Rust closure the library returned, as a JS function. */
export type Closure<A extends unknown[] = unknown[], R = unknown> = (...args: A) => R;

/** A loaded library. Its functions and classes are properties. */
export interface Library {
  /** The names of every exported function (class members as `Class.member`). */
  readonly functions: readonly string[];
  /** The describe map as on the wire (maps as plain objects). */
  describe(): Record<string, unknown>;
  /**
   * The error classes, one per Rust error type: by its short name when no
   * other type has it (`MathError`), by its qualified name always
   * (`std_io_error_Error`), by the Rust type itself (`"std::io::error::Error"`).
   * A short name several types share throws, naming the spellings to use.
   */
  readonly errors: Record<string, typeof RustError>;
  /** How many objects of each class the host holds. */
  liveObjects(): Record<string, number>;
  /** The signatures of the closures the host holds. */
  liveClosures(): string[];
  /** The pending futures and streams the host holds (a leak check). */
  liveFutures(): LiveFuture[];
  readonly path: string;
}

/** Loads the ferryman library at `path` (throws `LoadError`). */
export function load<L extends Library = Library & { [name: string]: any }>(path: string): L;

/** Releases a closure now rather than when it is garbage collected; whether it released one (`false` the second time). */
export function release(closure: Function): boolean;

/** How many JS callables the loaded libraries hold (a leak check). */
export function liveCallbacks(): number;
