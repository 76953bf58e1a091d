// Spectrogram image export (File > Export Time-Frequency > PNG / SVG): the backend writes only a
// real PNG / SVG, under the right extension, never over an existing file unless told, and leaves
// no temp file behind; the RPC schema bounds the arguments (the allow-list is checked end to end in
// test/e2e/tf.e2e.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, writeTfImage } from '../../src/main/export/tf-image';
import { API_ARGS } from '../../src/shared/schema/api-schema';
import * as v from 'valibot';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-tf-image-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// A 1x1 PNG (signature, IHDR, IDAT, IEND) as plotly's toImage returns it.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const pngUrl = `data:image/png;base64,${PNG}`;
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
const svgUrl = `data:image/svg+xml,${encodeURIComponent(svg)}`;

describe('spectrogram image export', () => {
  it('writes the PNG bytes and the SVG text, crash-safe (no temp left)', async () => {
    const png = path.join(dir, 'a.png');
    const r = await writeTfImage('tf-png', png, false, pngUrl);
    expect(r).toEqual({ format: 'tf-png', path: png, files: [png], units: 0, spikes: 0 });
    expect(fs.readFileSync(png).equals(Buffer.from(PNG, 'base64'))).toBe(true);
    const s = path.join(dir, 'a.svg');
    await writeTfImage('tf-svg', s, false, svgUrl);
    expect(fs.readFileSync(s, 'utf8')).toBe(svg);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('asks before replacing, and replaces when told', async () => {
    const png = path.join(dir, 'b.png');
    fs.writeFileSync(png, 'old');
    await expect(writeTfImage('tf-png', png, false, pngUrl)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(fs.readFileSync(png, 'utf8')).toBe('old');
    await writeTfImage('tf-png', png, true, pngUrl);
    expect(fs.readFileSync(png).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
  });

  it('refuses a wrong extension, data that is not the image it claims, and scripts in SVG', async () => {
    await expect(writeTfImage('tf-png', path.join(dir, 'c.svg'), false, pngUrl)).rejects.toMatchObject({ code: 'BAD_PARAMETER', message: expect.stringMatching(/ending in \.png/) });
    await expect(writeTfImage('tf-svg', path.join(dir, 'c.png'), false, svgUrl)).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    expect(() => decodeImage('tf-png', svgUrl)).toThrow(/not a base64 PNG/);
    expect(() => decodeImage('tf-png', `data:image/png;base64,${Buffer.from('x'.repeat(100)).toString('base64')}`)).toThrow(/not a PNG/);
    expect(() => decodeImage('tf-svg', pngUrl)).toThrow(/not an SVG data URL/);
    expect(() => decodeImage('tf-svg', `data:image/svg+xml,${encodeURIComponent('<html></html>')}`)).toThrow(/not an SVG document/);
    expect(() => decodeImage('tf-svg', `data:image/svg+xml,${encodeURIComponent('<svg><script>alert(1)</script></svg>')}`)).toThrow(/script/);
    expect(() => decodeImage('tf-svg', 'data:image/svg+xml,%E0%A4%A')).toThrow(/not validly encoded/);
    expect(fs.existsSync(path.join(dir, 'c.png')) || fs.existsSync(path.join(dir, 'c.svg'))).toBe(false);
  });

  it('the RPC schema takes only the two image formats and a bounded text', () => {
    const s = API_ARGS.exportTfImage;
    expect(v.safeParse(s, ['tf-png', '/x/a.png', false, pngUrl]).success).toBe(true);
    expect(v.safeParse(s, ['tf-npy', '/x/a.png', false, pngUrl]).success).toBe(false);
    expect(v.safeParse(s, ['tf-png', '/x/a.png', false, 42]).success).toBe(false);
    expect(v.safeParse(s, ['tf-png', '/x/a.png', false, 'x'.repeat(13 * 1024 * 1024)]).success).toBe(false);
  });
});
