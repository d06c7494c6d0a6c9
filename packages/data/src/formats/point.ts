import { defineFormat } from '../define-format.js';
import { key, type KeyOption } from './keys.js';

/** One text and its class label (arcface-style point-wise training). */
export interface PointExample {
  text: string;
  label: string | number;
}

/** `{"text": ..., "label": ...}` */
export const pointFormat = defineFormat<PointExample, { textKey: KeyOption; labelKey: KeyOption }>({
  name: 'point',
  fields: ['text', 'label'],
  options: { textKey: key(), labelKey: key() },
  parse: (read, o) => ({ text: read.string(read.key(o.textKey, ['text'])), label: read.label(read.key(o.labelKey, ['label'])) }),
});
