// Pure in-place error: code, message, file and what to do about it (never a blank panel).
import type { ErrorText } from '../api/client';

export function ErrorBox({ error, testId }: { error: ErrorText; testId?: string }) {
  return (
    <div className="error-inline" role="alert" data-testid={testId ?? 'error'}>
      {error.code ? <strong>{error.code}: </strong> : null}{error.message}
      {error.file ? <span className="muted"> [{error.file}]</span> : null}
      {error.fix ? <div className="fix">Fix: {error.fix}</div> : null}
    </div>
  );
}
