import { benchMatmul } from './matmul.js';
import { benchMiniLM } from './minilm.js';
import { benchOverhead } from './overhead.js';

const which = process.argv[2];
if (!which || which === 'matmul') await benchMatmul();
if (!which || which === 'overhead') await benchOverhead();
if (!which || which === 'minilm') await benchMiniLM();
