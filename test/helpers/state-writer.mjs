// Writes progress as fast as it can, forever, the way llm-tutor records attempts and hints.
// The crash-safety test kills it with SIGKILL at random moments.
import { StateStore } from '../../dist/core/workspace/state-store.js';

const store = new StateStore(process.argv[2]);
let i = 0;
process.stdout.write('writing\n');
for (;;) {
  i++;
  await store.update((state) => {
    const key = `transformer-core/exercise-${i % 40}`;
    state.exercises[key] = { status: i % 3 ? 'failed' : 'passed', attempts: i, revealedHints: Array.from({ length: i % 4 }, (_, h) => `tier:${h + 1}`), lastCheckedAt: new Date().toISOString() };
    state.packVersions['transformer-core'] = `0.${i}.0`;
  });
}
