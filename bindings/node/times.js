'use strict';
/**
 * Times in results (spec/wire.md, "Times"; spec/host-guide.md, section 8):
 * converters from the forms the Rust crates write to the one JS form per
 * time descriptor that this host sends. Used by index.js when it wraps a
 * library's functions.
 */

// ---------------------------------------------------------------------------
// Times in results (spec/wire.md, "Times"; spec/host-guide.md, section 8).
// A time descriptor's result arrives in the form its Rust crate writes; the
// host gives one JS form per descriptor, the one it sends, so a result can be
// passed back as an argument:
//   "timestamp": RFC 3339 text. Text is kept as the library wrote it
//     (chrono's offset, jiff's `Z` or `Zoned`'s bracketed zone); SystemTime's
//     {secs_since_epoch, nanos_since_epoch} is UTC with `Z`; `time`'s 9 ints
//     keep their offset (`Z` when it is zero; converted to `Z` when it has
//     seconds, which RFC 3339 cannot write).
//   "date": `YYYY-MM-DD`; "datetime": `YYYY-MM-DDTHH:MM:SS[.fraction]`.
//     A year outside 0000–9999 is written as chrono writes it: a sign and at
//     least 4 digits (`+10000`, `-0001`).
//   "duration": `[secs, nanos]` with `0 <= nanos < 1e9` (secs a BigInt
//     outside ±(2^53 − 1), as every integer result).
// A fraction has the digits of the nanoseconds, trailing zeros trimmed. A
// value in none of the forms is given back unchanged (a user type named like
// a time type). Which results need this is worked out once per function at
// load; a function whose result holds no time descriptor is not wrapped.
// ---------------------------------------------------------------------------

const NANOS = 1e9;

function isWhole(value) {
  return typeof value === 'bigint' || Number.isInteger(value);
}

/** A BigInt as a number when within ±(2^53 − 1), as the decoder gives integers. */
function fromBig(value) {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** `[secs, nanos]` with `0 <= nanos < 1e9` for the span secs + nanos × 10⁻⁹, or undefined. */
function durationPair(secs, nanos) {
  if (!isWhole(secs) || !Number.isInteger(nanos)) return undefined;
  if (nanos >= 0 && nanos < NANOS) return [secs, nanos];
  const carry = Math.floor(nanos / NANOS);
  const rest = nanos - carry * NANOS;
  if (typeof secs === 'number') {
    const sum = secs + carry;
    if (Number.isSafeInteger(sum)) return [sum, rest];
  }
  return [fromBig(BigInt(secs) + BigInt(carry)), rest];
}

const ISO_DURATION = /^([+-]?)PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,9}))?S)?$/i;

