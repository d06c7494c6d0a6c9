export { agree, buildCase, suite, vals, type Case, type Outs } from './agreement.js';
export { allClose, toNumbers, type CloseOptions, type CloseReport } from './close.js';
export { gradCheck, type GradCheckOptions, type GradCheckReport } from './gradcheck.js';
export { asDType, data, fresh, Rand } from './random.js';
export { backwardProjected, expectSameValues, runOn, type BackendName, type Value, type Values } from './run.js';
