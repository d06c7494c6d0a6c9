import { defineFormat } from '../define-format.js';
import { groupKeys, readGroup, type GroupExample, type GroupKeys } from './group.js';
import { key, type KeyOption } from './keys.js';

/** A group with a teacher's score per text, in group order (positives, then negatives), for distillation. */
export interface TeacherScoredExample extends GroupExample {
  teacherScores: number[];
}

type Keys = GroupKeys & { positiveScoresKey: KeyOption; negativeScoresKey: KeyOption };

/** FlagEmbedding's distillation layout: `{"query", "pos": [...], "neg": [...], "pos_scores": [...], "neg_scores": [...]}`. */
export const teacherScoredFormat = defineFormat<TeacherScoredExample, Keys>({
  name: 'teacher-scored',
  fields: ['query', 'positive', 'negative', 'teacherScores'],
  options: { ...groupKeys(), positiveScoresKey: key(), negativeScoresKey: key() },
  parse(read, o) {
    const { query, positive, negative, keys } = readGroup(read, o);
    const pos = read.numbers(read.key(o.positiveScoresKey, ['pos_scores']), positive.length, keys.positive);
    const neg = read.numbers(read.key(o.negativeScoresKey, ['neg_scores']), negative.length, keys.negative);
    return { query, positive, negative, teacherScores: [...pos, ...neg] };
  },
});
