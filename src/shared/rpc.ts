// comlink set-up shared by every side: errors cross the boundary as typed ErrorInfo, so the
// renderer and the CLI can show the code, the file and the fix, not just a message.

import { transferHandlers } from 'comlink';
import { SpikeDeskError, isErrorInfo, toErrorInfo } from './errors';

interface ThrownValue { value: unknown }

let installed = false;

export function installRpcErrorHandler(): void {
  if (installed) return;
  installed = true;
  transferHandlers.set('throw', {
    // comlink marks thrown values with a private symbol; recognise it by its description.
    canHandle: (value: unknown): value is ThrownValue =>
      typeof value === 'object' && value !== null
      && Object.getOwnPropertySymbols(value).some((s) => s.description === 'Comlink.thrown'),
    serialize: (value: ThrownValue) => [{ isError: true, info: toErrorInfo(value.value) }, []],
    deserialize: (data: unknown): never => {
      const info = (data as { info?: unknown }).info;
      if (isErrorInfo(info)) throw new SpikeDeskError(info);
      throw new SpikeDeskError({ code: 'INTERNAL', message: String(info) });
    },
  } as never);
}
