// TEMPORARY entry point of `stream-framework/testing`; replace it with the real testing API.
export type { BackendUnderTest, SkippedTest } from './backend.js';
