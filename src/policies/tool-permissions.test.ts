import { describe, expect, it } from 'vitest';
import { globMatcher, toolPermissions } from './tool-permissions.ts';

describe('tool permissions', () => {
  it('matches names and globs with * and ?, whole names only', () => {
    const re = globMatcher(['search_*', 'get_?', 'exact.name']);
    expect(['search_', 'search_docs', 'get_x', 'exact.name'].every((n) => re.test(n))).toBe(true);
    expect(['xsearch_docs', 'get_xy', 'get_', 'exactXname', 'search'].some((n) => re.test(n))).toBe(false);
  });

  it('treats every other character literally (no regular expressions through the config)', () => {
    const re = globMatcher(['a+b', '(x|y)', '[ab]']);
    expect(re.test('a+b') && re.test('(x|y)') && re.test('[ab]')).toBe(true);
    expect(re.test('aab') || re.test('x') || re.test('a')).toBe(false);
  });

  it('deny wins; an allow list (with approve) restricts; without one every tool not denied is permitted', () => {
    const tiers = toolPermissions({ allow: ['search_*', 'get_*'], approve: ['issue_refund'], deny: ['delete_customer_data', 'get_secret*'] });
    expect(tiers.permitted('search_orders')).toBe(true);
    expect(tiers.permitted('issue_refund')).toBe(true);
    expect(tiers.permitted('get_secret_key')).toBe(false);
    expect(tiers.permitted('delete_customer_data')).toBe(false);
    expect(tiers.permitted('send_email')).toBe(false);
    const open = toolPermissions({ deny: ['rm_*'] });
    expect(open.permitted('anything')).toBe(true);
    expect(open.permitted('rm_rf')).toBe(false);
    expect(toolPermissions({ allow: [] }).permitted('x')).toBe(false);
    // `approve` alone is no allow-list: other tools pass, approve-tier ones wait for a person.
    const approveOnly = toolPermissions({ approve: ['issue_refund'] });
    expect(approveOnly.permitted('search')).toBe(true);
    expect(approveOnly.permitted('issue_refund')).toBe(true);
  });

  it('stays linear on hostile names', () => {
    const re = globMatcher(['*a*a*a*a*a*a*b']);
    expect(re.test('a'.repeat(5000))).toBe(false);
  });
});
