import type { BenchPart } from './run.js';

// Placeholder: the webhook benchmark replaces this file.
const part: BenchPart = {
  name: 'webhook',
  async run() {
    throw new Error('the webhook benchmark is not written yet');
  },
};

export default part;
