'use strict';
// The fixture library every test loads: FERRYMAN_FIXTURE, or the debug build
// (scripts/node_test.sh builds it).
const path = require('node:path');
const ferryman = require('..');

const fixturePath = process.env.FERRYMAN_FIXTURE
  || path.join(__dirname, '..', '..', '..', 'target', 'debug', 'libferryman_fixture.so');

const lib = ferryman.load(fixturePath);

/** Runs the GC until `done()` holds (finalizers run between turns). */
async function collectUntil(done, turns = 50) {
  for (let i = 0; i < turns; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
    if (done()) return true;
  }
  return false;
}

module.exports = { ferryman, lib, fixturePath, collectUntil };
