'use strict';
// The ferryman npm package: load a ferryman library (a Rust cdylib built with
// `#[ferryman::export]`) and call its functions as JS functions. The native
// addon (ferryman.node, crate bindings/node) encodes, calls and decodes; this
// file gives the results their JS shape: error classes, objects of exported
// classes, iterators, times (`times.js`).

const path = require('node:path');
const util = require('node:util');

const { makeErrorNamespace } = require('./error_classes');
const { timeConverters, resultTimes } = require('./times');

const native = require(process.env.FERRYMAN_NODE_ADDON || path.join(__dirname, 'ferryman.node'));

/** Base of the errors a Rust function returns (`Err`): one subclass per Rust error type. */
class RustError extends Error {}
Object.defineProperty(RustError.prototype, 'name', { value: 'RustError', writable: true, configurable: true });

/** A Rust panic. */
class RustPanic extends Error {}
Object.defineProperty(RustPanic.prototype, 'name', { value: 'RustPanic', writable: true, configurable: true });

/** Bad arguments: wrong type, count or range (the library's or the host's check). */
class ArgumentError extends TypeError {}
Object.defineProperty(ArgumentError.prototype, 'name', { value: 'ArgumentError', writable: true, configurable: true });

/** A method called on an object that was closed (or an argument that was). */
class ClosedObjectError extends Error {}
Object.defineProperty(ClosedObjectError.prototype, 'name', { value: 'ClosedObjectError', writable: true, configurable: true });

/**
 * A `&mut self` method could not have the Rust object to itself (Rust still
 * holds another reference to it), or a call would re-enter an object in a way
 * that deadlocks (a callback calling the object the Rust call is using).
 */
class BorrowError extends Error {}
Object.defineProperty(BorrowError.prototype, 'name', { value: 'BorrowError', writable: true, configurable: true });

/** The bridge itself failed (a bug, a library that broke the contract, no such function). */
class BridgeError extends Error {}
Object.defineProperty(BridgeError.prototype, 'name', { value: 'BridgeError', writable: true, configurable: true });

/** A library that could not be loaded (not found, not ferryman, another ABI). */
class LoadError extends Error {}
Object.defineProperty(LoadError.prototype, 'name', { value: 'LoadError', writable: true, configurable: true });

const HANDLE = Symbol('ferryman.handle');
const CLASS = Symbol('ferryman.classId');
const LIBRARY = Symbol('ferryman.library');
const dispose = Symbol.dispose || Symbol.for('nodejs.dispose');

/**
 * How util.inspect, console.log and String() show an object whose class has
 * no `debug` (or `display`), or one that was closed: never a throw, since JS
 * converts objects to text unasked (a log line, an assertion's message).
 */
function plainText(object) {
  const name = object.constructor.name;
  const closed = Object.hasOwn(object, HANDLE) && !object[HANDLE];
  return closed ? `${name} <closed>` : `${name} {}`;
}

/** Whether `object` is an object of a class (not its prototype) and open. */
function isOpen(object) {
  return object !== null && typeof object === 'object' && Object.hasOwn(object, HANDLE) && Boolean(object[HANDLE]);
}

/** Objects of exported classes: released by `close()`, `[Symbol.dispose]()` or the GC. */
class RustObject {
  /** Releases the Rust object now; later calls throw ClosedObjectError. */
  close() {
    const handle = this[HANDLE];
    if (!handle) return;
    this[HANDLE] = 0;
    const state = this[LIBRARY];
    state.registry.unregister(this);
    native.releaseObject(state.lib, handle);
  }

  /** Whether `close()` was called. */
  get closed() {
    return !this[HANDLE];
  }

  [dispose]() {
    this.close();
  }

  /** `Ledger {}` (a class with `debug` shows its Debug text). */
  [util.inspect.custom]() {
    return plainText(this);
  }
}

const BAD_ARGUMENT = new Set(['arity', 'type', 'overflow', 'malformed']);

/** The frames of an error value (flat: function, file, line, column, language, ...). */
function unflatten(flat) {
  const frames = [];
  for (let i = 0; i < flat.length; i += 5) {
    frames.push({ function: flat[i], file: flat[i + 1], line: flat[i + 2], column: flat[i + 3], language: flat[i + 4] });
  }
  return frames;
}

