'use strict';
// Helpers for pgready's extension-host suites (loaded by the *.test.js files, not a test file itself).
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'pgready.pgready';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function activate() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found`);
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension did not activate');
  await api.ready();
  return api;
}

function folder() {
  const f = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(f, 'no workspace folder');
  return f;
}

function uri(rel) {
  return vscode.Uri.joinPath(folder().uri, ...rel.split('/'));
}

function codeOf(d) {
  return typeof d.code === 'object' && d.code ? String(d.code.value) : String(d.code);
}

function pgreadyDiagnostics(u) {
  return vscode.languages.getDiagnostics(u).filter((d) => d.source === 'pgready');
}

/** Polls until `fn()` returns a truthy value (which is returned), or fails with `what` after `ms`. */
async function waitFor(what, fn, ms = 15000, every = 20) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    last = await fn();
    if (last) return last;
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

async function open(rel) {
  const doc = await vscode.workspace.openTextDocument(uri(rel));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function rangeText(r) {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

function writeMetrics(values) {
  const file = process.env.PGREADY_VSCODE_METRICS;
  if (!file) return;
  const fs = require('fs');
  let prev = {};
  try { prev = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* first write */ }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...prev, ...values }, null, 2) + '\n');
}

module.exports = { EXTENSION_ID, sleep, activate, folder, uri, codeOf, pgreadyDiagnostics, waitFor, open, rangeText, writeMetrics };
