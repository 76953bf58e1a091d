// Pure numeric input with an inline message when the text is not a number in range.
import { useEffect, useState } from 'react';

export interface NumFieldProps {
  label: string;
  value: number;
  onChange: (v: number) => void;
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  unit?: string;
  title?: string;
}

export function NumField({ label, value, onChange, min, max, step, integer, unit, title }: NumFieldProps) {
  const [text, setText] = useState(String(value));
  useEffect(() => { setText(String(value)); }, [value]);
  const v = Number(text);
  const problem = text.trim() === '' || !Number.isFinite(v) ? 'not a number'
    : integer && !Number.isInteger(v) ? 'whole number'
      : min !== undefined && v < min ? `≥ ${min}` : max !== undefined && v > max ? `≤ ${max}` : null;
  return (
    <label className={`field${problem ? ' invalid' : ''}`} title={title}>
      <span>{label}</span>
      <input type="number" value={text} step={step ?? 'any'} aria-label={label} aria-invalid={!!problem}
        onChange={(e) => {
          setText(e.target.value);
          const n = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(n)) onChange(n);
        }} />
      {unit && <span className="unit">{unit}</span>}
      {problem && <em className="field-msg">{problem}</em>}
    </label>
  );
}
