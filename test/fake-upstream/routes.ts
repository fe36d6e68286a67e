// The endpoints the fake serves. Add a provider family by writing its route file and listing it here.
import { anthropicMessagesRoute } from './anthropic-messages.ts';
import { chatCompletionsRoute } from './chat-completions.ts';
import { completionsRoute, moderationsRoute } from './completions.ts';
import { responsesRoute } from './responses.ts';
import { embeddingsRoute } from './embeddings.ts';
import { modelsRoute } from './models.ts';
import type { Route } from './route.ts';

const ROUTES: Route[] = [chatCompletionsRoute, embeddingsRoute, modelsRoute, anthropicMessagesRoute, responsesRoute, completionsRoute, moderationsRoute];

const byKey = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));

export function findRoute(method: string, pathWithoutQuery: string): Route | undefined {
  return byKey.get(`${method} ${pathWithoutQuery}`);
}