/** V8's stack line for a frame of an error value. */
function frameLine(frame) {
  const column = frame.column ? `:${frame.column}` : '';
  return `    at ${frame.function} (${frame.file}:${frame.line}${column})`;
}

/**
 * Gives `error` a stack: the JS frames above `below` (captured now, formatted
 * when first read: formatting costs more than the call) followed by the
 * Rust frames, innermost first as V8 lists its own.
 */
function setStack(error, below, frames) {
  const holder = {};
  Error.captureStackTrace(holder, below);
  let stack;
  Object.defineProperty(error, 'stack', {
    configurable: true,
    enumerable: false,
    get() {
      if (stack === undefined) {
        const js = holder.stack;
        const at = js.indexOf('\n');
        const header = error.message ? `${error.name}: ${error.message}` : String(error.name);
        stack = header + (at < 0 ? '' : js.slice(at));
        for (let i = frames.length - 1; i >= 0; i--) stack += `\n${frameLine(frames[i])}`;
      }
      return stack;
    },
    set(value) {
      stack = value;
    },
  });
}

/**
 * Constructs without V8 capturing a stack (`setStack` captures it); `cause`
 * is `[the cause]` or `undefined` (a callback may throw `undefined`).
 */
function construct(cls, message, cause) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return cause === undefined ? new cls(message) : new cls(message, { cause: cause[0] });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Copies an error value's keys onto the error (`fields` also as properties). */
function decorate(error, info) {
  const own = {
    kind: info.kind,
    type: info.type,
    rustType: info.rustType,
    function: info.function,
    variant: info.variant,
    fields: info.fields,
    base: info.base,
    osError: info.osError,
    notes: info.notes,
    frames: info.frames,
  };
  if (BAD_ARGUMENT.has(info.kind) || info.kind === 'closed' || info.kind === 'borrow') {
    own.param = info.param;
    own.index = info.index;
    own.expected = info.expected;
    own.found = info.found;
  }
  const { fields } = info;
  if (fields && typeof fields === 'object' && !(fields instanceof Map)) {
    for (const key of Object.keys(fields)) {
      if (!(key in own) && !(key in error)) own[key] = fields[key];
    }
  }
  return Object.assign(error, own);
}

/**
 * How an argument (or a callback's result) that is an object but not a plain
 * object, array, typed array, `ArrayBuffer`, `Map` or object of an exported
 * class is sent: `undefined` as a map of its own enumerable keys (an object
 * of a JS class), `[value]` as `value` instead, or, when it has no wire form,
 * what was found (the encoder refuses it with an ArgumentError).
 */
function wireForm(value) {
  const { types } = util;
  if (types.isDate(value)) {
    // spec/host-guide.md: a Date is sent as `date.toISOString()`.
    return Number.isNaN(value.getTime()) ? 'an invalid Date' : [value.toISOString()];
  }
  if (types.isDataView(value)) return [new Uint8Array(value.buffer, value.byteOffset, value.byteLength)];
  // A Map of another realm (a vm context) is no `instanceof Map` here.
  if (types.isMap(value)) return [new Map(value)];
  if (types.isSet(value)) return 'a Set (pass an array: [...set])';
  if (types.isPromise(value)) return 'a Promise (await it first)';
  if (types.isRegExp(value)) return 'a RegExp';
  if (types.isWeakMap(value)) return 'a WeakMap';
  if (types.isWeakSet(value)) return 'a WeakSet';
  if (types.isSharedArrayBuffer(value)) return 'a SharedArrayBuffer (pass a Uint8Array over it)';
  if (types.isNativeError(value)) return 'an Error';
  if (types.isBoxedPrimitive(value)) return 'a boxed primitive (new String, new Number, …)';
  if (types.isGeneratorObject(value)) return 'a generator (pass an array: [...it])';
  if (typeof WeakRef === 'function' && value instanceof WeakRef) return 'a WeakRef';
  return undefined;
}

