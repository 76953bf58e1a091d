// The parameter schemas: one declaration per parameter object gives the TypeScript type
// (src/shared/params.ts re-exports them) and the bounds every boundary checks. Bounds are wide
// enough for any real recording and narrow enough that no value can exhaust memory or time
// (the review found `cluster.restarts: 1e9` running forever and `--only 0-100000000` filling the heap).

import * as v from 'valibot';
import { bool, exact, intIn, numAbove, numIn, oneOf, text } from './fields';

/** Limits shared by the schemas, the CLI and the readers. */
export const LIMITS = {
  /** Sample rates of electrophysiology systems lie between EEG's ~100 Hz and 1 MHz (ultrasonic, MEA). */
  sampleRateHz: { min: 1, max: 1_000_000 },
  /** Channels in one recording (Neuropixels 2.0 x4 shanks = 1536, high-density MEAs ~26k). */
  maxChannels: 65_536,
  /** Corner and notch frequencies are checked against Nyquist too; this bound only stops absurd numbers. */
  maxHz: 500_000,
  /** Workers of one run. */
  maxJobs: 256,
  /** Memory budget of one run (MB): 16 TB. */
  maxMemoryMB: 16 * 1024 * 1024,
} as const;

export const FORMAT_IDS = ['raw', 'openephys', 'spikeglx', 'nwb', 'blech', 'edf', 'bdf', 'brainvision', 'intan'] as const;

export const FilterParamsSchema = exact({
  /** High-pass corner in Hz (0 disables). */
  lowHz: numIn(0, LIMITS.maxHz, 'Hz'),
  /** Low-pass corner in Hz (0 or >= Nyquist disables). */
  highHz: numIn(0, LIMITS.maxHz, 'Hz'),
  /** Butterworth order of each of the high-pass and low-pass parts. */
  order: intIn(1, 10),
  /** Optional notch centre (Hz), 0 = off. */
  notchHz: numIn(0, LIMITS.maxHz, 'Hz'),
  /** Common reference across the channel group. */
  reference: oneOf(['none', 'car', 'cmr']),
});

export const DetectParamsSchema = exact({
  /** Threshold in units of sigma = median(|x|)/0.6745. */
  threshold: numAbove(0, 100, 'sigma'),
  polarity: oneOf(['neg', 'pos', 'both']),
  deadTimeMs: numIn(0, 100, 'ms'),
  /** Events larger than this many sigma are rejected as artifacts. */
  artifactSigma: numAbove(0, 1e6, 'sigma'),
  /** Rolling window for sigma in seconds; 0 = one sigma for the whole channel. */
  sigmaWindowS: numIn(0, 3600, 's'),
  /** Upsampling factor for alignment to the extremum (1 = none). */
  alignUpsample: intIn(1, 20),
  preMs: numAbove(0, 20, 'ms'),
  postMs: numAbove(0, 20, 'ms'),
  /**
   * Spike-free snippets (at seeded random positions) for the noise covariance the features are
   * whitened by. 3000: the sample covariance of a w-sample window (w ~ 60-75) then has relative
   * standard error about sqrt(2 / 3000) = 2.6 % per entry (Wishart), and the draw stays cheap.
   */
  noiseSnippets: intIn(100, 1_000_000),
});

export const FeatureParamsSchema = exact({
  nPcs: intIn(1, 10),
  energy: bool(),
  amplitude: bool(),
  /**
   * Noise eigenvalues below this fraction of their mean are floored before whitening: directions
   * the band-pass filter has (nearly) removed would otherwise be amplified without bound. 0.01 caps
   * the gain of any direction at 10x the average (1 / sqrt(0.01)); a regularisation choice, not a
   * fitted value (the cluster stage reuses this whitener).
   */
  whitenFloor: numIn(0, 1),
});

