/** core-tensor's PyTorch reference suite (MLP, attention block, AdamW / SGD steps) on onednn fp32, same tolerances. */
import * as ct from '@retrievals/core-tensor';
import { afterAll, beforeAll } from 'vitest';
import { reportTorchDeviations, torchReferenceSuite } from '../../core-tensor/test/helpers/torch-references.js';
import { describeOnednn, install } from './helpers/setup.js';

beforeAll(install);
torchReferenceSuite(ct as never, 'onednn', describeOnednn);
afterAll(reportTorchDeviations);
