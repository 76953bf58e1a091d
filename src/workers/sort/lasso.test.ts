import { describe, expect, it } from 'vitest';
import { spikesInPolygon } from './lasso';
import { Rng } from '../rng';

/** Textbook crossing test, O(points x vertices), as the oracle. */
function bruteInside(x: number, y: number, poly: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
  }
  return inside;
}

function points(xy: [number, number][], nFeat = 2, dims: [number, number] = [0, 1]): Float32Array {
  const f = new Float32Array(xy.length * nFeat).fill(99);
  xy.forEach(([x, y], i) => { f[i * nFeat + dims[0]] = x; f[i * nFeat + dims[1]] = y; });
  return f;
}

const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

function star(rng: Rng, m: number, cx: number, cy: number): [number, number][] {
  return Array.from({ length: m }, (_, i): [number, number] => {
    const a = (2 * Math.PI * i) / m;
    const r = 0.2 + rng.uniform() * 1.8;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
}

describe('spikesInPolygon', () => {
  it('selects the points inside a square and keeps the input order', () => {
    const sq: [number, number][] = [[0, 0], [2, 0], [2, 2], [0, 2]];
    const f = points([[1, 1], [3, 1], [0.5, 1.5], [-1, 1], [1, 2.5], [1.99, 0.01]]);
    expect([...spikesInPolygon(f, 2, [0, 1], Int32Array.of(5, 0, 1, 2), sq)]).toEqual([5, 0, 2]);
  });

  it('handles a concave U shape (points in the notch are outside)', () => {
    const u: [number, number][] = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]];
    const f = points([[0.5, 2], [1.5, 2], [2.5, 2], [1.5, 0.5], [1.5, 1.5], [2.5, 2.9]]);
    expect([...spikesInPolygon(f, 2, [0, 1], all(6), u)]).toEqual([0, 2, 3, 5]);
  });

  it('uses the two chosen dimensions of a wider feature matrix', () => {
    const strip: [number, number][] = [[0, 0], [4, 0], [4, 1], [0, 1]];
    const f = points([[0.5, 0.5], [3, 0.5], [0.5, 3]], 5, [3, 1]);
    expect([...spikesInPolygon(f, 5, [3, 1], all(3), strip)]).toEqual([0, 1]);
    // Swapping the dimensions mirrors the points about the diagonal.
    expect([...spikesInPolygon(f, 5, [1, 3], all(3), strip)]).toEqual([0, 2]);
  });

  it('agrees with the brute-force test on random concave polygons with many vertices', () => {
    const rng = new Rng(7);
    const n = 20000, nFeat = 4;
    const f = new Float32Array(n * nFeat);
    for (let i = 0; i < f.length; i++) f[i] = rng.normal() * 1.5;
    for (const m of [3, 7, 60, 400]) {
      const poly = star(rng, m, rng.normal() * 0.3, rng.normal() * 0.3);
      const dims: [number, number] = [m % 4, (m + 1) % 4];
      const idx = rng.sample(n, 15000);
      const got = spikesInPolygon(f, nFeat, dims, idx, poly);
      const want = [...idx].filter((i) => bruteInside(f[i * nFeat + dims[0]], f[i * nFeat + dims[1]], poly));
      expect(want.length).toBeGreaterThan(100);
      expect([...got]).toEqual(want);
    }
  });

  it('does not depend on drawing direction or a repeated closing vertex', () => {
    const rng = new Rng(3);
    const poly = star(rng, 50, 0, 0);
    const f = new Float32Array(4000);
    for (let i = 0; i < f.length; i++) f[i] = rng.normal();
    const a = spikesInPolygon(f, 2, [0, 1], all(2000), poly);
    const b = spikesInPolygon(f, 2, [0, 1], all(2000), [...poly].reverse());
    const c = spikesInPolygon(f, 2, [0, 1], all(2000), [...poly, poly[0]]);
    expect([...b]).toEqual([...a]);
    expect([...c]).toEqual([...a]);
  });

  it('puts a point on an edge shared by two polygons into exactly one of them', () => {
    // A square cut by a zigzag into two polygons; lattice points, points on the diagonal pieces and the vertices.
    const left: [number, number][] = [[0, 0], [2, 0], [1, 1], [3, 2], [1.5, 4], [0, 4]];
    const right: [number, number][] = [[2, 0], [4, 0], [4, 4], [1.5, 4], [3, 2], [1, 1]];
    const xy: [number, number][] = [];
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) xy.push([i / 4, j / 4]);
    for (let t = 0; t <= 20; t++) {
      const s = t / 20;
      xy.push([2 - s, s], [1 + 2 * s, 1 + s], [3 - 1.5 * s, 2 + 2 * s]);
    }
    const f = points(xy);
    const a = new Set(spikesInPolygon(f, 2, [0, 1], all(xy.length), left));
    const b = new Set(spikesInPolygon(f, 2, [0, 1], all(xy.length), right));
    xy.forEach(([x, y], i) => {
      const inSquare = x >= 0 && x < 4 && y >= 0 && y < 4;
      expect(Number(a.has(i)) + Number(b.has(i))).toBe(inSquare ? 1 : 0);
    });
  });

  it('applies the even-odd rule to a self-intersecting bow tie', () => {
    const bow: [number, number][] = [[0, 0], [2, 2], [2, 0], [0, 2]];
    const f = points([[0.2, 1], [1.8, 1], [1, 0.2], [1, 1.8]]);
    expect([...spikesInPolygon(f, 2, [0, 1], all(4), bow)]).toEqual([0, 1]);
  });

  it('treats degenerate polygons, NaN features and empty input as selecting nothing', () => {
    const line: [number, number][] = [[0, 0], [1, 1], [2, 2]];
    expect(spikesInPolygon(points([[1, 1], [0.5, 0.5]]), 2, [0, 1], all(2), line).length).toBe(0);
    const sq: [number, number][] = [[0, 0], [2, 0], [2, 2], [0, 2]];
    expect([...spikesInPolygon(points([[NaN, 1], [1, NaN], [1, 1]]), 2, [0, 1], all(3), sq)]).toEqual([2]);
    expect(spikesInPolygon(points([[1, 1]]), 2, [0, 1], new Int32Array(0), sq).length).toBe(0);
  });

  it('rejects bad arguments with typed errors', () => {
    const sq: [number, number][] = [[0, 0], [2, 0], [2, 2], [0, 2]];
    const f = points([[1, 1]]);
    expect(() => spikesInPolygon(f, 2, [0, 1], all(1), sq.slice(0, 2))).toThrow(/2 vertices/);
    expect(() => spikesInPolygon(f, 2, [0, 2], all(1), sq)).toThrow(/dimension 2/);
    expect(() => spikesInPolygon(f, 2, [0, 1], Int32Array.of(1), sq)).toThrow(/outside/);
    expect(() => spikesInPolygon(f, 3, [0, 1], all(1), sq)).toThrow(/multiple/);
    expect(() => spikesInPolygon(f, 2, [0, 1], all(1), [[0, 0], [1, NaN], [2, 2]])).toThrow(/finite/);
    try { spikesInPolygon(f, 2, [0, 1], all(1), []); } catch (e) { expect((e as { code: string }).code).toBe('BAD_REQUEST'); }
  });
});
