'use strict';
// Two libraries loaded at once (the fixture and examples/geometry): handles
// and class ids mean something only to the library that made them.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { ferryman, lib, fixturePath } = require('./fixture');

const geo = ferryman.load(path.join(path.dirname(fixturePath), 'libgeometry.so'));

test("another library's object is refused, naming its class", () => {
  const polygon = new geo.Polygon([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }]);
  const counter = new lib.Counter('c', 42);
  const refused = (name) => (error) => {
    assert.ok(error instanceof ferryman.ArgumentError);
    assert.match(error.message, new RegExp(`found a ${name} object of another library`));
    return true;
  };
  // Both have class ids 0 and 1 and handle 1: it was taken for the other's.
  assert.throws(() => lib.counter_value(polygon), refused('Polygon'));
  assert.throws(() => lib.Counter.prototype.value.call(polygon), refused('Polygon'));
  assert.throws(() => geo.Polygon.prototype.area.call(counter), refused('Counter'));
  assert.equal(lib.counter_value(counter), 42);
  assert.equal(polygon.area(), 0.5);
});

test("another library's closure is called as a JS function", () => {
  const scale = geo.scaler(2);
  // It was sent as the fixture's closure with the same handle.
  assert.deepEqual(lib.map_point(scale, { x: 1, y: 2 }), { x: 2, y: 4 });
  const adder = lib.adder(100);
  assert.throws(() => geo.transform([{ x: 1, y: 2 }], adder), /`adder\(\)`'s closure argument 0: expected i64/);
  assert.deepEqual(geo.transform([{ x: 1, y: 2 }], scale), [{ x: 2, y: 4 }]);
});

test('the same file loaded again is the same library; a copy is another', () => {
  const fs = require('node:fs');
  const os = require('node:os');
  assert.equal(ferryman.load(fixturePath), lib);
  const counter = new lib.Counter('c', 3);
  assert.equal(ferryman.load(fixturePath).counter_value(counter), 3);
  const copyPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ferryman-')), 'libfixture_copy.so');
  fs.copyFileSync(fixturePath, copyPath);
  const copy = ferryman.load(copyPath);
  assert.notEqual(copy, lib);
  assert.throws(() => copy.counter_value(counter), /found a Counter object of another library/);
});
