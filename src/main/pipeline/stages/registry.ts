// Every stage descriptor the engine knows, by name. A worker looks a task's stages up here; the
// registry-wide test (test/engine/stage-equality.test.ts) runs every stage listed here in every mode.

import type { AnyStage } from '../stage';
import { aasStage, lowpassStage, obsStage, triggersStage } from './correct';
import { filterStage, referenceStage } from './filter';
import { clusterStage, detectStage, featuresStage, metricsStage } from './sort';
import { tfBandStage, tfStage } from './tf';

export const STAGES: readonly AnyStage[] = [
  filterStage, referenceStage, detectStage, featuresStage, clusterStage, metricsStage, triggersStage, aasStage, obsStage, lowpassStage,
  tfStage, tfBandStage,
];

const byName = new Map(STAGES.map((s) => [s.name, s]));

export function stageNamed(name: string): AnyStage | undefined {
  return byName.get(name);
}
