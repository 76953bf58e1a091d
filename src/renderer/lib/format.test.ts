import { describe, expect, it } from 'vitest';
import { decades, large, plural } from './format';

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

describe('large', () => {
  it('keeps one decimal below 1000, then thousands and an exponent, so the cell keeps its width', () => {
    expect(large(0)).toBe('0.0');
    expect(large(28.64)).toBe('28.6');
    expect(large(999.9)).toBe('999.9');
    expect(large(999.96)).toBe('1.0k');
    expect(large(9750.2)).toBe('9.8k');
    expect(large(125_400)).toBe('125k');
    expect(large(2.5e6)).toBe('2.5e+6');
  });
});

describe('plural', () => {
  it('writes the singular for exactly one', () => {
    expect(plural(1, 'channel')).toBe('1 channel');
    expect(plural(0, 'unit')).toBe('0 units');
    expect(plural(8, 'unit')).toBe('8 units');
  });
});