export const ClusterParamsSchema = exact({
  kMin: intIn(1, 20),
  kMax: intIn(1, 20),
  /**
   * GMM restarts per k (and 2-means restarts of the trial cuts): each is a full EM fit, so 100 is
   * already far beyond any use. 3 since the first sorter; 10 was measured on the tuning seeds
   * (bench/sort-tune.ts, 20 s) and merged more similar units: difficult 0.20 ours / bound 0.899 -> 0.817,
   * the other sets within 0.005.
   */
  restarts: intIn(1, 100),
  maxIter: intIn(1, 10_000),
  seed: intIn(-2_147_483_648, 4_294_967_295),
  /** Fit on at most this many spikes, then label all. */
  maxFitSpikes: intIn(100, 1_000_000),
  /** Spikes whose Mahalanobis distance to their cluster exceeds this are left unassigned (0 = off). */
  outlierMahalanobis: numIn(0, 1000),
  /**
   * Unimodality threshold for split and merge (dip score along the discriminant, workers/sort/isocut.ts);
   * 0 turns split/merge off. 1.0 is ISO-SPLIT's isocut threshold (Magland & Barnett 2015); our dip
   * score of unimodal samples (normal, t3, skewed; n = 100-2000) stays below 1 in 99 % of draws.
   */
  dipThreshold: numIn(0, 10),
  /**
   * Refractory period (ms) for the merge veto: cross pairs of two clusters closer than this (and
   * farther than the detector's dead time) at the chance rate mean two neurons; 0 = off. 1.5 ms is
   * the usual absolute refractory period of cortical neurons (Hill, Mehta & Kleinfeld 2011). The
   * test runs before overlap resolution and again on the unions after it (overlapping spikes of
   * other units sit inside the refractory period and would keep pieces of one unit apart); also the
   * same-unit exclusion of peeling. On the tuning seeds it changed no set by more than 0.01.
   * Seen while tuning splitRefractory (not adopted): the window from the detector's dead time
   * (about 1.1 ms) to 1.5 ms is nearly empty, since spikes that overlap that closely are seldom
   * detected apart (a cluster of three merged units on tuning seed 108, difficult 0.20: no pair
   * below 1.5 ms, 11 between 1.5 and 2 ms). 2 ms gave difficult 0.15 / 0.20 ours / bound
   * 0.915 / 0.760 (against 0.850 / 0.758) and easy 0.05 0.976 (0.981), but 2 ms is the Quiroga
   * generator's own refractory period, so choosing it would fit the generator.
   */
  refractoryMs: numIn(0, 20, 'ms'),
  /**
   * Also keep a trial cut whose halves are unimodal along their discriminant when their cross spike
   * pairs inside the refractory period (refractoryMs) are better explained by two independent
   * neurons than by one (refractory.ts, the merge veto's test), and try cuts along each of the
   * cluster's own PCs for such evidence (templates.ts splitClusters). No new constant: the test is
   * the merge veto's likelihood ratio. Why: similar units merged by the GMM are unimodal along even
   * the supervised discriminant (tuning seeds, difficult 0.15 / 0.20: dip 0.45-0.82 for the merged
   * pairs, bench/sort-tune.ts SORT_TUNE_ORACLE), so only refractory evidence can split them. Tuning
   * seeds 101-110, ours / bound: difficult 0.20 0.710 -> 0.758, 0.15 0.858 -> 0.850, other sets
   * within 0.001.
   */
  splitRefractory: bool(),
  /**
   * With splitRefractory: after the merge step, cut each cluster it grew by a unit-sized cluster
   * (>= minUnitSpikes) once more, keep the cut only when its halves' refractory test says two
   * neurons (the same likelihood ratio), and keep those halves apart in later merges (a merged
   * cluster inherits the constraint). No new constant. Why: similar units are merged pairwise from
   * GMM pieces too small for the refractory test to decide (a few hundred spikes each, chance count
   * of violating pairs about 1); the grown cluster has the evidence (bench/sort-cannot-link.ts: on
   * the clusters holding two true units, tuning seeds, difficult 0.15 / 0.20, the test calls the
   * true partition two neurons in 7 of 8, and the split's own cuts reach 0.77-0.86 of the pairs'
   * spikes right in 3). Tuning seeds 101-110 x 20 s, ours / bound: difficult 0.15 0.850 -> 0.914,
   * 0.20 0.758 -> 0.807; easy 0.20 0.943 -> 0.950; easy 0.10 0.986 -> 0.983, easy 0.15 0.976 ->
   * 0.974, difficult 0.10 0.999 -> 0.993 (single units cut on weak evidence); others unchanged.
   */
  resplitMerged: bool(),
  /**
   * With splitRefractory: after overlap resolution and the last merge, cut every cluster once more
   * (splitClusters' trial cuts) and keep a cut only when its halves' refractory test says two
   * neurons by a likelihood ratio of at least resplitEvidence. Why: overlap resolution moves other
   * units' spikes out of a cluster, so its own violating pairs (the test's one-unit baseline) fall,
   * and the clusters are at full size; merged similar units the earlier passes could not cut have
   * the evidence then (bench/sort-tune.ts, tuning seeds 101-110 x 20 s, ours / bound: difficult
   * 0.15 0.914 -> 0.928, 0.20 0.807 -> 0.918; every other set unchanged to the third decimal).
   */
  resplitFinal: bool(),
  /**
   * Likelihood ratio (two neurons : one, refractory.ts) a cut of the final re-split must reach.
   * 10^0.5 = 3.16 is Jeffreys' threshold for "substantial" evidence (Theory of Probability, 1961,
   * appendix B), not a value fitted here; one stray violating pair can reach at most 1.21, so the
   * pass never cuts on a single pair. Why a threshold at all: this pass tries every cluster, and at
   * a ratio above 1 it cut pieces of 50 spikes off single units on one pair (tuning seeds, easy
   * 0.15 / 0.20 0.974 / 0.950 -> 0.964 / 0.924, difficult 0.10 0.993 -> 0.971). Tried first:
   * Kass & Raftery's "strong" 20 (JASA 1995), for every cut (difficult 0.20 0.807 -> 0.798); 3.16
   * for every cut (earlier passes lost good cuts, 0.866); 3.16 for this pass only is the default.
   * The merge veto and the earlier cuts keep deciding at any ratio above 1. Measured for the merge
   * veto too (tuning seeds 101-110 / 111-120 x 60 s, difficult 0.15 / 0.20 ours / bound, defaults
   * 0.984 / 0.926 and 0.992 / 0.946): at 3.16 in both merge steps 0.957 / 0.924 and 0.993 / 0.942,
   * in the merge after overlap resolution only 0.985 / 0.919 and 0.988 / 0.935; the symmetric count
   * (resplitSymmetric's) in both 0.949 / 0.892 and 0.979 / 0.946, after overlap resolution only
   * 0.984 / 0.917 and 0.987 / 0.935. What it would mend: a piece of one unit kept apart from a
   * piece contaminated by background events, whose cross pairs reach a ratio of 3 (seed 120,
   * difficult 0.20); what it costs: similar units merged at ratios between 1 and 3.16.
   */
  resplitEvidence: numIn(1, 1e6),
  /**
   * The final re-split's refractory test counts only the cross pairs of the minority order (a's
   * spike first or b's, whichever has fewer), against half of each model's count
   * (refractoryEvidence's symmetric). Why: two spikes 1-1.5 ms apart distort each other in opposite
   * ways (the earlier carries the later's onset in its tail, the later the earlier's tail in its
   * start), so a trial cut of ONE unit that follows that distortion puts the earlier spike of every
   * contaminated pair on one side and the later on the other: its cross pairs pile up in one order
   * and look like the chance coincidences of two neurons, which come in either order alike. Seen on
   * the tuning seeds (101-110 x 60 s, difficult 0.15): the cuts that split single units had 4-6
   * cross pairs, all in one order; the cuts of truly merged pairs at 0.20 had both orders (8 of 16,
   * 8 of 15). Measured there (bench/sort-tune.ts, ours / bound): at 60 s difficult 0.15 0.909 ->
   * 0.941, 0.20 0.862 -> 0.877; at 20 s the minority count has less power (half the pairs):
   * difficult 0.15 0.928 -> 0.914, 0.20 0.918 -> 0.884 (every other set unchanged). On by default
   * because the artefact grows with the recording (its pairs with the spike count, as the test's
   * power does), and recordings are rarely as short as 20 s. Using the symmetric count for the
   * earlier splits and the merge veto as well cost power (60 s: 0.904, 0.835), so only this pass
   * uses it. Also tried: requiring the MEAN ratio over the trial cuts (a mean of e-values, so
   * trying splitPcs + 1 cuts would not make a cut likelier): same at 60 s, 20 s 0.914 / 0.807.
   * Also tried (fourteenth session, not adopted): keeping a cut that fails the minority count when
   * the cluster's own violating pairs (within either half or across) say two neurons at Jeffreys'
   * "decisive" 100 against one unit contaminated up to 0.2 of the chance count (Kilosort 4's
   * acg_threshold) and its cross pairs of both orders say two neurons (a merged pair's close pairs
   * fill one order too: bench/sort-union-violations.ts). Tuning seeds: 20 s difficult 0.15 0.914 ->
   * 0.943, 60 s difficult 0.20 0.905 -> 0.912, every other set unchanged; but on the evaluation sets
   * it cut single units (60 s difficult 0.10 1.001 -> 0.972, 20 s spikes-12ch 0.989 -> 0.970) for
   * one gain (60 s difficult 0.15 0.961 -> 0.967).
   */
  resplitSymmetric: bool(),
  /**
   * The final re-split (resplitFinal) also keeps a cut whose halves are not unimodal along their
   * cross-validated discriminant (ldaDip at dipThreshold: the first split pass's own test, no new
   * constant), and tries the joint 2-means cut on standardised PCs too when the one on raw PC scores
   * is not kept. Why: the merge step tests a pair along the whitened difference of their means, so a
   * pure piece of one unit can join a cluster that mixes it with a similar unit (the mixed cluster
   * bridges the two); the discriminant refinement then pulls the remaining pure pieces into that
   * merged cluster too. The final cluster is then multimodal along the discriminant of a 2-means cut
   * while the refractory test sees little: the close cross pairs of the two units distort each
   * other and land on the same side of the cut (tuning seed 106, difficult 0.15, 60 s: a cluster
   * of 1067 + 1006 spikes of two units, its cut 87 % right with a dip score of 2.2 and a refractory
   * ratio below 1; bench/sort-merge-cuts.ts). On raw PC scores 2-means can follow a small outlying
   * group that owns the largest spread (seed 108, difficult 0.15, 20 s: a cut of 57 events against
   * 0.80-0.85 of a merged pair right on standardised PCs). Measured (bench/sort-tune.ts, tuning
   * seeds 101-110, ours / bound): 60 s difficult 0.15 0.941 -> 0.975, 0.20 0.877 -> 0.885 with the
   * dip test alone and 0.905 with the standardised cut, difficult 0.10 1.006 -> 1.001 (one single
   * unit cut), easy 0.10 0.962 -> 0.963, every other set (easy, difficult 0.05, spikes-12ch)
   * unchanged to the third decimal; 20 s: difficult 0.20 0.884 -> 0.882, every other set unchanged
   * (no final cluster reaches the dip threshold). Also tried: the dip test in the re-split of
   * merge-grown clusters (resplitMerged) as well: identical; a discriminant refinement of all
   * clusters after the cuts, 1 / 5 passes: 0.974 / 0.888, 0.973 / 0.883; the standardised cut in
   * every split pass: 20 s difficult 0.15 0.914 -> 0.925 but 0.20 0.884 -> 0.851.
   */
  resplitFinalDip: bool(),
  /** Principal components of a cluster's own waveforms for its trial 2-way cut (ISO-SPLIT cuts in few dimensions). */
  splitPcs: intIn(1, 10),
  /** Nearest-template passes refining a trial cut (stops early when nothing moves). */
  splitRefine: intIn(0, 50),
  /**
   * Largest lag (ms) of a second spike overlapping an event that the overlap pass models; 0 = off.
   * 1.5 ms: the window in which overlapping spikes ended in extra clusters (issue 13's error breakdown).
   */
  overlapMs: numIn(0, 5, 'ms'),
  /** Alignment error (ms) of the detector's trough allowed to the primary template: about one sample at 10-20 kHz. */
  alignToleranceMs: numIn(0, 1, 'ms'),
  /** Two troughs closer than this (ms) are one event, not an overlap: about a narrow spike's trough half-width. */
  minPairLagMs: numIn(0, 2, 'ms'),
  /** A cluster is dissolved when more than this fraction of its events are better explained by the other templates (a majority). */
  dissolveFraction: numAbove(0, 1),
  /**
   * Send events that "no spike at the centre" (noise, or a spike off-centre) explains at least as well
   * as their unit's template (whitened likelihood ratio <= 1, equal priors) to the noise cluster.
   * False-alarm rate on true spikes under the noise model: Q(D / 2) for a template D noise SDs from
   * zero (<= 1e-3 when D >= 6.2).
   */
  rejectBackground: bool(),
  /**
   * Background test at this false-alarm rate on a unit's true spikes (0 = off; overlaps.ts
   * rejectLowTail): a unit's events whose likelihood ratio (its template against no spike) lies
   * below the lower tail of its true spikes at this rate go to the noise cluster. The tail is the
   * unit's own upper tail reflected about its median (the statistic is symmetric on true spikes,
   * and accepted background sits low, not high), and the cut is made only in units where the
   * events below it outnumber twice those above the reflected cut significantly at the same rate
   * (binomial test), i.e. where background is the majority below it (equal costs, as
   * rejectBackground's equal priors); elsewhere it would only cost true spikes. 0.01: the
   * conventional 1 % false-alarm rate. Tuning seeds 101-110 x 20 s, ours (0 -> 0.01), last
   * measured on main 21e5128: difficult 0.15 0.738 -> 0.743, 0.20 0.549 -> 0.550 (false from
   * background 516 -> 419, 1045 -> 1012); with whitened refinement and resplitFinal: difficult 0.15
   * 0.740 -> 0.744, 0.20 0.516 -> 0.517, easy 0.15 0.873 -> 0.876,
   * difficult 0.10 0.900 -> 0.902, easy 0.10 0.954 unchanged (false from background 600 -> 508 and
   * 1125 -> 1080 at difficult 0.15 / 0.20); before resplitFinal the whole table: the same gains,
   * easy 0.05 / 0.20, difficult 0.05 and spikes identical, sort CPU unchanged. Why the test:
   * rejectBackground alone
   * rejects 0-2 of 600-1200 detections per recording (a background event has a trough at the centre,
   * so "no spike" explains it badly too); accepted background has a lower amplitude along the
   * unit's template (median 0.73 / 0.85 of the unit's, tuning seeds, difficult 0.15 / 0.20,
   * bench/sort-background.ts). A normal model of the median / MAD spread, tried before, cut about
   * five times the stated rate of true spikes (heavier than normal tails) and traded them one for
   * one against background.
   * Default 0 (off): on the multi-unit generator (synth/spikes.ts, bursting units whose amplitudes
   * shrink within a burst, so the lower tail is heavier than the reflected upper one) the test
   * at 0.01 sent 137 true spikes of the CI's evaluation set (spikes seed 11, 8 channels, 20 s) to the
   * noise cluster: ratio to the bound 0.921 -> 0.869 (sort-ground-truth.test.ts). The tuning seeds
   * of that generator were not run with it at full length. 0.01 is the rate to set when units do
   * not burst.
   */
  backgroundFalseAlarm: numIn(0, 0.5),
  /** Clusters with fewer spikes are not units (their spikes get label -1): too few for any unit statistic. */
  minUnitSpikes: intIn(1, 100_000),
  /**
   * Peeling (workers/sort/peel.ts): hidden spikes recovered per region of overlapping search windows
   * (+-overlapMs around the assigned spikes) after subtracting the templates; 0 = off. 2: a third
   * spike within +-1.5 ms of two others is rare at cortical rates (Poisson, 3 units at 20 Hz: < 1 %).
   */
  peelMax: intIn(0, 10),
  /**
   * Peeling subtracts each detection with its least-squares amplitude, capped at the (1 - this)
   * quantile of its unit's amplitudes (0 = no cap): an overlapping spike inflates the fit. 0.01:
   * the cap binds on about 1 % of a unit's clean spikes.
   */
  peelAmplitudeQuantile: numIn(0, 0.5),
  /**
   * Peeling's false-alarm rate per search region, measured on the channel's own spike-free signal:
   * a hidden spike must lower the residual by more than the white-noise penalty (2 ln of the
   * region's unit x lag alternatives) and by more than spike-free stretches of the same length
   * manage this often (0 = the white-noise penalty alone). Whitening calibrates Gaussian noise,
   * but background spikes make the residual heavy-tailed, and peeling then added spikes that
   * were not there. 0.01: at most about one false spike per hundred regions, chosen on the tuning
   * seeds (bench/sort-tune.ts, 101-110 x 20 s; ours / bound, difficult 0.15 and 0.20): off 0.914 /
   * 0.882, 0.001 0.920 / 0.894, 0.01 0.921 / 0.899; easy sets within 0.003 either way.
   */
  peelFalseAlarm: numIn(0, 0.5),
  /**
   * Passes of discriminant refinement on the whole waveform after split/merge
   * (workers/sort/lda-refine.ts): events move to the cluster whose linear discriminant (the clusters'
   * means and pooled covariance) scores them highest; stops early when nothing moves. 0 = off.
   */
  discriminantPasses: intIn(0, 50),
  /**
   * Largest sub-sample shift (samples) a template may slide along its time derivative when
   * distances are measured (templates.ts): the derivative is a central difference over +-1 sample,
   * so the first-order (Taylor) model is trusted for shifts of up to one sample and no further.
   */
  templateMaxShift: numAbove(0, 4),
  /**
   * Samples per equal-count density bin of the isocut dip score (isocut.ts). Not a value from the
   * ISO-SPLIT paper: a binning choice made when the test was written (16 samples per bin keeps a
   * bin's count error near 1 / sqrt(16) = 25 % while a mode of 64 samples still spans 4 bins). The
   * dipThreshold calibration rests on it: with 16 the score of unimodal samples (normal, t3, skewed;
   * n = 100-2000) stays below 1 in 99 % of draws (isocut.test.ts). Change the two together.
   */
  isocutBinSize: intIn(2, 1000),
  /**
   * Shrinkage of the pooled covariance towards its mean variance in discriminant refinement and in
   * the split test along a cut's discriminant (lda-refine.ts; the split test's rows are
   * noise-whitened, the refinement's are raw samples), as scikit-learn's LinearDiscriminantAnalysis(solver='lsqr', shrinkage): the
   * evaluation's bound uses the same 1e-3 (evaluate.ts LDA_SHRINKAGE), small enough not to change a
   * well-conditioned fit, large enough that a covariance of fewer rows than samples inverts.
   */
  ldaShrinkage: numIn(0, 1),
  /**
   * Peeling's median templates are taken over at most this many rows per unit (every m-th row
   * beyond): a cost cap. With 2000 rows the median's standard error is about
   * 1.25 / sqrt(2000) = 0.03 noise SD per sample, far below what changes a subtraction.
   */
  peelMedianRows: intIn(10, 1_000_000),
  /**
   * Channels with fewer detections are not clustered: they form one unit. 20: fewer rows than the
   * 3-PC full-covariance GMM's 10 parameters per component twice over cannot support even k = 2.
   */
  minSpikesToCluster: intIn(1, 100_000),
});

