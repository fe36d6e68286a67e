import type { JsonReply, StreamReply, UpstreamCall } from '../../providers/types.ts';
import type { ResolvedTarget } from '../../router/model-table.ts';
import type { Endpoint } from '../context.ts';
import { GatewayError } from '../errors.ts';

/**
 * One call to a target for an endpoint. Chat and embeddings every provider serves; legacy
 * completions and moderations only OpenAI-compatible ones: another target is a 400 naming it
 * (a request error, so the fallback loop does not try it as an outage).
 */
export function callEndpoint(endpoint: Endpoint, target: ResolvedTarget, call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> {
  const { provider } = target;
  switch (endpoint) {
    case 'chat':
      return provider.chat(call, stream);
    case 'embeddings':
      return provider.embeddings(call);
    case 'completions':
      if (provider.completions === undefined) throw cannot(target, '/v1/completions');
      return provider.completions(call, stream);
    case 'moderations':
      if (provider.moderations === undefined) throw cannot(target, '/v1/moderations');
      return provider.moderations(call);
  }
}

function cannot(target: ResolvedTarget, route: string): GatewayError {
  return new GatewayError('unsupported_feature', `The target of this model (provider "${target.provider.name}", kind ${target.provider.kind}) does not serve ${route}.`, {
    param: 'model',
  });
}
