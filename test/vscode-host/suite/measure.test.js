'use strict';
// Measurements on a copy of examples/fastapi-shop (PGREADY_VSCODE_METRICS names the JSON file to write).
const assert = require('assert');
const { activate, writeMetrics } = require('./util');

describe('pgready extension (measurements)', function () {
  it('scans the project and reports activation time and extension-host memory', async function () {
    const api = await activate();
    const t = api.analyzer.timings;
    const state = api.analyzer.folderStates()[0];
    assert.ok(state.result, 'analysed');
    if (global.gc) global.gc();
    const mem = process.memoryUsage();
    const mb = (n) => Math.round((n / 1048576) * 10) / 10;
    const out = {
      files: t.scanFiles,
      findings: state.result.findings.length,
      overall: state.result.readiness.overall,
      activationMs: Math.round(t.activationMs * 10) / 10,
      parsersMs: Math.round(t.parsersMs),
      scanMs: Math.round(t.scanMs),
      rssMB: mb(mem.rss),
      heapUsedMB: mb(mem.heapUsed),
      externalMB: mb(mem.external),
    };
    console.log(`measure: ${JSON.stringify(out)}`);
    writeMetrics({ [process.env.PGREADY_MEASURE_LABEL || 'project']: out });
  });
});
