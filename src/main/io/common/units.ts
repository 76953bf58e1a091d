// Physical units to microvolts, as the formats spell them.

/** Factor that turns a value in `unit` into uV, or null when the unit is not a voltage. */
export function toMicrovolts(unit: string): number | null {
  const u = unit.trim().replace(/\u00b5|\u03bc/g, 'u');
  switch (u) {
    case 'uV': case 'uv': case 'microvolts': return 1;
    case 'mV': case 'mv': case 'millivolts': return 1e3;
    case 'V': case 'v': case 'volt': case 'volts': return 1e6;
    case 'nV': case 'nv': return 1e-3;
    default: return null;
  }
}
