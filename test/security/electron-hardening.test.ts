// Issue #11, medium 12: Electron policy. The save dialog allowed the whole parent folder, any https
// URL opened externally, the production menu had Reload and DevTools, and no fuses were set.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportAllowance, isAllowedExternal, navigationAllowed, permissionAllowed, viewRoles } from '../../src/main/electron/hardening';
import { PathAllowList } from '../../src/main/security/path-allow-list';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('Electron hardening', () => {
  it('a save dialog allows the chosen file only, not its folder', () => {
    const a = exportAllowance('/home/u/exports/sorted.nwb');
    expect(a).toEqual({ files: ['/home/u/exports/sorted.nwb'], roots: [] });
    const l = new PathAllowList();
    for (const f of a.files) l.allowFile(f);
    expect(l.isAllowed('/home/u/exports/sorted.nwb')).toBe(true);
    expect(l.isAllowed('/home/u/exports/other.nwb')).toBe(false);
    // A typed name with new folders: exactly the missing chain is allowed, not the existing parent.
    const b = exportAllowance('/home/u/new/deeper/sorted', (p) => p === '/home/u' || p === '/home' || p === '/');
    expect(b.files).toEqual(['/home/u/new/deeper/sorted', '/home/u/new/deeper', '/home/u/new']);
  });

  it('only the project\'s own https links open externally', () => {
    expect(isAllowedExternal('https://github.com/spikedesk/spikedesk/issues')).toBe(true);
    for (const bad of ['https://evil.example/', 'http://github.com/spikedesk/', 'https://github.com/spikedesk.evil/x', 'https://user@github.com/spikedesk/',
      'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'https://github.com/other/']) expect(isAllowedExternal(bad), bad).toBe(false);
  });

  it('production menus have no Reload or DevTools; permissions and foreign navigations are refused', () => {
    expect(viewRoles(true)).toEqual(['togglefullscreen']);
    expect(viewRoles(false)).toContain('toggleDevTools');
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) expect(permissionAllowed(p)).toBe(false);
    expect(navigationAllowed('https://evil.example/', 'file:///app/out/renderer/index.html')).toBe(false);
    expect(navigationAllowed('file:///etc/passwd', 'file:///app/out/renderer/index.html')).toBe(false);
    expect(navigationAllowed('file:///app/out/renderer/index.html#x', 'file:///app/out/renderer/index.html')).toBe(true);
  });

  it('main.ts installs the guards and electron-builder.yml flips the fuses', () => {
    const main = fs.readFileSync(path.join(root, 'src/main/electron/main.ts'), 'utf8');
    for (const s of ['will-redirect', 'will-frame-navigate', 'setPermissionCheckHandler', 'requestSingleInstanceLock', 'will-attach-webview', 'exposeBackend(']) {
      expect(main, s).toContain(s);
    }
    const yml = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    for (const fuse of ['runAsNode: false', 'enableCookieEncryption: true', 'enableEmbeddedAsarIntegrityValidation: true', 'onlyLoadAppFromAsar: true']) {
      expect(yml, fuse).toContain(fuse);
    }
  });
});
