// The map backend's conformance run under node:test: node --test test/kit-runners/node.conformance.mjs
import { describe, test } from 'node:test';
import { describeMapBackend } from './map-backend.mjs';

describeMapBackend({ describe, test });
