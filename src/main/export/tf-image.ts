// File > Export Time-Frequency > Spectrogram image (PNG / SVG). The page renders the drawn plot
// with plotly's toImage (the backend has no browser) and sends the data URL; the backend checks it
// is the image it claims to be, and writes it like every other export: an allowed path (checked by
// the caller), the right extension, no silent replacement, temp file + fsync + rename.

import * as fs from 'node:fs';
import type { ExportSummary } from '../../shared/api';
import { SpikeDeskError } from '../../shared/errors';
import type { TfImageFormat } from '../../shared/menu';
import { withAtomicOutput } from './atomic-output';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_PARAMETER', message, fix });
}

/** The image bytes of a plotly toImage data URL, checked against the format. */
export function decodeImage(format: TfImageFormat, dataUrl: string): Uint8Array {
  if (format === 'tf-png') {
    const prefix = 'data:image/png;base64,';
    if (!dataUrl.startsWith(prefix)) bad('the image is not a base64 PNG data URL', 'export the spectrogram again from the Time–frequency view');
    const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
    if (bytes.length < 64 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) bad('the image data is not a PNG file', 'export the spectrogram again from the Time–frequency view');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  const m = /^data:image\/svg\+xml(;charset=utf-8)?(;base64)?,/i.exec(dataUrl);
  if (!m) bad('the image is not an SVG data URL', 'export the spectrogram again from the Time–frequency view');
  const body = dataUrl.slice(m[0].length);
  let svg: string;
  try {
    svg = m[2] ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
  } catch {
    bad('the SVG data URL is not validly encoded', 'export the spectrogram again from the Time–frequency view');
  }
  const start = svg.replace(/^\s*(<\?xml[^>]*\?>\s*)?/, '');
  if (!start.startsWith('<svg') || !/<\/svg>\s*$/.test(svg)) bad('the image data is not an SVG document', 'export the spectrogram again from the Time–frequency view');
  // A plot has no scripts; refusing them keeps a tampered page from planting one in the user's files.
  if (/<script[\s>]/i.test(svg)) bad('the SVG contains a script', 'export the spectrogram again from the Time–frequency view');
  return new TextEncoder().encode(svg);
}

/** Writes the image to `target` (an allowed path; its parent folder exists). */
export async function writeTfImage(format: TfImageFormat, target: string, overwrite: boolean, dataUrl: string): Promise<ExportSummary> {
  if (format !== 'tf-png' && format !== 'tf-svg') bad(`unknown image format "${String(format)}"`, 'use tf-png or tf-svg');
  const ext = format === 'tf-png' ? '.png' : '.svg';
  if (!target.toLowerCase().endsWith(ext)) bad(`the ${ext.slice(1).toUpperCase()} image must be saved under a name ending in ${ext} (got ${target})`, `name the file e.g. spectrogram${ext}`);
  const bytes = decodeImage(format, dataUrl);
  await withAtomicOutput(target, 'file', overwrite, (temp) => fs.writeFileSync(temp, bytes));
  return { format, path: target, files: [target], units: 0, spikes: 0 };
}
