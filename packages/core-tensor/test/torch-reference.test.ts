/** The PyTorch reference suite (helpers/torch-references.ts) on both built-in backends. */
import { afterAll } from 'vitest';
import * as ct from '../src/index.js';
import { reportTorchDeviations, torchReferenceSuite } from './helpers/torch-references.js';

for (const backend of ['js', 'ort']) torchReferenceSuite(ct, backend);
afterAll(reportTorchDeviations);
