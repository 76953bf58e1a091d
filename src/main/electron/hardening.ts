// Decisions of the Electron host that are security policy, kept free of the 'electron' import so
// they can be unit-tested: which external links may open in the system browser, which menu roles a
// packaged build offers, what a save dialog adds to the path allow-list, which permission checks pass.

import path from 'node:path';

/** Links SpikeDesk itself shows (documentation, issue tracker): only these open in the system browser. */
export const EXTERNAL_LINK_PREFIXES: readonly string[] = Object.freeze([
  'https://github.com/spikedesk/',
  'https://spikedesk.org/',
]);

/** True for an https URL under one of the project's own prefixes (parsed, so "https://github.com/spikedesk.evil" does not pass). */
export function isAllowedExternal(url: string, prefixes: readonly string[] = EXTERNAL_LINK_PREFIXES): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  const normal = u.href;
  return prefixes.some((p) => normal.startsWith(p));
}

/** View-menu roles: Reload and DevTools only in development builds. */
export function viewRoles(isPackaged: boolean): ('reload' | 'toggleDevTools' | 'togglefullscreen')[] {
  return isPackaged ? ['togglefullscreen'] : ['reload', 'toggleDevTools', 'togglefullscreen'];
}

/**
 * What a save dialog's result adds to the allow-list: the chosen path only, never its parent folder
 * (nor its siblings). Folders of the path that do not exist yet (a name typed with new folders in
 * it) are allowed one by one, so exactly that chain can be created.
 */
export function exportAllowance(chosen: string, exists: (p: string) => boolean = () => true): { files: string[]; roots: string[] } {
  const files = [chosen];
  for (let d = path.dirname(chosen); d !== path.dirname(d) && !exists(d); d = path.dirname(d)) files.push(d);
  return { files, roots: [] };
}

/** Permission checks (and requests) of the renderer: SpikeDesk needs none (clipboard writes are not gated). */
export function permissionAllowed(_permission: string): boolean {
  return false;
}

/** A navigation of our window away from the app's own page (redirects, frames) is refused. */
export function navigationAllowed(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url), a = new URL(appUrl);
    return u.protocol === a.protocol && u.host === a.host && u.pathname === a.pathname;
  } catch {
    return false;
  }
}
