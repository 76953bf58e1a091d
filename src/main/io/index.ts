// openSource(): the one entry point that hosts and workers use to open a recording. The format
// is chosen by content (magic bytes, header structure, sidecar files), the extension only
// breaks ties for header-less raw binary; options.format overrides the detection.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FormatId } from '../../shared/recording';
import type { Source } from './source';
import { fsError, ioError } from './common/errors';
import { BlockFile, exists } from './common/file';
import type { IoOpenOptions } from './common/options';
import { openRaw, looksRawByName } from './raw/raw';
import { findOebin, openOpenEphys } from './openephys/openephys';
import { hasMeta, openSpikeGlx } from './spikeglx/spikeglx';
import { isEdfMagic } from './edf/header';
import { openEdf } from './edf/edf-read';
import { findVhdr, isBrainVisionText, openBrainVision } from './brainvision/bv-read';
import { isHdf5Magic, openHdf5 } from './hdf5/detect';
import { openIntan } from './intan/rhd';
import { RHD_MAGIC } from './intan/rhd-header';

export type { Source } from './source';
export type { IoOpenOptions } from './common/options';

/** Which format a path holds, judged by content. */
export function detectFormat(p: string, opts: IoOpenOptions = {}): FormatId {
  let st: fs.Stats;
  try { st = fs.statSync(p); } catch (e) { throw fsError(e, p); }
  if (st.isDirectory()) {
    if (findOebin(p)) return 'openephys';
    throw ioError('FORMAT_UNKNOWN', p, 'This folder holds no recording SpikeDesk can read', 'Open a recording file, or an Open Ephys folder with a structure.oebin.');
  }
  if (st.size === 0) throw ioError('FILE_EMPTY', p, 'The file is empty', 'Choose the recording file, not an empty placeholder.');
  const f = BlockFile.open(p);
  let head: Buffer;
  try { head = f.head(1024); } finally { f.close(); }
  const edf = isEdfMagic(head);
  if (edf) return edf;
  if (isHdf5Magic(head)) return 'nwb'; // refined to 'blech' by the HDF5 opener from the layout
  if (head.length >= 4 && head.readUInt32LE(0) === RHD_MAGIC) return 'intan';
  const text = head.toString('latin1');
  if (isBrainVisionText(text)) return 'brainvision';
  if (/^\s*\{/.test(text) && /"continuous"/.test(text) && findOebin(p)) return 'openephys';
  if (/(^|\n)~?(nSavedChans|imSampRate|niSampRate|typeThis)=/.test(text) || hasMeta(p)) return 'spikeglx';
  if (findVhdr(p)) return 'brainvision';
  if (path.basename(p) === 'continuous.dat' && findOebin(p)) return 'openephys';
  if ((opts.channels !== undefined && opts.rate !== undefined) || looksRawByName(p)) return 'raw';
  throw ioError('FORMAT_UNKNOWN', p, 'The file is not in a format SpikeDesk recognises',
    'Supported: raw .dat/.bin (give channels and rate), Open Ephys, SpikeGLX, NWB, blech_clust HDF5, EDF/BDF, BrainVision, Intan .rhd. '
    + 'For header-less binary data, choose the raw format and enter the channel count and rate.');
}

export async function openSource(p: string, opts: IoOpenOptions = {}): Promise<Source> {
  const src = await openByFormat(p, opts);
  if (opts.nonFinite === 'zero') {
    const note = 'NaN/Inf samples are read as 0 (opened with that option): a channel with such samples no longer fails';
    src.meta.notes = [...(src.meta.notes ?? []), note];
    src.meta.nonFinite = 'zero';
  }
  return src;
}

async function openByFormat(p: string, opts: IoOpenOptions): Promise<Source> {
  const format = opts.format ?? detectFormat(p, opts);
  if (!exists(p)) throw ioError('FILE_NOT_FOUND', p, 'The file does not exist', 'Check the path, or open the file again from its folder.');
  switch (format) {
    case 'raw': return openRaw(p, opts);
    case 'openephys': return openOpenEphys(p, opts);
    case 'spikeglx': return openSpikeGlx(p, opts);
    case 'edf': case 'bdf': return openEdf(p, opts);
    case 'brainvision': return openBrainVision(p, opts);
    case 'nwb': case 'blech': return openHdf5(p, format, opts, opts.format !== undefined);
    case 'intan': return openIntan(p, opts);
    default:
      throw ioError('BAD_PARAMETER', p, `Unknown format '${String(format)}'`, 'Leave the format empty to detect it from the content.');
  }
}