/** The per-library state behind a Library object. */
function makeState(libPath) {
  const state = {
    lib: null,
    errors: null,
    classes: [],
    registry: new FinalizationRegistry((handle) => native.releaseObject(state.lib, handle)),
    // A stream dropped without `return()` (an error item ended the loop,
    // or it was never iterated to the end) is released when collected.
    streams: new FinalizationRegistry(([handle, token]) => native.streamRelease(state.lib, handle, token)),
  };

  /** The `lib.errors` class of a Rust error type (made in `load` from describe). */
  function errorClass(type, rustType) {
    return state.classFor(type, rustType);
  }

  /**
   * The `cause` chain of an error value, nearest first, as RustErrors:
   * `[its first link]`, or `undefined` without one.
   */
  function causeChain(causes) {
    let cause;
    for (let i = causes.length - 1; i >= 0; i--) {
      const link = causes[i];
      if (link.hostException !== undefined) {
        cause = link.hostException;
        continue;
      }
      const made = construct(errorClass(link.type), link.message, cause);
      if (link.osError) made.osError = link.osError;
      cause = [made];
    }
    return cause;
  }

  state.hooks = {
    raise(status, kind, type, rustType, message, fn, param, index, expected, found, variant,
      fields, base, osError, causes, notes, flatFrames, hostException) {
      // `hostException`: `[what a JS callback threw]` (any value, `undefined` too).
      if (kind === 'host' && hostException !== undefined) return hostException[0];
      let cls;
      if (kind === 'panic') cls = RustPanic;
      else if (BAD_ARGUMENT.has(kind)) cls = ArgumentError;
      else if (kind === 'closed') cls = ClosedObjectError;
      else if (kind === 'borrow') cls = BorrowError;
      else if (kind === 'error' || kind === 'host') cls = errorClass(type, rustType);
      else cls = BridgeError;
      const frames = unflatten(flatFrames);
      const error = construct(cls, message, causeChain(causes));
      setStack(error, state.hooks.raise, frames);
      if (cls === RustPanic && hostException !== undefined) error.context = hostException[0];
      return decorate(error, {
        status, kind, type, rustType, function: fn, param, index, expected, found, variant,
        fields, base, osError, notes, frames,
      });
    },
    makeObject(classId, handle) {
      const cls = state.classes[classId];
      const object = Object.create(cls ? cls.prototype : RustObject.prototype);
      object[HANDLE] = handle;
      state.registry.register(object, handle, object);
      return object;
    },
    makeMap(entries) {
      return new Map(entries);
    },
    mapEntries(map) {
      return Array.from(map);
    },
    bufferView(buffer, start, end) {
      return buffer.subarray(start, end);
    },
    makeStream(handle, token) {
      return new RustStream(state, handle, token);
    },
    Map,
    RustObject,
    handleKey: HANDLE,
    classKey: CLASS,
    libraryKey: LIBRARY,
    library: state,
    objectPrototype: Object.prototype,
    wireForm,
  };
  state.path = libPath;
  return state;
}

/** A JS iterator over a Rust iterator (a closure giving batches of items). */
class RustIterator {
  /** `convert`: gives each item its times (undefined when the items hold none). */
  constructor(next, convert) {
    this._next = next;
    this._convert = convert;
    this._items = [];
    this._at = 0;
    this._done = false;
  }

  next() {
    if (this._at < this._items.length) return { value: this._items[this._at++], done: false };
    if (this._done) return { value: undefined, done: true };
    const items = this._next(64);
    if (items.length === 0) {
      this._finish();
      return { value: undefined, done: true };
    }
    if (this._convert !== undefined) for (let i = 0; i < items.length; i++) items[i] = this._convert(items[i]);
    this._items = items;
    this._at = 1;
    return { value: items[0], done: false };
  }

  /** Releases the Rust iterator early (`break` in `for…of` calls this). */
  return(value) {
    this._finish();
    return { value, done: true };
  }

  [Symbol.iterator]() {
    return this;
  }

  [dispose]() {
    this._finish();
  }

  _finish() {
    if (this._done) return;
    this._done = true;
    this._items = [];
    native.releaseClosure(this._next);
  }
}

const asyncDispose = Symbol.asyncDispose || Symbol.for('nodejs.asyncDispose');

/**
 * A Rust stream (a function returning `impl Stream`) as an async iterator:
 * `for await (const item of lib.ticker(...))`. Items come in batches; those
 * ready at once are served without waiting. An error item rejects at that
 * item (the stream goes on after it); `break`, `return()` or the garbage
 * collector drop the Rust stream, whose producer then sees the end.
 */
