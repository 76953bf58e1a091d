import { describe, expect, it } from 'vitest';
import { VIEWS } from '../../shared/menu';
import { keyOf, SHORTCUTS, tabOfKey } from './shortcuts';

describe('tab shortcuts', () => {
  it('every tab has its own number key, and the hint of each tab names the key that opens it', () => {
    expect(VIEWS.map((v) => v.view)).toEqual(['traces', 'sorting', 'correction', 'tf', 'batch']);
    VIEWS.forEach((v, i) => {
      const key = keyOf('tabs', i);
      expect(key, v.label).toBe(String(i + 1));
      expect(tabOfKey(key)).toBe(v.view);
    });
    expect(SHORTCUTS.tabs.keys).toBe('1 / 2 / 3 / 4 / 5');
    expect(SHORTCUTS.tabs.what).toBe('tabs: traces, sorting & curation, correction, time–frequency, batch');
  });

  it('other keys open no tab', () => {
    for (const k of ['0', '6', '9', '12', 'a', '']) expect(tabOfKey(k), k).toBeNull();
  });
});
