'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Worker } = require('node:worker_threads');
const path = require('node:path');
require('./fixture');

test('a worker thread cannot load the addon a second time (one JS thread per process)', async () => {
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads');
    try { require(${JSON.stringify(path.join(__dirname, '..'))}); parentPort.postMessage('loaded'); }
    catch (error) { parentPort.postMessage(String(error.message)); }
  `, { eval: true });
  const message = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.match(message, /one JS thread per process \(worker_threads are not supported yet\)/);
});
