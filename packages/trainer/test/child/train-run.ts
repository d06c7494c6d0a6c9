// A training run in its own process, for the kill-and-resume test: argv[2] is a JSON config.
// After the checkpoint at `announceAt` it prints "SAVED <step>" and slows down, so the parent's
// SIGKILL lands in the middle of training.
import { setTimeout as sleep } from 'node:timers/promises';
import { runConfig, type RunConfig } from './run-config.js';

const config = JSON.parse(process.argv[2]!) as RunConfig & { announceAt: number };
let announced = false;
await runConfig(config, {
  onSave: ({ step }) => {
    if (step === config.announceAt) {
      announced = true;
      process.stdout.write(`SAVED ${step}\n`);
    }
  },
  onStepEnd: async () => {
    if (announced) await sleep(300);
  },
});
process.stdout.write('FINISHED\n');
