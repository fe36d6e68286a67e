import { GatewayError } from '../../proxy/errors.ts';

// The run id an agent sends on every step. It becomes part of a state key and of log lines,
// so it is held to a short, plain alphabet (UUIDs, ULIDs, "agent-7:run-42" all fit); anything
// else is the agent's bug, answered with 400 rather than silently left unguarded.

export const MAX_RUN_ID_LENGTH = 128;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

/** The run id, undefined when the header is absent; throws 400 invalid_request when it is malformed. */
export function runIdFrom(value: string | string[] | undefined, header: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length <= MAX_RUN_ID_LENGTH && RUN_ID.test(value)) return value;
  throw new GatewayError(
    'invalid_request',
    `The ${header} header must be one run id of 1 to ${MAX_RUN_ID_LENGTH} characters: letters, digits and . _ : @ / - (starting with a letter or digit).`,
  );
}
