export { gradCheck, type GradCheckOptions, type GradCheckReport } from '../../src/index.js';
