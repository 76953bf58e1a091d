// Open options of the io layer: the shared OpenOptions plus the NaN/Inf policy, which only the
// readers need. (Proposed for src/shared/recording.ts so a SourceRef can carry it too.)

import type { OpenOptions } from '../../../shared/recording';
import type { NonFinitePolicy } from './checks';

export interface IoOpenOptions extends OpenOptions {
  /** NaN/Inf samples in float data: 'error' (default) throws NON_FINITE; 'zero' replaces by 0. */
  nonFinite?: NonFinitePolicy;
}
