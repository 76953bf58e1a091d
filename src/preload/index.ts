/// <reference lib="dom" />
// Preload (sandboxed, CommonJS): hands the renderer its MessagePort, and turns a file dropped
// on the window into a path for main (which adds it to the allow-list as a user choice).
// Nothing is exposed on window.
import { ipcRenderer, webUtils } from 'electron';

// The port goes to this same window (isolated world -> main world). A page loaded from file://
// has an opaque origin: Chromium reports location.origin as 'file://' but drops a postMessage
// whose targetOrigin is 'file://' ("does not match the recipient window's origin ('null')"), so
// the renderer would never connect. '*' is safe here: the target is our own window, and
// navigation away from the app is blocked in main.
function targetOrigin(): string {
  return window.location.protocol === 'file:' || window.location.origin === 'null' ? '*' : window.location.origin;
}

ipcRenderer.once('spikedesk:port', (e) => {
  window.postMessage('spikedesk:port', targetOrigin(), e.ports);
});

window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files?.[0];
  if (!file) return;
  const p = webUtils.getPathForFile(file);
  if (p) ipcRenderer.send('spikedesk:dropped', p);
});
