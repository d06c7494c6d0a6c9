import { definePlugin } from '@retrievals/core-tensor';
import type {} from '@retrievals/losses';

/**
 * A plugin as a third party would publish it: one default export, one `setup`, registering a loss
 * under a name that a config file can then ask for.
 */
export default definePlugin({
  name: 'example-plugin',
  setup({ losses }) {
    if (!losses) throw new Error('example-plugin needs the losses registry');
    // Mean hinge on score margins: max(0, margin - (pos - neg)).
    losses.register('example-margin', (options = {}) => {
      const margin = typeof options.margin === 'number' ? options.margin : 1;
      return ({ positive, negative }) => {
        const pos = positive as number[];
        const neg = negative as number[];
        return pos.reduce((acc, p, i) => acc + Math.max(0, margin - (p - neg[i]!)), 0) / pos.length;
      };
    });
  },
});
