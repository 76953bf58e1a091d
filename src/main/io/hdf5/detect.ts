// HDF5 recordings: recognise the file by its signature, then tell NWB from blech_clust by layout.

import type { FormatId } from '../../../shared/recording';
import type { Source } from '../source';
import { ioError } from '../common/errors';
import type { IoOpenOptions } from '../common/options';
import { openBlech } from '../blech/blech';
import { openNwb } from '../nwb/nwb';
import { getObj, h5Error, isDataset, isGroup, openH5 } from './h5';

const SIG = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5 signature at offset 0 or after a user block (512, 1024 bytes). */
export function isHdf5Magic(head: Buffer): boolean {
  return [0, 512].some((o) => head.length >= o + 8 && head.subarray(o, o + 8).equals(SIG));
}

export async function openHdf5(p: string, format: FormatId, opts: IoOpenOptions, forced: boolean): Promise<Source> {
  const f = await openH5(p);
  let kind: 'nwb' | 'blech' | null = forced ? (format === 'blech' ? 'blech' : 'nwb') : null;
  try {
    if (!kind) {
      const raw = getObj(f, '/raw');
      if (isGroup(raw) && raw.keys().some((k) => /^electrode\d+$/.test(k) && isDataset(getObj(f, `/raw/${k}`)))) kind = 'blech';
      else if (isGroup(getObj(f, '/acquisition')) || f.attrs['nwb_version'] || isGroup(getObj(f, '/processing'))) kind = 'nwb';
    }
  } catch (e) {
    f.close();
    throw h5Error(e, p, 'reading the layout');
  }
  if (!kind) {
    f.close();
    throw ioError('FORMAT_UNSUPPORTED', p, 'This HDF5 file is neither NWB nor a blech_clust file',
      'Open an NWB file (with an ElectricalSeries) or a blech_clust .h5 with /raw/electrodeNN datasets.');
  }
  return kind === 'blech' ? openBlech(p, f, opts) : openNwb(p, f, opts);
}
