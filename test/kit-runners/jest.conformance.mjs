// The map backend's conformance run under Jest (ESM, no transform):
// node --experimental-vm-modules node_modules/jest/bin/jest.js --config test/kit-runners/jest.config.mjs
import { describe, test } from '@jest/globals';
import { describeMapBackend } from './map-backend.mjs';

describeMapBackend({ describe, test });
