// testResultsProcessor enabled by JEST_JSON_OUTPUT=<file> (see jest.config.js): writes the
// run's aggregated results — the same counters as `jest --json` (numPassedTests,
// numFailedTests, …) — for .ci/run's summary line. A config-file `json: true` would not do:
// Jest 29 takes that flag from the command line only.
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

/** @param {unknown} results Jest's aggregated results, passed through */
module.exports = function writeJsonResults(results) {
  const file = path.resolve(/** @type {string} */ (process.env.JEST_JSON_OUTPUT)); // set: jest.config.js uses this file only then
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results)}\n`);
  return results;
};
