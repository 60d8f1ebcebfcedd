// TEMPORARY entry point so the package builds and the package smoke check (scripts/check-package.mjs)
// can run; replace it with the real public API.
export { createActivity } from './activity/activity.js';
export { createVerbRegistry } from './activity/verbs.js';
export { memoryStorage } from './backends/memory/index.js';
export { StreamFrameworkError } from './errors.js';
export { jsonSerializer } from './serialization/json-serializer.js';
