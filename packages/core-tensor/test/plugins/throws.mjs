export default { name: 'throws', setup() { throw new Error('boom'); } };
