'use strict';
// `lib.errors`: one RustError subclass per Rust error type, named as the
// Python host names them (spec/host-guide.md, "class"; the Python host's
// _error_classes.py) so that the `.d.ts` of `ferryman stubs --lang ts` and
// `lib.errors` agree.
//
// A type is identified by its full Rust type (`rustType`, describe's
// `error.rust`), not its short name: `std::io::Error` and
// `Box<dyn Error + Send + Sync>` are two classes although both are `Error`.
// Spellings, for `std::io::error::Error`:
// - `lib.errors.Error`: the short name, when no other type the library
//   declares has it; a type first seen when raised takes its short name only
//   if no other type has it, so what a short name means never changes;
// - `lib.errors.std_io_error_Error`: the qualified name, always;
// - `lib.errors['std::io::error::Error']`: the Rust type itself.
// The class goes by (its `name`, the enumerable key) its short name when it
// has it, else its qualified name. A short name several types share throws,
// listing the spellings that say which.

/** `std::io::error::Error` → `std_io_error_Error` (Python's `qualified_name`). */
function qualifiedName(rustType) {
  let name = rustType.replace(/[^\p{L}\p{N}_]+/gu, '_').replace(/^_+|_+$/g, '');
  if (!name || /^\p{N}/u.test(name)) name = `_${name}`;
  return name;
}

/**
 * The error classes of one library.
 * @param {Function} RustError the common base class
 * @param {Array<{name: string, rust?: string|null}>} declared describe's `error` entries
 */
function makeErrorNamespace(RustError, declared) {
  // Full Rust type (or the short name, when a value carries no Rust type) → class.
  const classes = new Map();
  // Short name → every key with that short name, in order of creation.
  const short = new Map();
  // What `lib.errors` shows: every spelling (enumerable: the name each class goes by).
  const target = Object.create(null);

  function create(typeName, rustType, takesShort) {
    const key = rustType || typeName;
    const qualified = qualifiedName(key);
    const shortName = qualifiedName(typeName);
    const name = takesShort && !(shortName in target) ? shortName : qualified;
    const cls = { [name]: class extends RustError {} }[name];
    Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
    Object.defineProperty(cls, 'rustType', { value: rustType || null });
    Object.defineProperty(cls, 'typeName', { value: typeName });
    classes.set(key, cls);
    if (!short.has(typeName)) short.set(typeName, []);
    short.get(typeName).push(key);
    const alias = { value: cls, enumerable: false, configurable: false, writable: false };
    if (!(name in target)) Object.defineProperty(target, name, { ...alias, enumerable: true });
    if (!(qualified in target)) Object.defineProperty(target, qualified, alias);
    if (rustType && !(rustType in target)) Object.defineProperty(target, rustType, alias);
    return cls;
  }

  const unique = new Map();
  for (const entry of declared) unique.set(entry.rust || entry.name, entry);
  const counts = new Map();
  for (const entry of unique.values()) counts.set(entry.name, (counts.get(entry.name) || 0) + 1);
  for (const entry of unique.values()) create(entry.name, entry.rust || null, counts.get(entry.name) === 1);

  /**
   * The class of the Rust error type `rustType` (short name `typeName`),
   * made now if needed; without `rustType` (a cause link), the class the
   * short name stands for.
   */
  function classFor(typeName, rustType) {
    if (!typeName && !rustType) return RustError;
    const name = typeName || rustType;
    const key = rustType || name;
    const cls = classes.get(key);
    if (cls) return cls;
    if (!rustType && short.has(name)) {
      // A link known only by a short name several types share: which of
      // them is unknown, so the common base (the short name keeps its meaning).
      return name in target ? target[name] : RustError;
    }
    return create(name, rustType || null, !short.has(name));
  }

  function ambiguous(name) {
    const keys = short.get(name);
    const listed = keys.map((key) => `lib.errors.${qualifiedName(key)} or lib.errors[${JSON.stringify(key)}]`);
    return `${keys.length} error types are named '${name}', so '${name}' alone does not say which; `
      + `use the qualified name or the Rust type: ${listed.join('; ')}`;
  }

  const errors = new Proxy(target, {
    get(object, name, receiver) {
      if (typeof name === 'string' && !(name in object) && short.has(name) && short.get(name).length > 1) {
        throw new TypeError(`lib.errors.${name}: ${ambiguous(name)}`);
      }
      return Reflect.get(object, name, receiver);
    },
    set(object, name) {
      throw new TypeError(`lib.errors is read-only (setting ${String(name)})`);
    },
    defineProperty(object, name) {
      throw new TypeError(`lib.errors is read-only (defining ${String(name)})`);
    },
    deleteProperty(object, name) {
      throw new TypeError(`lib.errors is read-only (deleting ${String(name)})`);
    },
  });
  return { errors, classFor };
}

module.exports = { makeErrorNamespace, qualifiedName };
