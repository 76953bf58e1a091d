// BrainVision text files: the INI-like .vhdr header and the .vmrk marker list.

import type { EventMark } from '../../../shared/recording';

export type Ini = Map<string, Map<string, string>>;

export function parseIni(text: string): Ini {
  const ini: Ini = new Map();
  let section = new Map<string, string>();
  ini.set('', section);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = ini.get(sec[1].trim()) ?? new Map();
      ini.set(sec[1].trim(), section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) section.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return ini;
}

/** BrainVision escapes commas inside a field as \1. */
export function unescapeField(s: string): string {
  return s.replace(/\\1/g, ',');
}

export function escapeField(s: string): string {
  return s.replace(/[\r\n]/g, ' ').replace(/,/g, '\\1');
}

export function parseMarkers(text: string, nSamples: number, notes: string[]): EventMark[] {
  const ini = parseIni(text);
  const mk = ini.get('Marker Infos') ?? new Map<string, string>();
  const events: EventMark[] = [];
  let bad = 0;
  let outside = 0;
  for (const [key, value] of mk) {
    if (!/^Mk\d+$/i.test(key)) continue;
    const parts = value.split(',');
    const pos = Number(parts[2]);
    const size = parts[3] === undefined || parts[3].trim() === '' ? 1 : Number(parts[3]);
    if (parts.length < 3 || !Number.isInteger(pos) || !Number.isInteger(size) || size < 0) { bad++; continue; }
    const sample = pos - 1; // positions are 1-based
    if (sample < 0 || sample >= nSamples) { outside++; continue; }
    const type = unescapeField(parts[0].trim());
    const desc = unescapeField(parts[1].trim());
    events.push({ sample, duration: size > 1 ? size : 0, label: `${type}/${desc}` });
  }
  if (bad) notes.push(`${bad} malformed markers were skipped.`);
  if (outside) notes.push(`${outside} markers outside the recording were skipped.`);
  return events.sort((a, b) => a.sample - b.sample);
}
