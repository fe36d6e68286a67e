// GET /v1/models: a fixed listing in OpenAI's shape. Not scripted, so health probes and model
// discovery never eat a behaviour queued for a completion.
import { sendJson } from './respond.ts';
import type { Route } from './route.ts';

// A fixed timestamp keeps the listing byte-identical across runs.
const CREATED = 1_700_000_000;
export const LISTED_MODELS = ['fake-model', 'fake-embedding-model'];

export const modelsRoute: Route = {
  method: 'GET',
  path: '/v1/models',
  scripted: false,
  handle(ex) {
    sendJson(ex, {}, 200, {
      object: 'list',
      data: LISTED_MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'fake-upstream' })),
    });
  },
};
