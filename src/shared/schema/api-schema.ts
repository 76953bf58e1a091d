// Argument schemas of every BackendApi method: the web host and the Electron port check each call
// against these before it reaches the backend (src/main/security/facade.ts). The mapped type makes
// a method without a schema a compile error, so a new method cannot skip the check.

import * as v from 'valibot';
import type { BackendApi } from '../api';
import { LIMITS } from './params-schema';
import { bool, exact, intIn, numIn, oneOf, text } from './fields';
import { CorrectParamsSchema, ExecutionModeSchema, OpenOptionsSchema, PipelineSpecSchema, SortParamsSchema, TfParamsSchema } from './params-schema';

/** Longest path accepted from a client (Linux PATH_MAX). */
export const MAX_PATH = 4096;
const MAX_SPIKES = 50_000_000;
/** Largest image data URL accepted (a drawn spectrogram is ~0.1-1 MB; below the web host's 16 MB message limit). */
export const MAX_IMAGE_CHARS = 12 * 1024 * 1024;

const channel = intIn(0, LIMITS.maxChannels - 1);
const channels = v.pipe(v.array(channel, 'must be a list of channel indices'), v.maxLength(LIMITS.maxChannels, `must list at most ${LIMITS.maxChannels} channels`));
const seconds = numIn(-1e9, 1e9, 's');
const clusterId = intIn(0, 2_147_483_647);
const clusterIds = v.pipe(v.array(clusterId, 'must be a list of cluster ids'), v.maxLength(100_000, 'must list at most 100000 clusters'));
const filePath = v.pipe(text(MAX_PATH), v.check((p) => p.length > 0 && !p.includes('\0'), 'must be a non-empty path without NUL bytes'));

const spikeIndices = v.union([
  v.pipe(v.instance(Int32Array), v.check((a) => a.length <= MAX_SPIKES, `must hold at most ${MAX_SPIKES} spikes`)),
  v.pipe(v.array(intIn(0, 2_147_483_647)), v.maxLength(MAX_SPIKES, `must hold at most ${MAX_SPIKES} spikes`)),
], 'must be a list of spike indices');

const lasso = exact({
  dims: v.strictTuple([intIn(0, 255), intIn(0, 255)], 'must be two feature dimensions'),
  polygon: v.pipe(v.array(v.strictTuple([numIn(-1e30, 1e30), numIn(-1e30, 1e30)]), 'must be a list of [x, y] vertices'), v.maxLength(100_000, 'must have at most 100000 vertices')),
});

const CurationActionSchema = v.union([
  exact({ kind: v.literal('merge'), ids: clusterIds }),
  exact({ kind: v.literal('split'), id: clusterId, spikeIndices }),
  exact({ kind: v.literal('split'), id: clusterId, lasso }),
  exact({ kind: v.literal('label'), ids: clusterIds, label: oneOf(['good', 'mua', 'noise', 'unsorted']) }),
  exact({ kind: v.literal('labels'), labels: v.pipe(v.array(exact({ id: clusterId, label: oneOf(['good', 'mua', 'noise', 'unsorted']) })), v.minLength(1, 'must label at least one cluster'), v.maxLength(1_000_000, 'must hold at most 1000000 labels')) }),
  exact({ kind: v.literal('delete-as-noise'), ids: clusterIds }),
  exact({ kind: v.literal('recluster'), id: clusterId, k: intIn(2, 256) }),
], (i) => `must be a curation action (merge, split, label, labels, delete-as-noise, recluster) (got ${i.received})`);

const TraceRequestSchema = exact({
  channels,
  startS: seconds,
  endS: seconds,
  pixels: intIn(1, 100_000),
  view: oneOf(['raw', 'filtered', 'corrected']),
});

const SpikeMarksRequestSchema = exact({ channels, startS: seconds, endS: seconds });

