import './elementwise.js';
import './reduce.js';
import './matmul.js';
import './shape-ops.js';
import './index-ops.js';
import './activations.js';
import './scan.js';

export { getGradient, registerGradient, type GradFn } from './registry.js';
export { sumTo } from './sum-to.js';
