export default {
  name: 'good',
  setup({ things }) {
    things.register('from-plugin', 42);
  },
};
