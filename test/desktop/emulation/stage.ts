// Lays the built app out the way electron-builder packs it (electron-builder.yml): the app folder
// is <root>/resources/app.asar holding out/** (no source maps), package.json and the production
// dependencies under node_modules (electron-builder adds them whatever `files` says), and
// asarUnpack'ed modules under app.asar.unpacked. The emulation cannot read a real asar archive,
// so app.asar is a folder with the same paths: __dirname, the preload path and the worker entry
// resolve exactly as inside the installed app. Optional mutations break the copy on purpose.
import fs from 'node:fs';
import path from 'node:path';

export interface StagedApp {
  root: string;
  resourcesPath: string;
  appPath: string;
  mainPath: string;
  executable: string;
}

export interface Mutation { file: string; from: string; to: string }

function productionDeps(root: string): string[] {
  const seen = new Set<string>();
  const queue = Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies ?? {});
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(dir)) continue; // nested, reached through its parent's folder
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    queue.push(...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}));
  }
  return [...seen];
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) copyTree(a, b);
    else if (!e.name.endsWith('.map')) fs.copyFileSync(a, b);
  }
}

export function stageApp(projectRoot: string, dir: string, mutations: Mutation[] = []): StagedApp {
  fs.rmSync(dir, { recursive: true, force: true });
  const resourcesPath = path.join(dir, 'resources');
  const appPath = path.join(resourcesPath, 'app.asar');
  copyTree(path.join(projectRoot, 'out'), path.join(appPath, 'out'));
  fs.copyFileSync(path.join(projectRoot, 'package.json'), path.join(appPath, 'package.json'));
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { main: string };
  for (const name of productionDeps(projectRoot)) {
    const link = path.join(appPath, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(projectRoot, 'node_modules', name), link, 'dir');
  }
  fs.mkdirSync(path.join(resourcesPath, 'app.asar.unpacked', 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(projectRoot, 'node_modules', 'h5wasm'), path.join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'h5wasm'), 'dir');
  for (const m of mutations) {
    const f = path.join(appPath, m.file);
    const src = fs.readFileSync(f, 'utf8');
    const n = src.split(m.from).length - 1;
    if (n !== 1) throw new Error(`mutation of ${m.file}: '${m.from}' occurs ${n} times, expected once`);
    fs.writeFileSync(f, src.replace(m.from, m.to));
  }
  return { root: dir, resourcesPath, appPath, mainPath: path.join(appPath, pkg.main), executable: path.join(dir, 'spikedesk') };
}
