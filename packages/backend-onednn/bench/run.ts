// `pnpm bench`: matmul GFLOPS, the MiniLM InfoNCE step and MiniLM encode on ort / onednn fp32 /
// onednn-bf16, next to PyTorch (../../../../shared/bench/torch_peer.py) where it is installed.
// Figures are printed, never asserted.
import { setup } from './common.js';
import { benchMatmul } from './matmul.js';
import { benchModel } from './minilm.js';

await setup();
const only = process.argv[2];
if (!only || only === 'matmul') await benchMatmul();
if (!only || only === 'minilm' || only === 'profile' || only === 'encode') await benchModel(5, only);