export const SortParamsSchema = exact({
  filter: FilterParamsSchema,
  detect: DetectParamsSchema,
  features: FeatureParamsSchema,
  cluster: ClusterParamsSchema,
});

export const TriggerParamsSchema = exact({
  /** Where triggers come from: decided automatically, a stim channel or event labels. */
  source: oneOf(['auto', 'channel', 'events']),
  /** Stim channel name when source = 'channel'. */
  channel: text(256),
  /** Regular expression on event labels when source = 'events'. */
  regex: text(1000),
  kind: oneOf(['slice', 'volume']),
  /** Complete missing triggers by template matching. */
  completeMissing: bool(),
});

export const CorrectParamsSchema = exact({
  triggers: TriggerParamsSchema,
  /** AAS engine: 'spline' = continuous-time template (B-spline in time since onset, no upsampling);
   * 'upsampled' = classic AAS on an upsampled grid (FASTR). */
  engine: oneOf(['spline', 'upsampled']),
  /** Upsampling factor of the 'upsampled' engine and of the first alignment search. */
  upsample: intIn(1, 64),
  /** Neighbouring epochs averaged into each template; 0 = chosen from the data (spline engine:
   * held-out error over windows from 10 epochs to all and slow-drift models). */
  window: intIn(0, 100000),
  align: bool(),
  /** Correlation-weighted epoch selection (FARM-like). */
  farm: bool(),
  /** OBS / PCA residual removal: number of components, 0 = off. */
  obsComponents: intIn(0, 20),
  /** Low-pass after correction in Hz, 0 = off. */
  lowpassHz: numIn(0, LIMITS.maxHz, 'Hz'),
  anc: bool(),
  /** Reference channel for alignment (name); '' = first EEG channel. */
  alignChannel: text(256),
  /** Cross-channel low rank of the spline templates: 'auto' = project every channel's template on the
   * leading shapes of the selection channels' templates when held-out error says it helps; 'off' = never. */
  crossChannel: oneOf(['auto', 'off']),
});

