#!/usr/bin/env node
// Copies the end-to-end screenshots (test-results/, written by `npm run test:e2e`) into the
// tracked docs/screenshots/ folder. Run on purpose after the UI changed; the tests themselves
// never write under docs/.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = path.join(root, 'test-results');
const docs = path.join(root, 'docs', 'screenshots');
// test-results name -> docs name
const MAP = {
  'traces.png': 'traces.png', 'sorting.png': 'sorting.png', 'sorting-dark.png': 'sorting-dark.png',
  'correction.png': 'correction.png', 'bad-file.png': 'bad-file.png', 'help.png': 'help.png',
  'first-hour-after-1.png': 'first-hour/after-1.png', 'first-hour-after-2.png': 'first-hour/after-2.png',
  'first-hour-after-2-ask.png': 'first-hour/after-2-ask.png', 'first-hour-after-4.png': 'first-hour/after-4.png',
  'first-hour-after-10.png': 'first-hour/after-10.png', 'time-frequency.png': 'time-frequency.png',
  'batch.png': 'batch.png', 'time-frequency-corrected.png': 'time-frequency-corrected.png',
  // 1280x800 layout and EEG items of #15's friction list, and reopening a kept version.
  'layout-worker-bars.png': 'first-hour/after-layout-worker-bars.png', 'layout-report.png': 'first-hour/after-layout-report.png',
  'layout-merged.png': 'first-hour/after-layout-merged.png', 'layout-modebar.png': 'first-hour/after-layout-modebar.png',
  'layout-split.png': 'first-hour/after-layout-split.png', 'eeg-first-window.png': 'first-hour/after-eeg-first-window.png',
  'eeg-raw-behind.png': 'first-hour/after-eeg-raw-behind.png', 'first-hour-versions.png': 'first-hour/after-versions.png',
  // The quality rule's labels (rule column, Apply rule).
  'first-hour-rule.png': 'first-hour/after-rule.png',
  // A channel failed on a NaN sample: the report's "Read NaN/Inf as 0" and the recording's note.
  'nan-read-as-zero.png': 'first-hour/after-nan-read-as-zero.png',
};
let n = 0;
for (const [from, to] of Object.entries(MAP)) {
  const src = path.join(results, from);
  if (!existsSync(src)) { console.warn(`missing ${path.relative(root, src)} (run npm run test:e2e first)`); continue; }
  mkdirSync(path.dirname(path.join(docs, to)), { recursive: true });
  copyFileSync(src, path.join(docs, to));
  n++;
}
console.log(`copied ${n} screenshots into docs/screenshots/`);
