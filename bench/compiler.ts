import type { BenchPart } from './run.js';

// Placeholder: the compiler benchmark replaces this file.
const part: BenchPart = {
  name: 'compiler',
  async run() {
    throw new Error('the compiler benchmark is not written yet');
  },
};

export default part;
