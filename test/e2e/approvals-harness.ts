import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { hashKey } from '../../src/config/keys.ts';
import { startHarness, type Harness } from './harness.ts';

// The gateway with human approval configured, in front of the fake upstream, and a local
// webhook receiver that records what it is sent.

export const ADMIN_KEY = 'tg-admin-secret';
export const WEBHOOK_SECRET = 'whsec-test';
export const RUN_HEADER = 'x-tollgate-run-id';
export const keyOf = (tenant: string) => `tg-${tenant}-key`;

export interface Hook {
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; body: string }>;
  /** Resolves once `count` posts have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHook(): Promise<Hook> {
  const received: Hook['received'] = [];
  let wake = () => {};
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end('ok');
      wake();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tollgate`,
    received,
    waitFor: async (count) => {
      while (received.length < count) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const tenant = (name: string, tools: string) => `  ${name}:\n    keys: ["${hashKey(keyOf(name))}"]\n    models: [chat]\n    tools: ${tools}\n`;

/** `extra`: more `approvals` entries (", key: value"); `topLevel`: more top-level YAML (e.g. `state`). */
export async function startApprovalsHarness(hook: Hook, extra = '', topLevel = ''): Promise<Harness> {
  return startHarness({
    server: `adminKey: ${ADMIN_KEY}`,
    topLevel: `approvals: { webhook: ${hook.url}, secret: ${WEBHOOK_SECRET}, expiry: 24h, webhookRetries: 0${extra} }\n${topLevel}`,
    tenants: [tenant('support-bot', '{ approve: [issue_refund, send_*] }'), tenant('other-bot', '{ approve: [issue_refund] }')].join(''),
  });
}

/** An agent of `tenant`; with a run id, every request carries it. */
export function agentOf(h: Harness, tenantName: string, runId?: string): OpenAI {
  return new OpenAI({ baseURL: h.baseURL, apiKey: keyOf(tenantName), maxRetries: 0, timeout: 10_000, defaultHeaders: runId === undefined ? {} : { [RUN_HEADER]: runId } });
}

export function admin(h: Harness, path: string, init: { method?: string; body?: unknown; key?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = init.key === undefined ? ADMIN_KEY : init.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`${h.gateway.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

export const decide = (h: Harness, id: string, decision: string, reason?: string) => admin(h, `/admin/approvals/${id}`, { method: 'POST', body: { decision, ...(reason ? { reason } : {}) } });

export const tools = ['issue_refund', 'search', 'send_email'].map((name) => ({
  type: 'function' as const,
  function: { name, parameters: { type: 'object', properties: {} } },
}));
