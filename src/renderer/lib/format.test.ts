import { describe, expect, it } from 'vitest';
import { decades } from './format';

describe('decades', () => {
  it('writes 0 plainly, two decimals from 0.01 and an exponent below', () => {
    expect(decades(0)).toBe('0');
    expect(decades(0.12)).toBe('0.12');
    expect(decades(1.5)).toBe('1.50');
    expect(decades(0.01)).toBe('0.01');
    expect(decades(0.00028)).toBe('2.8e-4');
    expect(decades(3e-12)).toBe('3.0e-12');
  });
});
