/// <reference lib="dom" />
// Preload (sandboxed, CommonJS): hands the renderer its MessagePort. Nothing else is exposed.
import { ipcRenderer } from 'electron';

ipcRenderer.once('spikedesk:port', (e) => {
  window.postMessage('spikedesk:port', window.location.origin === 'null' ? '*' : window.location.origin, e.ports);
});
