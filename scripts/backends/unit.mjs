// Unit tests: colocated with the code, src/**/*.test.ts. No server needed.
import { testFiles } from './files.mjs';

export default {
  name: 'unit',
  files: () => testFiles('src'),
};
