import { GatewayError } from '../../proxy/errors.ts';
import type { RunEnd } from './run-types.ts';

// The error an agent sees when its run is stopped: which limit, and the counts, in words it
// can show its user. The same end always reads the same, on the step that ended the run and
// on every later one.

export function runEndedError(runId: string, end: RunEnd): GatewayError {
  const stopped = `Run "${runId}" was stopped at step ${end.step}`;
  const after = 'Every further step of this run is refused; start a new run id to continue.';
  switch (end.reason) {
    case 'repeatedToolCall':
      return new GatewayError(
        'agent_loop_detected',
        `${stopped} as a loop: the model proposed the same call to the tool ${JSON.stringify(end.tool ?? '')} (same arguments) ${end.count} times, more than the limit of ${end.limit} (maxRepeatedToolCalls). ${after}`,
      );
    case 'repeatedRequest':
      return new GatewayError(
        'agent_loop_detected',
        `${stopped} as a loop: the same request (identical messages and tools) was repeated ${end.count} times after it was answered, more than the limit of ${end.limit} (maxRepeatedToolCalls). ${after}`,
      );
    case 'maxSteps':
      return new GatewayError('run_budget_exceeded', `${stopped}: it used all ${end.limit} of its steps (maxSteps). ${after}`);
    case 'maxTokens':
      return new GatewayError('run_budget_exceeded', `${stopped}: it used ${end.count} tokens, reaching its limit of ${end.limit} (maxTokens). ${after}`);
    case 'maxUsd':
      return new GatewayError('run_budget_exceeded', `${stopped}: it cost $${end.count.toFixed(4)}, reaching its limit of $${end.limit} (maxUsd). ${after}`);
    case 'maxToolCalls':
      return new GatewayError(
        'run_budget_exceeded',
        `${stopped}: the model proposed ${end.count} tool calls, more than its limit of ${end.limit} (maxToolCalls). ${after}`,
      );
  }
}
