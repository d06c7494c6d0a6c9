import { checks, definePlugin, mean, mul, opt, relu, reshape, sub, sum, withOptions } from '@retrievals/core-tensor';
import { defineLoss, LossInputError, LossOptionError } from '@retrievals/losses';

/**
 * Mean hinge on dot-product score margins: max(0, margin − (q·p − q·n)) over each query's negatives.
 * `withOptions` checks its options as the built-ins' are checked (a misspelt or out-of-range option
 * fails naming the loss), and `defineLoss` gives it field checks that name the loss, NaN/Inf checks,
 * and a scalar result.
 */
const exampleMargin = withOptions(
  { kind: 'loss', name: 'example-margin' },
  { margin: opt(1, checks.positive) },
  ({ margin }) =>
    defineLoss({
      name: 'example-margin',
      required: ['query', 'positive', 'negative'],
      compute({ query, positive, negative }) {
        const [B, D] = query!.shape as [number, number];
        if (negative!.shape[0]! % B !== 0 || positive!.shape[0] !== B) {
          throw new LossInputError(`example-margin: expected positive [${B}, ${D}] and negative [${B}·(G−1), ${D}], got [${positive!.shape}] and [${negative!.shape}]`);
        }
        const pos = reshape(sum(mul(query!, positive!), -1), [B, 1]);
        const neg = sum(mul(reshape(query!, [B, 1, D]), reshape(negative!, [B, -1, D])), -1);
        return mean(relu(sub(margin, sub(pos, neg))));
      },
    }),
  LossOptionError,
);

/**
 * A plugin as a third party would publish it: one default export, one `setup`, registering a loss
 * under a name that a config file can then ask for (`{ "name": "example-margin", "margin": 0.5 }`).
 */
export default definePlugin({
  name: 'example-plugin',
  setup({ losses }) {
    if (!losses) throw new Error('example-plugin needs the losses registry');
    losses.register('example-margin', exampleMargin);
  },
});
