// The map backend's conformance run under Vitest: vitest run --config test/kit-runners/vitest.config.mjs
import { describe, test } from 'vitest';
import { describeMapBackend } from './map-backend.mjs';

describeMapBackend({ describe, test });
