// A scriptable, OpenAI-shaped fake provider for end-to-end tests and benchmarks.
export { startFakeUpstream } from './server.ts';
export { DEFAULT_CONTENT } from './chat-completions.ts';
export type { Behaviour, FakeUpstream, FakeUpstreamOptions, RecordedRequest } from './types.ts';
