import { defineRegistryPlugin, installPlugin, type RegistryRow } from '@retrievals/core-tensor';
import { groupFormat } from './formats/group.js';
import { listwiseFormat } from './formats/listwise.js';
import { pairFormat } from './formats/pair.js';
import { pointFormat } from './formats/point.js';
import { scoredPairFormat } from './formats/scored-pair.js';
import { teacherScoredFormat } from './formats/teacher-scored.js';
import { formats } from './registry.js';

const BUILTINS: RegistryRow<'formats'>[] = [
  ['point', pointFormat, ['pointwise']],
  ['pair', pairFormat],
  ['triplet', groupFormat, ['group', 'hard-negatives']],
  ['scored-pair', scoredPairFormat, ['sts']],
  ['listwise', listwiseFormat],
  ['teacher-scored', teacherScoredFormat, ['distill']],
];

/** The built-in example formats as a plugin, installed through the same installPlugin a third-party plugin goes through. */
export const builtinFormats = defineRegistryPlugin('@retrievals/data', 'formats', BUILTINS);

void installPlugin(builtinFormats, { formats });