const RawFormatSchema = exact({
  channels: intIn(1, 65536),
  rate: numIn(1e-3, 1e6, 'Hz'),
  dtype: oneOf(['int16', 'uint16', 'float32']),
  gain: numIn(-1e9, 1e9, 'uV/bit'),
  offset: intIn(0, Number.MAX_SAFE_INTEGER),
});
const versionName = v.pipe(text(80), v.regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores'));

/** Most inputs of one batch (files, folders, manifests); a folder or manifest may hold more recordings. */
export const MAX_BATCH_INPUTS = 1000;
const batchSpec = <W extends string, P extends v.GenericSchema>(workflow: W, params: P) => exact({ workflow: v.literal(workflow), params, mode: ExecutionModeSchema });
const BatchRequestSchema = exact({
  inputs: v.pipe(v.array(filePath, 'must be a list of paths'), v.minLength(1, 'must name at least one recording, folder or manifest'),
    v.maxLength(MAX_BATCH_INPUTS, `must list at most ${MAX_BATCH_INPUTS} inputs`)),
  spec: v.variant('workflow', [batchSpec('sort', SortParamsSchema), batchSpec('correct', CorrectParamsSchema), batchSpec('tf', TfParamsSchema)],
    (i) => `must be a 'sort', 'correct' or 'tf' workflow (got ${i.received})`),
  parallel: oneOf(['auto', 'serial', 'parallel']),
  outDir: filePath,
  open: v.optional(OpenOptionsSchema),
  labelRule: v.optional(bool()),
  autoDecim: v.optional(bool()),
});
const recordingName = v.pipe(text(255), v.regex(/^[A-Za-z0-9._-]+$/, 'must be a batch recording name (letters, digits, dots, dashes, underscores)'));

const none = v.strictTuple([], 'takes no arguments');
const args = <const T extends v.TupleItems>(items: T) => v.strictTuple(items, (i) => `has the wrong arguments (got ${i.received})`);

/** Per method: the schema of its argument list. */
export const API_ARGS = {
  info: none,
  openRecording: args([v.optional(v.union([v.literal(''), filePath])), v.optional(OpenOptionsSchema)]),
  openDemo: args([oneOf(['spikes', 'eeg'])]),
  reopenRecording: args([exact({ nonFinite: oneOf(['error', 'zero']) })]),
  listChannels: none,
  getTraces: args([TraceRequestSchema]),
  runPipeline: args([PipelineSpecSchema]),
  cancel: args([text(200)]),
  setPoolSize: args([intIn(1, LIMITS.maxJobs)]),
  estimate: args([PipelineSpecSchema]),
  lastParams: none,
  getSpikeMarks: args([SpikeMarksRequestSchema]),
  getSortOverview: none,
  getFeatures: args([channel, intIn(1, 1_000_000)]),
  getUnitDetail: args([clusterId]),
  getCrossCorrelogram: args([clusterId, clusterId]),
  getSimilarUnits: args([clusterId]),
  getMeanWaveform: args([clusterId]),
  curate: args([CurationActionSchema, v.optional(clusterIds)]),
  undo: none,
  redo: none,
  getCorrectionView: args([channel]),
  exportTf: args([oneOf(['tf-nwb', 'tf-npy']), filePath, bool()]),
  exportTfImage: args([oneOf(['tf-png', 'tf-svg']), filePath, bool(), text(MAX_IMAGE_CHARS)]),
  getTfView: args([exact({
    target: v.variant('kind', [exact({ kind: v.literal('channel'), channel }), exact({ kind: v.literal('roi'), name: text(64) })]),
    maxTimes: intIn(2, 20_000),
  })]),
  sessionInfo: none,
  exportSorted: args([oneOf(['phy', 'nwb', 'blech', 'csv']), filePath, bool()]),
  exportCorrected: args([oneOf(['edf', 'brainvision']), filePath, bool()]),
  keepSortVersion: args([v.optional(versionName)]),
  listSortVersions: none,
  carryLabels: args([versionName]),
  restoreSortVersion: args([versionName]),
  probeRaw: args([filePath]),
  previewRaw: args([filePath, RawFormatSchema, intIn(1, 1_000_000)]),
  startBatch: args([BatchRequestSchema]),
  cancelBatch: args([v.optional(recordingName)]),
  batchStatus: none,
  exportBatch: args([oneOf(['phy', 'nwb', 'blech', 'csv']), filePath, bool()]),
} satisfies { [K in keyof BackendApi]: v.GenericSchema<unknown, Parameters<BackendApi[K]>> };

export type ApiMethod = keyof typeof API_ARGS;

/** The method names a client may call, nothing else. */
export const API_METHODS: readonly ApiMethod[] = Object.freeze(Object.keys(API_ARGS) as ApiMethod[]);