class RustStream {
  constructor(state, handle, token) {
    this._state = state;
    this._handle = handle;
    this._token = token;
    this._items = [];
    this._at = 0;
    this._done = false;
    // Gives each item its times: set by the function that returned the stream.
    this._convert = undefined;
    this._last = Promise.resolve();
    state.streams.register(this, [handle, token], this);
  }

  /** The next item: pulls run one after another (a stream has one pending next). */
  next() {
    const pulled = this._last.then(() => this._pull());
    this._last = pulled.catch(() => {});
    return pulled;
  }

  async _pull() {
    if (this._at < this._items.length) {
      const value = this._items[this._at];
      this._items[this._at++] = undefined;
      return { value, done: false };
    }
    if (this._done) return { value: undefined, done: true };
    const batch = await native.streamNext(this._state.lib, this._handle, this._token);
    if (batch === null) {
      this._finish();
      return { value: undefined, done: true };
    }
    if (this._done) return { value: undefined, done: true };
    if (this._convert !== undefined) for (let i = 0; i < batch.length; i++) batch[i] = this._convert(batch[i]);
    this._items = batch;
    this._at = 1;
    return { value: batch[0], done: false };
  }

  /** Drops the Rust stream now (`break` in `for await` calls this). */
  async return(value) {
    this._finish();
    return { value, done: true };
  }

