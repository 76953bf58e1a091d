// Every end-to-end spec uses the one set-up in test/e2e/harness.ts (host, Chromium flags, page,
// token, screenshots into test-results/) instead of its own copy, so a change of flags, port
// handling or screenshot folder happens in one place.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(__dirname, '../e2e');
const specs = fs.readdirSync(dir).filter((f) => f.endsWith('.e2e.ts'));

// What a spec must not do itself (the harness does it).
const FORBIDDEN: [RegExp, string][] = [
  [/\bstartHost\s*\(/, 'starts the web host itself (use useApp/startApp)'],
  [/\blaunch\s*\(/, 'launches Chromium itself (use useApp/startApp)'],
  [/^import\s+(?!type\b)[^;]*from 'playwright-core'/m, 'imports playwright-core values (types only; the harness launches)'],
  [/\.screenshot\s*\(/, 'writes screenshots itself (use shot(), which writes to test-results/)'],
  [/['"]docs['"]/, 'writes under docs/ (scripts/refresh-screenshots.mjs copies on purpose)'],
  [/\bspawn\s*\(/, 'spawns processes'],
];

describe('e2e specs use the shared harness', () => {
  it('there are specs to check', () => {
    expect(specs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(specs)('%s', (file) => {
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    const problems = FORBIDDEN.filter(([re]) => re.test(src)).map(([, why]) => why);
    if (!/\b(useApp|startApp)\s*\(/.test(src)) problems.push('does not set up through useApp()/startApp() from ./harness');
    expect(problems, `${file}: ${problems.join('; ')}`).toEqual([]);
  });
});
