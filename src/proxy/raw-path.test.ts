import { describe, expect, it } from 'vitest';
import { isUnsafeTarget } from './raw-path.ts';

describe('isUnsafeTarget', () => {
  it.each([
    '/v1/models/%2e%2e/%2e%2e/healthz',
    '/v1/models/%2E%2E/healthz',
    '/v1/models/.%2e/healthz',
    '/v1/%2e%2e/healthz',
    '/v1/chat%2fcompletions',
    '/v1/chat%2Fcompletions',
    '/v1/models/a%5c..%5chealthz',
    '/v1/models/a\\..\\healthz',
    '/v1/models/../../healthz',
    '/v1/./chat/completions',
    '/v1/models/..',
    '/v1/models/%2f..%2f',
    'http://gateway/v1/models/%2e%2e/healthz',
  ])('refuses %s', (target) => expect(isUnsafeTarget(target)).toBe(true));

  it.each([
    '/v1/chat/completions',
    '/v1/models',
    '/v1/models/gpt-4.1',
    '/v1/models/vendor/with-slash',
    '/v1/models/vendor%2Fwith-slash',
    '/v1/models/a..b',
    '/healthz?x=%2e%2e/%2f',
    'http://gateway/v1/models',
    '*',
  ])('accepts %s', (target) => expect(isUnsafeTarget(target)).toBe(false));
});