const seconds = numIn(-1e7, 1e7, 's');

/** A frequency band (inclusive edges, Hz) with a name for tables and the view. */
export const BandSchema = exact({ name: text(64), lo: numAbove(0, LIMITS.maxHz, 'Hz'), hi: numAbove(0, LIMITS.maxHz, 'Hz') });
/** A region of interest: a named group of channels (by channel name). */
export const RoiSchema = exact({ name: text(64), channels: v.pipe(v.array(text(256)), v.minLength(1, 'must name at least one channel'), v.maxLength(LIMITS.maxChannels)) });

export const TfParamsSchema = exact({
  /** Morlet centre frequencies (Hz), each below Nyquist. */
  freqs: v.pipe(v.array(numAbove(0, LIMITS.maxHz, 'Hz')), v.minLength(1, 'must list at least one frequency'), v.maxLength(1000, 'must list at most 1000 frequencies')),
  /** Cycles per wavelet: one value for all frequencies, or one per frequency (MNE's n_cycles). */
  nCycles: v.pipe(v.array(numAbove(0, 100)), v.minLength(1, 'must give at least one value'), v.maxLength(1000)),
  zeroMean: bool(),
  /** Keep every decim-th output sample from the first (MNE's decim). */
  decim: intIn(1, 10_000),
  /** Store the phase too (power only otherwise). */
  phase: bool(),
  /** How the work is split over workers; every choice gives the same numbers. */
  strategy: oneOf(['auto', 'channel', 'frequency', 'recording']),
  /** Band-power time series (mean power over the band's frequencies). */
  bands: v.pipe(v.array(BandSchema), v.maxLength(32)),
  /** Regions of interest: band power averaged over named channels. */
  rois: v.pipe(v.array(RoiSchema), v.maxLength(256)),
  /** Baseline correction of the band-power series (MNE's rescale modes). null edges = start / end. */
  baseline: exact({ mode: oneOf(['none', 'mean', 'ratio', 'logratio', 'percent', 'zscore', 'zlogratio']), start: v.nullable(seconds), end: v.nullable(seconds) }),
  /** Event-locked epochs (events whose label matches `regex`; '' = off): tmin..tmax s around each. */
  epochs: exact({ regex: text(1000), tmin: seconds, tmax: seconds }),
  /**
   * null: the raw channels. Correction parameters: the channels after MRI gradient-artifact
   * correction with them (the correct workflow's stages, shared with its cache).
   */
  correction: v.nullable(CorrectParamsSchema),
});

