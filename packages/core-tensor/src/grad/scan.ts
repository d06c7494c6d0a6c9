import { cumsum } from '../ops/scan.js';
import { registerGradient } from './registry.js';

registerGradient('cumsum', (dy, node) => [cumsum(dy, node.attrs.axis as number, !node.attrs.reverse)]);
