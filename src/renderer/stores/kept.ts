// View state kept while its view is not shown: the tabs mount their view only while active, so a
// plain useState (the selected channel, a table's sort column) started over on every return.
// `useKept(key, initial)` is useState backed by this session-long map; keys that name channels
// carry the recording's path, so another recording starts from the initial value.
import { create } from 'zustand';

interface KeptState {
  values: Record<string, unknown>;
  put(key: string, value: unknown): void;
}

const useKeptStore = create<KeptState>((set) => ({
  values: {},
  put(key, value) { set((s) => ({ values: { ...s.values, [key]: value } })); },
}));

export function useKept<T>(key: string, initial: T): [T, (value: T) => void] {
  const stored = useKeptStore((s) => s.values[key]) as T | undefined;
  const put = useKeptStore((s) => s.put);
  return [stored === undefined ? initial : stored, (value: T) => put(key, value)];
}
