// The application menu (Electron). Actions go to the renderer as menu commands on the same
// event channel the web UI's menu bar uses.

import { Menu, app, type MenuItemConstructorOptions } from 'electron';
import type { Services } from '../compose';

export function installMenu(_services: Services): void {
  const template: MenuItemConstructorOptions[] = [
    { label: 'File', submenu: [{ role: 'quit' }] },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { label: 'Help', submenu: [{ label: `About SpikeDesk ${app.getVersion()}`, enabled: false }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
