// The dependency rule of ARCHITECTURE.md is enforced by lint: a forbidden import fails.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return res.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('dependency rule', () => {
  it.each([
    ['src/shared/x.ts', "import fs from 'node:fs'; export const a = fs;"],
    ['src/shared/x.ts', "import { Pool } from '../main/pool/pool'; export const a = Pool;"],
    ['src/renderer/x.tsx', "import path from 'path'; export const a = path;"],
    ['src/renderer/x.tsx', "import { Backend } from '../main/backend'; export const a = Backend;"],
    ['src/main/pool/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['src/workers/dsp/x.ts', "import { openSource } from '../../main/io'; export const a = openSource;"],
    ['src/cli/x.ts', "import { app } from 'electron'; export const a = app;"],
    // The CLI reaches main through its services only (issue 12: it imported 17 internal modules).
    ['src/cli/x.ts', "import { Engine } from '../main/pipeline/engine'; export const a = Engine;"],
    ['src/cli/x.ts', "import { openSource } from '../main/io'; export const a = openSource;"],
    ['src/cli/x.ts', "import { fft } from '../workers/dsp/fft'; export const a = fft;"],
    ['src/preload/x.ts', "import fs from 'node:fs'; export const a = fs;"],
  ])('%s: forbidden import fails', async (file, code) => {
    expect((await importErrors(file, code)).length).toBe(1);
  });

  it.each([
    ['src/main/electron/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['src/main/io/x.ts', "import fs from 'node:fs'; export const a = fs;"],
    ['src/renderer/x.tsx', "import { create } from 'zustand'; export const a = create;"],
    ['src/workers/dsp/x.ts', "import { SpikeDeskError } from '../../shared/errors'; export const a = SpikeDeskError;"],
    ['src/preload/x.ts', "import { ipcRenderer } from 'electron'; export const a = ipcRenderer;"],
    ['src/cli/x.ts', "import { startRun } from '../main/headless'; export const a = startRun;"],
  ])('%s: allowed import passes', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
