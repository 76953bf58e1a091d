// Structured-clone-like codec for messages that cross the bridge between the emulated main
// process (Node) and a page (Chromium) as JSON. Electron serializes with V8's serializer, so
// typed arrays, ArrayBuffers, Maps, Sets, Dates, RegExps, Errors, undefined, NaN and BigInt survive
// the trip; functions and symbols cannot be cloned (DataCloneError), as in Electron.
// Self-contained on purpose: makeCodec.toString() is injected into the page.
'use strict';

function makeCodec(toB64, fromB64) {
  const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
    'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView'];
  function bytes(buf, off, len) { return new Uint8Array(buf, off, len); }
  function enc(v, seen) {
    if (v === undefined) return { $: 'u' };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { $: 'num', v: 'NaN' };
      if (!Number.isFinite(v)) return { $: 'num', v: v > 0 ? 'Inf' : '-Inf' };
      if (Object.is(v, -0)) return { $: 'num', v: '-0' };
      return v;
    }
    if (typeof v === 'bigint') return { $: 'big', v: v.toString() };
    if (typeof v === 'function' || typeof v === 'symbol') {
      const e = new Error(`${String(v)} could not be cloned.`);
      e.name = 'DataCloneError';
      throw e;
    }
    if (seen.has(v)) {
      const e = new Error('cyclic or shared references are not supported by the emulation bridge');
      e.name = 'DataCloneError';
      throw e;
    }
    seen.add(v);
    try {
      if (v instanceof ArrayBuffer) return { $: 'ab', v: toB64(bytes(v, 0, v.byteLength)) };
      if (ArrayBuffer.isView(v)) {
        const name = v.constructor && v.constructor.name;
        if (TYPED.indexOf(name) < 0) throw new Error(`unsupported view ${name}`);
        return { $: 'ta', t: name, v: toB64(bytes(v.buffer, v.byteOffset, v.byteLength)) };
      }
      if (Array.isArray(v)) return { $: 'a', v: v.map((x) => enc(x, seen)) };
      if (v instanceof Date) return { $: 'd', v: v.getTime() };
      if (v instanceof RegExp) return { $: 're', s: v.source, f: v.flags };
      if (v instanceof Map) return { $: 'm', v: Array.from(v, ([k, x]) => [enc(k, seen), enc(x, seen)]) };
      if (v instanceof Set) return { $: 's', v: Array.from(v, (x) => enc(x, seen)) };
      if (v instanceof Error) return { $: 'e', n: v.name, m: v.message, s: v.stack };
      const o = {};
      for (const k of Object.keys(v)) o[k] = enc(v[k], seen);
      return { $: 'o', v: o };
    } finally {
      seen.delete(v);
    }
  }
  function dec(v) {
    if (v === null || typeof v !== 'object') return v;
    switch (v.$) {
      case 'u': return undefined;
      case 'num': return v.v === 'NaN' ? NaN : v.v === 'Inf' ? Infinity : v.v === '-Inf' ? -Infinity : -0;
      case 'big': return BigInt(v.v);
      case 'ab': { const b = fromB64(v.v); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }
      case 'ta': {
        const b = fromB64(v.v);
        const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
        if (v.t === 'DataView') return new DataView(buf);
        const C = globalThis[v.t];
        return new C(buf);
      }
      case 'a': return v.v.map(dec);
      case 'd': return new Date(v.v);
      case 're': return new RegExp(v.s, v.f);
      case 'm': return new Map(v.v.map(([k, x]) => [dec(k), dec(x)]));
      case 's': return new Set(v.v.map(dec));
      case 'e': { const C = globalThis[v.n]; const e = typeof C === 'function' && C.prototype instanceof Error ? new C(v.m) : new Error(v.m); e.name = v.n; if (v.s) e.stack = v.s; return e; }
      case 'o': { const o = {}; for (const k of Object.keys(v.v)) o[k] = dec(v.v[k]); return o; }
      default: throw new Error(`bridge codec: unknown tag ${v.$}`);
    }
  }
  return { encode: (v) => enc(v, new Set()), decode: dec };
}

/** Node side: base64 through Buffer. */
function nodeCodec() {
  return makeCodec((u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('base64'),
    (s) => new Uint8Array(Buffer.from(s, 'base64')));
}

module.exports = { makeCodec, nodeCodec };
