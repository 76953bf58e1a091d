// Draws the SpikeDesk icon (a spike waveform over a trace on a dark rounded tile) and writes it as
// PNG in every size packaging needs: build/icon.png (512, electron-builder converts it for macOS
// and Windows), build/icons/NxN.png (Linux), resources/icon.png (256, the window icon at run time).
// Pure Node (zlib for the PNG stream), so the icons are reproducible: `node scripts/make-icons.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** The waveform in unit coordinates: a flat trace with one biphasic spike in the middle. */
function wave(u) {
  const t = (u - 0.5) / 0.06;
  return 0.08 * Math.sin(u * 37) * 0.3 - 0.9 * Math.exp(-t * t) * (1 - 0.3 * t) + 0.35 * Math.exp(-((t - 1.8) ** 2) / 1.5);
}

function draw(size) {
  const S = 4; // supersampling per axis
  const img = Buffer.alloc(size * size * 4);
  const r = 0.18; // corner radius (fraction of the tile)
  const line = 0.045;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let inTile = 0, onLine = 0, accent = 0;
    for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) {
      const u = (x + (sx + 0.5) / S) / size, v = (y + (sy + 0.5) / S) / size;
      const dx = Math.max(r - u, 0, u - (1 - r)), dy = Math.max(r - v, 0, v - (1 - r));
      if (dx * dx + dy * dy > r * r) continue;
      inTile++;
      if (u < 0.12 || u > 0.88) continue;
      const wv = 0.5 + 0.32 * wave(u);
      // Distance to the curve, measured vertically and scaled by the slope.
      const slope = (wave(u + 1e-3) - wave(u - 1e-3)) / 2e-3 * 0.32;
      const d = Math.abs(v - wv) / Math.sqrt(1 + slope * slope);
      if (d < line / 2) { onLine++; if (Math.abs(u - 0.5) < 0.1) accent++; }
    }
    const n = S * S, a = inTile / n;
    const bg = [22, 30, 46], fg = [120, 220, 255], hot = [255, 170, 60];
    const fl = onLine / Math.max(1, inTile), ac = accent / Math.max(1, onLine);
    const c = bg.map((b, i) => Math.round(b * (1 - fl) + (fg[i] * (1 - ac) + hot[i] * ac) * fl));
    img.set([c[0], c[1], c[2], Math.round(255 * a)], (y * size + x) * 4);
  }
  return png(size, img);
}

const write = (rel, size) => {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, draw(size));
};
for (const s of [16, 32, 48, 64, 128, 256, 512]) write(`build/icons/${s}x${s}.png`, s);
write('build/icon.png', 512);
write('resources/icon.png', 256);
console.log('icons written to build/ and resources/');
