/// <reference lib="dom" />
// Preload (sandboxed, CommonJS): hands the renderer its MessagePort, and turns a file dropped
// on the window into a path for main (which adds it to the allow-list as a user choice).
// Nothing is exposed on window.
import { ipcRenderer, webUtils } from 'electron';

ipcRenderer.once('spikedesk:port', (e) => {
  window.postMessage('spikedesk:port', window.location.origin === 'null' ? '*' : window.location.origin, e.ports);
});

window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files?.[0];
  if (!file) return;
  const p = webUtils.getPathForFile(file);
  if (p) ipcRenderer.send('spikedesk:dropped', p);
});