export const ExecutionModeSchema = exact({
  kind: oneOf(['low-memory', 'fast']),
  jobs: intIn(1, LIMITS.maxJobs),
  memoryBudgetMB: numAbove(0, LIMITS.maxMemoryMB, 'MB'),
});

export const ChannelListSchema = v.pipe(
  v.array(intIn(0, LIMITS.maxChannels - 1), (i) => `must be a list of channel indices (got ${i.received})`),
  v.maxLength(LIMITS.maxChannels, `must list at most ${LIMITS.maxChannels} channels`),
);

const spec = <W extends string, P extends v.GenericSchema>(workflow: W, params: P) => exact({
  workflow: v.literal(workflow),
  params,
  mode: ExecutionModeSchema,
  channels: v.optional(ChannelListSchema),
});

export const PipelineSpecSchema = v.variant('workflow', [
  spec('sort', SortParamsSchema),
  spec('correct', CorrectParamsSchema),
  spec('filter', FilterParamsSchema),
  spec('tf', TfParamsSchema),
], (i) => `must be one of 'sort', 'correct', 'filter', 'tf' (got ${i.received})`);

export const OpenOptionsSchema = exact({
  /** Override the content-based format detection. */
  format: v.optional(oneOf(FORMAT_IDS)),
  /** Raw binary: number of interleaved channels. */
  channels: v.optional(intIn(1, LIMITS.maxChannels)),
  /** Raw binary: sampling rate in Hz. */
  rate: v.optional(numIn(LIMITS.sampleRateHz.min, LIMITS.sampleRateHz.max, 'Hz')),
  /** Raw binary: sample type. */
  dtype: v.optional(oneOf(['int16', 'uint16', 'float32'])),
  /** Raw binary: uV per bit (non-zero). */
  gain: v.optional(v.pipe(numIn(-1e9, 1e9), v.check((g) => g !== 0, 'must not be 0 (got 0)'))),
  /** Raw binary: header bytes to skip. */
  offset: v.optional(intIn(0, Number.MAX_SAFE_INTEGER, 'bytes')),
  /** NWB: which ElectricalSeries (path inside the file). */
  series: v.optional(text(1024)),
  /**
   * NaN/Inf samples of float data: 'error' (the default) fails the channel with NON_FINITE naming
   * the sample; 'zero' reads them as 0 (the recording's notes say so). CLI --non-finite, the app's
   * run report offers it when a channel failed on one.
   */
  nonFinite: v.optional(oneOf(['error', 'zero'])),
});
