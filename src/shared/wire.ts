// JSON codec for the WebSocket transport: typed arrays travel as base64 (they are small:
// decimated traces, capped feature subsets), everything else as JSON.

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Float32Array, Float64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Uint8Array, Int8Array,
};

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function fromBase64(b64: string): ArrayBuffer {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const view = v as ArrayBufferView;
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      return { __typed: view.constructor.name, b64: toBase64(bytes) };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { __num: String(v) };
    return v;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      const o = v as { __typed?: string; b64?: string; __num?: string };
      if (o.__typed && typeof o.b64 === 'string' && TYPED[o.__typed]) return new TYPED[o.__typed](fromBase64(o.b64));
      if (typeof o.__num === 'string') return Number(o.__num);
    }
    return v;
  });
}
