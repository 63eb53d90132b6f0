import type { BenchPart } from './run.js';

// Placeholder: the feedback benchmark replaces this file.
const part: BenchPart = {
  name: 'feedback',
  async run() {
    throw new Error('the feedback benchmark is not written yet');
  },
};

export default part;
