// Lasso selection in feature space: which spikes of a cluster lie inside a polygon drawn on two
// feature dimensions. Applied to ALL spikes of the cluster, not only the subset drawn on screen
// (a known phy pitfall). Even-odd rule with half-open edges, so a point on an edge shared by two
// adjacent polygons belongs to exactly one of them; edges are bucketed in horizontal bands so a
// freehand lasso with hundreds of vertices stays fast on 1e6 points.

import { SpikeDeskError } from '../../shared/errors';

function bad(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_REQUEST', message, fix });
}

/** Edges sorted into horizontal bands (CSR layout): only the edges of a point's band can cross its ray. */
interface BandIndex {
  y0: number;
  invH: number;
  nBands: number;
  start: Int32Array;
  edges: Int32Array;
}

function buildBands(px: Float64Array, py: Float64Array, ymin: number, ymax: number): BandIndex {
  const m = px.length;
  const nBands = Math.max(1, Math.min(1024, m >> 1));
  const span = ymax - ymin;
  const invH = span > 0 ? nBands / span : 0;
  const band = (y: number): number => Math.min(nBands - 1, Math.max(0, Math.floor((y - ymin) * invH)));
  const count = new Int32Array(nBands + 1);
  for (let e = 0; e < m; e++) {
    const a = py[e], b = py[(e + 1) % m];
    if (a === b) continue; // horizontal edges never cross a horizontal ray under the half-open rule
    for (let k = band(Math.min(a, b)), hi = band(Math.max(a, b)); k <= hi; k++) count[k + 1]++;
  }
  for (let k = 0; k < nBands; k++) count[k + 1] += count[k];
  const edges = new Int32Array(count[nBands]);
  const fill = count.slice(0, nBands);
  for (let e = 0; e < m; e++) {
    const a = py[e], b = py[(e + 1) % m];
    if (a === b) continue;
    for (let k = band(Math.min(a, b)), hi = band(Math.max(a, b)); k <= hi; k++) edges[fill[k]++] = e;
  }
  return { y0: ymin, invH, nBands, start: count, edges };
}

/**
 * Indices (from `indices`, in their order) whose point (features[i*nFeat+dims[0]], features[i*nFeat+dims[1]])
 * lies inside `polygon` (even-odd rule; closed implicitly). Non-finite feature values are outside.
 */
export function spikesInPolygon(features: Float32Array, nFeat: number, dims: [number, number],
  indices: Int32Array, polygon: [number, number][]): Int32Array {
  if (!Number.isInteger(nFeat) || nFeat < 1) bad(`feature count ${nFeat} is invalid`, 'pass the number of feature columns');
  if (features.length % nFeat !== 0) bad(`feature matrix length ${features.length} is not a multiple of ${nFeat}`, 'pass a row-major spikes x features matrix');
  for (const d of dims) if (!Number.isInteger(d) || d < 0 || d >= nFeat) bad(`feature dimension ${d} is outside 0..${nFeat - 1}`, 'choose two existing feature columns');
  if (polygon.length < 3) bad(`the lasso has ${polygon.length} vertices`, 'draw a polygon with at least 3 points');
  const nRows = features.length / nFeat;
  const m = polygon.length;
  const px = new Float64Array(m), py = new Float64Array(m);
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i < m; i++) {
    const [x, y] = polygon[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) bad(`lasso vertex ${i} is not a finite point`, 'redraw the lasso');
    px[i] = x; py[i] = y;
    if (x < xmin) xmin = x; if (x > xmax) xmax = x;
    if (y < ymin) ymin = y; if (y > ymax) ymax = y;
  }
  // Per edge: its lower end and dx/dy, so a crossing costs one multiply-add. Starting from the lower
  // end whatever the drawing direction makes an edge shared by two polygons give bit-identical x.
  const ex = new Float64Array(m), ey = new Float64Array(m), slope = new Float64Array(m);
  const ehi = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const j = (e + 1) % m;
    const lo = py[e] <= py[j] ? e : j, hi = lo === e ? j : e;
    ex[e] = px[lo]; ey[e] = py[lo]; ehi[e] = py[hi];
    slope[e] = py[hi] !== py[lo] ? (px[hi] - px[lo]) / (py[hi] - py[lo]) : 0;
  }
  const bands = buildBands(px, py, ymin, ymax);
  const out = new Int32Array(indices.length);
  let n = 0;
  const d0 = dims[0], d1 = dims[1];
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t];
    if (!(i >= 0 && i < nRows)) bad(`spike index ${i} is outside 0..${nRows - 1}`, 'pass indices into this channel\'s feature matrix');
    const x = features[i * nFeat + d0], y = features[i * nFeat + d1];
    // The comparisons also reject NaN.
    if (!(x >= xmin && x < xmax && y >= ymin && y < ymax)) continue;
    const b = Math.min(bands.nBands - 1, Math.floor((y - bands.y0) * bands.invH));
    let inside = false;
    for (let k = bands.start[b], end = bands.start[b + 1]; k < end; k++) {
      const e = bands.edges[k];
      // Half-open in y: the edge covers [lo, hi).
      if (y < ey[e] || y >= ehi[e]) continue;
      if (x < ex[e] + (y - ey[e]) * slope[e]) inside = !inside;
    }
    if (inside) out[n++] = i;
  }
  return out.slice(0, n);
}
