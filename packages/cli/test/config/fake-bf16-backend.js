// A stand-in for @retrievals/backend-onednn in tests: registers 'onednn-bf16' (precision 'bf16') that
// runs every program on the ort backend and counts the runs, so `embed --bf16` routing can be checked
// on a machine without oneDNN.
export default {
  name: 'fake-bf16-backend',
  setup({ backends }) {
    const ort = backends.get('ort');
    globalThis.fakeBf16Runs = 0;
    backends.register('onednn-bf16', {
      name: 'onednn-bf16',
      precision: 'bf16',
      run(program, feeds) {
        globalThis.fakeBf16Runs++;
        return ort.run(program, feeds);
      },
      ...(ort.compileGraph ? { compileGraph: (graph) => (globalThis.fakeBf16Runs++, ort.compileGraph(graph)) } : {}),
    });
  },
};