  /** Whether the stream ended or was dropped. */
  get closed() {
    return this._done;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async [asyncDispose]() {
    this._finish();
  }

  [util.inspect.custom]() {
    return `RustStream${this._done ? ' <closed>' : ''}`;
  }

  _finish() {
    if (this._done) return;
    this._done = true;
    this._items = [];
    this._state.streams.unregister(this);
    native.streamRelease(this._state.lib, this._handle, this._token);
  }
}

/**
 * An async function's call: always a Promise. A future ready at its first
 * poll answered like a sync call (its value, or a throw); a pending one is
 * already a Promise the completion settles.
 */
function promised(state, raw, self, args, params) {
  // No Rust parameter takes an AbortSignal (it has no wire form): a last
  // argument that is one is the call's.
  const last = args[args.length - 1];
  if (last instanceof AbortSignal) return abortable(state, raw, self, args.slice(0, -1), last);
  // `signal` left undefined (the .d.ts declares it optional) is no argument.
  if (last === undefined && args.length === params + 1) args = args.slice(0, -1);
  try {
    return Promise.resolve(self === undefined ? raw(...args) : raw(self, ...args));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * An async call given an `AbortSignal` after its arguments: aborting drops
 * the Rust future (its `Drop` runs) and rejects with the signal's reason.
 */
function abortable(state, raw, self, args, signal) {
  if (signal.aborted) return Promise.reject(signal.reason);
  let result;
  let handle;
  try {
    native.takePending();
    result = self === undefined ? raw(...args) : raw(self, ...args);
    handle = native.takePending();
  } catch (error) {
    return Promise.reject(error);
  }
  if (!handle) return Promise.resolve(result);
  const abort = () => native.cancelFuture(state.lib, handle);
  signal.addEventListener('abort', abort, { once: true });
  return result.then(
    (value) => {
      signal.removeEventListener('abort', abort);
      return value;
    },
    (error) => {
      signal.removeEventListener('abort', abort);
      throw signal.aborted && error && error.kind === 'cancelled' ? signal.reason : error;
    },
  );
}

/**
 * The Node host does not call `ferryman::AsyncCallback` parameters yet
 * (spec/callbacks.md, "Async callbacks"; the Python host does): a function
 * taking one throws an ArgumentError naming it and the parameter, rather
 * than hand Rust a callable whose resolver it never calls (the call would
 * wait forever).
 */
function refusingAsyncCallbacks(raw, described) {
  const param = described.params.find(
    (p) => p.type !== null && typeof p.type === 'object' && 'async_callback' in p.type,
  );
  if (param === undefined) return raw;
  const message = `${described.name}(): parameter \`${param.name}\` is a ferryman::AsyncCallback, `
    + 'which the Node host cannot call yet (Rust cannot await a JS function from Node); '
    + 'the Python host supports it';
  return {
    [raw.name]() {
      throw decorate(new ArgumentError(message), {
        kind: 'type', function: described.name, param: param.name, expected: 'an async callback',
      });
    },
  }[raw.name];
}

function returnsIterator(described) {
  const type = described.returns && described.returns.type;
  return Boolean(type && typeof type === 'object' && 'iter' in type);
}

function requiredCount(described) {
  return described.params.filter((param) => !('default' in param)).length;
}

function setLength(fn, length, name) {
  Object.defineProperty(fn, 'length', { value: length, configurable: true });
  if (name !== undefined) Object.defineProperty(fn, 'name', { value: name, configurable: true });
  return fn;
}

/**
 * A result given its times (`times`: the function's `resultTimes`, not
 * null): the value converted, an async call's Promise resolving to it, or a
 * stream told to convert its items (an iterator is made with its converter).
 */
function withTimes(times, result) {
  if (times.value !== undefined) {
    return result instanceof Promise ? result.then(times.value) : times.value(result);
  }
  if (result instanceof RustStream) result._convert = times.items;
  return result;
}

/** The JS function for a described function (iterators wrapped, times converted). */
function wrapFunction(state, raw, described) {
  const times = resultTimes(state.converterFor, described);
  const name = raw.name;
  let wrapped;
  if (described.async) {
    wrapped = times === null
      ? { [name](...args) { return promised(state, raw, undefined, args, described.params.length); } }[name]
      : { [name](...args) { return withTimes(times, promised(state, raw, undefined, args, described.params.length)); } }[name];
  } else if (returnsIterator(described)) {
    const items = times === null ? undefined : times.items;
    wrapped = { [name](...args) { return new RustIterator(raw(...args), items); } }[name];
  } else if (times !== null) {
    wrapped = { [name](...args) { return withTimes(times, raw(...args)); } }[name];
  } else {
    // No times in the result: the native function itself (the hot path).
    wrapped = raw;
  }
  return setLength(wrapped, requiredCount(described));
}

const PROTOCOL_NAMES = {
  __str__: 'toString',
  __repr__: util.inspect.custom,
  __eq__: 'equals',
  __hash__: 'hashCode',
  __cmp__: 'compareTo',
  __iter__: Symbol.iterator,
};

/** A JS class for a described class. */
function makeClass(state, described, functions) {
  const { name } = described;
  const ctor = described.constructor === null || described.constructor === undefined
    ? undefined : functions[described.constructor];
  const cls = {
    [name]: class extends RustObject {
      constructor(...args) {
        if (ctor === undefined) throw new TypeError(`${name} has no constructor (#[ferryman::export] fn new)`);
        // The constructor returns the library's object, of this class: a
        // subclass would get one that is not an instance of it.
        if (new.target !== cls) {
          throw new TypeError(`${name} cannot be subclassed: it is a Rust type (wrap an object of it instead)`);
        }
        return ctor.raw(...args);
      }
    },
  }[name];
  Object.defineProperty(cls.prototype, CLASS, { value: described.id });
  // `Object.prototype.toString` (String() of a class without `display`): `[object Ledger]`.
  Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  Object.defineProperty(cls.prototype, LIBRARY, { value: state });
  if (ctor) setLength(cls, requiredCount(ctor.described));
  for (const id of described.methods) {
    const { raw, described: method } = functions[id];
    const member = method.name.slice(name.length + 1);
    const key = PROTOCOL_NAMES[member] || member;
    const iter = returnsIterator(method);
    const isAsync = Boolean(method.async);
    const times = resultTimes(state.converterFor, method);
    const items = iter && times !== null ? times.items : undefined;
    // Protocol members are called by JS with arguments of its own
    // (util.inspect passes depth and options): pass on only what they take.
    const arity = member in PROTOCOL_NAMES ? method.params.length - 1 : Infinity;
    // Conversions to text JS makes unasked do not throw on a closed object.
    const asText = member === '__repr__' || member === '__str__';
    const wrapped = {
      [member](...args) {
        if (asText && !isOpen(this)) return plainText(this);
        if (isAsync) {
          const promise = promised(state, raw, this, args, method.params.length - 1);
          return times === null ? promise : withTimes(times, promise);
        }
        const result = raw(this, ...(args.length > arity ? args.slice(0, arity) : args));
        if (iter) return new RustIterator(result, items);
        return times === null ? result : withTimes(times, result);
      },
    }[member];
    setLength(wrapped, Math.max(0, requiredCount(method) - 1));
    Object.defineProperty(cls.prototype, key, { value: wrapped, writable: true, configurable: true });
  }
  for (const id of described.statics) {
    const { raw, described: member } = functions[id];
    Object.defineProperty(cls, member.name.slice(name.length + 1), {
      value: wrapFunction(state, raw, member), writable: true, configurable: true, enumerable: true,
    });
  }
  return cls;
}

const RESERVED = new Set(['functions', 'describe', 'errors', 'liveObjects', 'liveClosures', 'liveFutures', 'path']);

/**
 * Loads the ferryman library at `libPath`.
 * @returns {import('./index').Library}
 */
/**
 * Loaded libraries by file (device and inode, as the dynamic loader tells
 * them apart): the same file loaded again is the same library object, with
 * the same classes, so its objects and closures go to either (a copy of the
 * file is another library). A library is never unloaded.
 */
const loaded = new Map();

function load(libPath) {
  if (libPath === undefined || libPath === null || String(libPath) === '') {
    const got = libPath === '' ? "''" : String(libPath);
    throw new TypeError(`ferryman.load(path): \`path\` must be the path of a library, but got ${got}`);
  }
  let file;
  try {
    const { dev, ino } = require('node:fs').statSync(String(libPath));
    file = `${dev}:${ino}`;
  } catch {
    file = undefined; // not a file here: the loader's own error (or search path) decides
  }
  if (file !== undefined && loaded.has(file)) return loaded.get(file);
  const library = open(libPath);
  if (file !== undefined) loaded.set(file, library);
  return library;
}

function open(libPath) {
  const state = makeState(libPath);
  let opened;
  try {
    opened = native.open(String(libPath), state.hooks);
  } catch (error) {
    throw new LoadError(error.message);
  }
  state.lib = opened.lib;
  const describe = opened.describe;
  const functions = describe.functions.map((described, index) => ({
    described,
    raw: refusingAsyncCallbacks(opened.functions[index], described),
  }));
  const library = {};
  const declared = describe.functions.map((f) => f.error).filter((e) => e && typeof e.name === 'string');
  const namespace = makeErrorNamespace(RustError, declared);
  state.errors = namespace.errors;
  state.classFor = namespace.classFor;
  state.converterFor = timeConverters(describe.types);
  describe.classes = describe.classes || [];
  for (const described of describe.classes) {
    state.classes[described.id] = makeClass(state, described, functions);
  }
  for (const { described, raw } of functions) {
    if (described.class !== null && described.class !== undefined) continue;
    if (RESERVED.has(described.name)) continue;
    library[described.name] = wrapFunction(state, raw, described);
  }
  for (const cls of state.classes) {
    if (cls && !(cls.name in library) && !RESERVED.has(cls.name)) library[cls.name] = cls;
  }
  const names = Object.freeze(describe.functions.map((f) => f.name));
  Object.defineProperties(library, {
    functions: { value: names },
    errors: { value: state.errors },
    path: { value: String(libPath) },
    describe: { value: () => structuredClone(describe) },
    liveObjects: {
      value: () => {
        const counts = {};
        for (const [, cls] of native.liveObjects(state.lib)) counts[cls] = (counts[cls] || 0) + 1;
        return counts;
      },
    },
    liveClosures: { value: () => native.liveClosures(state.lib) },
    liveFutures: {
      value: () => native.liveFutures(state.lib).map(([handle, kind, fn]) => ({ handle, kind, function: fn })),
    },
  });
  return library;
}

/** Releases a closure the library returned (a JS function) now, rather than at GC. */
function release(closure) {
  if (closure === null || (typeof closure !== 'function' && typeof closure !== 'object')) {
    throw new TypeError(
      `ferryman.release(closure): \`closure\` must be a closure the library returned, but got ${typeof closure === 'symbol' ? 'a symbol' : String(closure)}`,
    );
  }
  return native.releaseClosure(closure);
}

/** How many JS callables the loaded libraries hold (a leak check). */
function liveCallbacks() {
  return native.liveCallbacks();
}

module.exports = {
  load,
  release,
  liveCallbacks,
  RustError,
  RustPanic,
  ArgumentError,
  ClosedObjectError,
  BorrowError,
  BridgeError,
  LoadError,
  RustObject,
  RustIterator,
  RustStream,
};
