import { describe, expect, it } from 'vitest';
import { toolMatcher } from './tool-patterns.ts';

describe('tool patterns', () => {
  it('matches names exactly and globs by * and ?', () => {
    const m = toolMatcher(['issue_refund', 'send_*', 'del?te']);
    expect(['issue_refund', 'send_email', 'send_', 'delete', 'delote'].map(m)).toEqual([true, true, true, true, true]);
    expect(['issue_refund2', 'xsend_email', 'deleete', 'issue.refund', ''].map(m)).toEqual([false, false, false, false, false]);
  });

  it('treats regex characters as literal', () => {
    const m = toolMatcher(['a.b', 'c(d)+']);
    expect([m('a.b'), m('axb'), m('c(d)+'), m('cdd')]).toEqual([true, false, true, false]);
  });

  it('matches nothing when empty', () => {
    expect(toolMatcher([])('anything')).toBe(false);
  });
});