/** jiff's ISO 8601 text (`PT4.5S`, `-PT1H30M`) as `[secs, nanos]`, or undefined. */
function isoDuration(text) {
  const match = ISO_DURATION.exec(text);
  if (match === null || (match[2] === undefined && match[3] === undefined && match[4] === undefined)) {
    return undefined;
  }
  const [, sign, hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  let secs = BigInt(hours) * 3600n + BigInt(minutes) * 60n + BigInt(seconds);
  let nanos = fraction === '' ? 0 : Number(fraction.padEnd(9, '0'));
  if (sign === '-') {
    secs = -secs;
    if (nanos > 0) {
      secs -= 1n;
      nanos = NANOS - nanos;
    }
  }
  return [fromBig(secs), nanos];
}

/** A `"duration"` result as `[secs, nanos]` (what a duration argument is). */
function durationResult(value) {
  let pair;
  if (Array.isArray(value)) {
    if (value.length === 2) pair = durationPair(value[0], value[1]);
  } else if (typeof value === 'string') {
    pair = isoDuration(value);
  } else if (isPlain(value) && hasExactly(value, 'secs', 'nanos')) {
    pair = durationPair(value.secs, value.nanos);
  }
  return pair === undefined ? value : pair;
}

function isPlain(value) {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

function hasExactly(object, a, b) {
  return Object.hasOwn(object, a) && Object.hasOwn(object, b) && Object.keys(object).length === 2;
}

function pad2(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** A year as RFC 3339 writes it, or as chrono does outside 0000–9999 (`+10000`, `-0001`). */
function yearText(year) {
  const digits = String(Math.abs(year)).padStart(4, '0');
  if (year >= 0 && year <= 9999) return digits;
  return (year < 0 ? '-' : '+') + digits;
}

/** `.5`, `.000000001`, or '' for no nanoseconds. */
function fractionText(nanos) {
  if (nanos === 0) return '';
  let digits = String(nanos).padStart(9, '0');
  let end = 9;
  while (digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  return `.${digits}`;
}

/** [year, month, day] of the day `days` after 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Days from 1970-01-01 to the date (H. Hinnant's days_from_civil). */
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MONTH_STARTS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/** `YYYY-MM-DD` of `time`'s `[year, day of year]`, or undefined when not a date. */
function ordinalDateText(year, ordinal) {
  if (!Number.isInteger(year) || !Number.isInteger(ordinal) || ordinal < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 1 : 0;
  if (ordinal > 365 + leap) return undefined;
  let month = 1;
  while (ordinal > MONTH_STARTS[month] + (month >= 2 ? leap : 0)) month++;
  const day = ordinal - MONTH_STARTS[month - 1] - (month > 2 ? leap : 0);
  return `${yearText(year)}-${pad2(month)}-${pad2(day)}`;
}

function inRange(value, low, high) {
  return Number.isInteger(value) && value >= low && value <= high;
}

/** `HH:MM:SS[.fraction]`, or undefined when not a time of day. */
function clockText(hour, minute, second, nanos) {
  if (!inRange(hour, 0, 23) || !inRange(minute, 0, 59) || !inRange(second, 0, 59) || !inRange(nanos, 0, NANOS - 1)) {
    return undefined;
  }
  return `${pad2(hour)}:${pad2(minute)}:${pad2(second)}${fractionText(nanos)}`;
}

/** `time`'s 6 ints `[year, day of year, hour, minute, second, nanosecond]` as text, or undefined. */
function primitiveText(ints) {
  const date = ordinalDateText(ints[0], ints[1]);
  const clock = date === undefined ? undefined : clockText(ints[2], ints[3], ints[4], ints[5]);
  return clock === undefined ? undefined : `${date}T${clock}`;
}

/** The instant secs + nanos × 10⁻⁹ after the epoch as RFC 3339 in UTC (`Z`). */
function utcText(secs, nanos) {
  let days;
  let rest;
  if (typeof secs === 'bigint') {
    let whole = secs / 86400n;
    let part = secs % 86400n;
    if (part < 0n) {
      part += 86400n;
      whole -= 1n;
    }
    days = Number(whole);
    rest = Number(part);
  } else {
    days = Math.floor(secs / 86400);
    rest = secs - days * 86400;
    if (rest < 0) {
      days -= 1;
      rest += 86400;
    } else if (rest >= 86400) {
      days += 1;
      rest -= 86400;
    }
  }
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(rest / 3600);
  const minute = Math.floor((rest % 3600) / 60);
  return `${yearText(year)}-${pad2(month)}-${pad2(day)}T${clockText(hour, minute, rest % 60, nanos)}Z`;
}

/** `time`'s `OffsetDateTime` (9 ints) as RFC 3339 with its offset, or undefined. */
function offsetText(ints) {
  const local = primitiveText(ints);
  const [, , , , , nanos, hours, minutes, seconds] = ints;
  if (local === undefined || !inRange(hours, -25, 25) || !inRange(minutes, -59, 59) || !inRange(seconds, -59, 59)) {
    return undefined;
  }
  const offset = hours * 3600 + minutes * 60 + seconds;
  if (offset === 0) return `${local}Z`;
  if (offset % 60 === 0) {
    const magnitude = Math.abs(offset) / 60;
    return `${local}${offset < 0 ? '-' : '+'}${pad2(Math.floor(magnitude / 60))}:${pad2(magnitude % 60)}`;
  }
  // An offset with seconds has no RFC 3339 form: the same instant in UTC.
  const [year, ordinal, hour, minute, second] = ints;
  const days = daysFromCivil(year, 1, 1) + ordinal - 1;
  return utcText(days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos);
}

function allWhole(array) {
  for (let i = 0; i < array.length; i++) if (!Number.isInteger(array[i])) return false;
  return true;
}

/** A `"timestamp"` result as RFC 3339 text (text itself unchanged). */
function timestampResult(value) {
  let text;
  if (Array.isArray(value)) {
    if (value.length === 9 && allWhole(value)) text = offsetText(value);
  } else if (isPlain(value) && hasExactly(value, 'secs_since_epoch', 'nanos_since_epoch')) {
    const secs = value.secs_since_epoch;
    const nanos = value.nanos_since_epoch;
    if (isWhole(secs) && inRange(nanos, 0, NANOS - 1)) text = utcText(secs, nanos);
  }
  return text === undefined ? value : text;
}

/** A `"date"` result as `YYYY-MM-DD` (text itself unchanged). */
function dateResult(value) {
  if (!Array.isArray(value) || value.length !== 2) return value;
  const text = ordinalDateText(value[0], value[1]);
  return text === undefined ? value : text;
}

/** A `"datetime"` result as `YYYY-MM-DDTHH:MM:SS[.fraction]` (text itself unchanged). */
function datetimeResult(value) {
  if (!Array.isArray(value) || value.length !== 6 || !allWhole(value)) return value;
  const text = primitiveText(value);
  return text === undefined ? value : text;
}

const TIME_RESULTS = {
  duration: durationResult,
  timestamp: timestampResult,
  date: dateResult,
  datetime: datetimeResult,
};

function descriptorKey(type, key) {
  return type !== null && typeof type === 'object' && Object.hasOwn(type, key);
}

/**
 * Result converters for a library's type descriptors (`types`: describe's
 * named types): `converterFor(descriptor)` is a function that gives a
 * decoded value of that descriptor its times in their JS form (in place, for
 * arrays and objects: results are fresh values), or null when the
 * descriptor holds no time descriptor anywhere.
 */
function timeConverters(types) {
  const entries = new Map();
  for (const entry of types || []) {
    if (entry && typeof entry.name === 'string') entries.set(entry.name, entry);
  }
  const holds = new Map(); // name → whether its entry holds a time descriptor at any depth
  const converters = new Map(); // name → converter (or null)

  /** The descriptors directly inside a named type's entry. */
  function inside(entry) {
    const out = [];
    const fieldTypes = (fields) => { for (const field of fields || []) out.push(field.type); };
    if (entry.kind === 'struct') fieldTypes(entry.fields);
    else if (entry.kind === 'tuple_struct') out.push(...(entry.items || []));
    else if (entry.kind === 'newtype_struct') out.push(entry.type);
    else if (entry.kind === 'enum') {
      for (const variant of entry.variants || []) {
        if (variant.kind === 'newtype') out.push(variant.type);
        else if (variant.kind === 'tuple') out.push(...(variant.items || []));
        else if (variant.kind === 'struct') fieldTypes(variant.fields);
      }
    }
    return out;
  }

  /**
   * Whether `type` holds a time descriptor outside named types; the names
   * it refers to are added to `names`.
   */
  function direct(type, names) {
    if (typeof type === 'string') return Object.hasOwn(TIME_RESULTS, type);
    if (type === null || typeof type !== 'object') return false;
    if (descriptorKey(type, 'named')) {
      names.push(type.named);
      return false;
    }
    if (descriptorKey(type, 'list')) return direct(type.list, names);
    if (descriptorKey(type, 'option')) return direct(type.option, names);
    if (descriptorKey(type, 'map') || descriptorKey(type, 'tuple')) {
      const items = type.map || type.tuple;
      let found = false;
      if (Array.isArray(items)) for (const item of items) found = direct(item, names) || found;
      return found;
    }
    return false; // callbacks, objects; iterators and streams only at the top
  }

  /** Whether the named type holds a time descriptor: every type it reaches, searched once. */
  function holdsTime(name) {
    if (holds.has(name)) return holds.get(name);
    const seen = new Set([name]);
    const queue = [name];
    let found = false;
    while (queue.length > 0 && !found) {
      const next = queue.pop();
      if (next !== name && holds.has(next)) {
        found = holds.get(next);
        continue;
      }
      const entry = entries.get(next);
      if (entry === undefined) continue; // not described: any value
      const names = [];
      for (const type of inside(entry)) if (direct(type, names)) found = true;
      for (const other of names) {
        if (!seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
    holds.set(name, found);
    return found;
  }

  function namedConverter(name) {
    if (converters.has(name)) return converters.get(name);
    if (!holdsTime(name)) {
      converters.set(name, null);
      return null;
    }
    // A recursive type meets itself while being built: it calls through `cell`.
    const cell = { convert: null };
    converters.set(name, (value) => (cell.convert === null ? value : cell.convert(value)));
    cell.convert = entryConverter(entries.get(name));
    converters.set(name, cell.convert);
    return cell.convert;
  }

  /** [key, converter] for each field with times. */
  function fieldConverters(fields) {
    const out = [];
    for (const field of fields || []) {
      const convert = converterFor(field.type);
      if (convert !== null) out.push([field.name, convert]);
    }
    return out;
  }

  function structConverter(fields) {
    const converts = fieldConverters(fields);
    if (converts.length === 0) return null;
    return (value) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      for (const [key, convert] of converts) {
        if (Object.hasOwn(value, key)) value[key] = convert(value[key]);
      }
      return value;
    };
  }

  function tupleConverter(items) {
    const converts = [];
    (items || []).forEach((item, index) => {
      const convert = converterFor(item);
      if (convert !== null) converts.push([index, convert]);
    });
    if (converts.length === 0) return null;
    const length = (items || []).length;
    return (value) => {
      if (!Array.isArray(value) || value.length !== length) return value;
      for (const [index, convert] of converts) value[index] = convert(value[index]);
      return value;
    };
  }

  function entryConverter(entry) {
    if (entry.kind === 'struct') return structConverter(entry.fields);
    if (entry.kind === 'tuple_struct') return tupleConverter(entry.items);
    if (entry.kind === 'newtype_struct') return converterFor(entry.type);
    if (entry.kind !== 'enum') return null;
    const variants = new Map();
    for (const variant of entry.variants || []) {
      let convert = null;
      if (variant.kind === 'newtype') convert = converterFor(variant.type);
      else if (variant.kind === 'tuple') convert = tupleConverter(variant.items);
      else if (variant.kind === 'struct') convert = structConverter(variant.fields);
      if (convert !== null) variants.set(variant.name, convert);
    }
    if (variants.size === 0) return null;
    return (value) => {
      // A unit variant is its name; any other `{Variant: content}`.
      if (!isPlain(value)) return value;
      const keys = Object.keys(value);
      if (keys.length !== 1) return value;
      const convert = variants.get(keys[0]);
      if (convert !== undefined) value[keys[0]] = convert(value[keys[0]]);
      return value;
    };
  }

  function converterFor(type) {
    if (typeof type === 'string') return Object.hasOwn(TIME_RESULTS, type) ? TIME_RESULTS[type] : null;
    if (type === null || typeof type !== 'object') return null;
    if (descriptorKey(type, 'named')) return typeof type.named === 'string' ? namedConverter(type.named) : null;
    if (descriptorKey(type, 'option')) {
      const convert = converterFor(type.option);
      return convert === null ? null : (value) => (value === null || value === undefined ? value : convert(value));
    }
    if (descriptorKey(type, 'list')) {
      const convert = converterFor(type.list);
      if (convert === null) return null;
      return (value) => {
        if (!Array.isArray(value)) return value;
        for (let i = 0; i < value.length; i++) value[i] = convert(value[i]);
        return value;
      };
    }
    if (descriptorKey(type, 'tuple')) return tupleConverter(type.tuple);
    if (descriptorKey(type, 'map') && Array.isArray(type.map)) {
      const key = converterFor(type.map[0]);
      const item = converterFor(type.map[1]);
      if (key === null && item === null) return null;
      return (value) => {
        if (value instanceof Map) {
          if (key === null) {
            for (const [k, v] of value) value.set(k, item(v));
            return value;
          }
          const entries = Array.from(value, ([k, v]) => [key(k), item === null ? v : item(v)]);
          value.clear();
          for (const [k, v] of entries) value.set(k, v);
          return value;
        }
        // A plain object's keys are text already: only its values change.
        if (item !== null && isPlain(value)) {
          for (const k of Object.keys(value)) value[k] = item(value[k]);
        }
        return value;
      };
    }
    return null;
  }

  return converterFor;
}

/**
 * How a function's results get their times (spec/wire.md, "Times"), worked
 * out once at load: `{ value }` converts the result (an async function's
 * resolved value), `{ items }` each item of its iterator or stream; null
 * when its result holds no time descriptor.
 */
function resultTimes(converterFor, described) {
  const type = described.returns && described.returns.type;
  if (descriptorKey(type, 'iter')) {
    const items = converterFor(type.iter);
    return items === null ? null : { items };
  }
  if (descriptorKey(type, 'stream')) {
    const items = converterFor(type.stream);
    return items === null ? null : { items };
  }
  const value = converterFor(type);
  return value === null ? null : { value };
}

module.exports = { timeConverters, resultTimes };
