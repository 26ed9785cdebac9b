// Every script of the front end parses (Node only, no browser): a syntax error fails here, naming
// the file and line, before any page test times out waiting for a page that never loads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers.mjs';

function scripts(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'vendor' || e.name.startsWith('pkg') ? [] : scripts(p);
    return e.name.endsWith('.js') ? [p] : [];
  });
}

test('every front-end script parses', () => {
  const files = [...scripts(join(REPO_ROOT, 'www')), join(REPO_ROOT, 'rnn-playground.js')];
  assert.ok(files.length > 20, `${files.length} files`);
  for (const f of files) {
    try {
      execFileSync(process.execPath, ['--check', f], { stdio: 'pipe' });
    } catch (e) {
      assert.fail(`${f.slice(REPO_ROOT.length + 1)} does not parse:\n${e.stderr}`);
    }
  }
});
