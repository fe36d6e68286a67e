// The HTTP side of the fake: records each request, reads its body, and dispatches to a route with
// the next scripted behaviour. Plain node:http because in benchmarks it shares a core with the
// load generator and must cost as little as possible.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AbortWaiters } from './abort-waiters.ts';
import { BehaviourQueue } from './behaviour-queue.ts';
import { Exchange } from './exchange.ts';
import { unknownUrlError } from './openai-errors.ts';
import { sendJson } from './respond.ts';
import { findRoute } from './routes.ts';
import type { FakeUpstream, FakeUpstreamOptions, RecordedRequest } from './types.ts';

const DEFAULT_ABORT_WAIT_MS = 5000;
// Longer than any client pool's idle timeout, so the server never closes a kept-alive connection
// the gateway is about to reuse (that race shows up as spurious ECONNRESETs under load).
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

function parseBody(ex: Exchange, raw: string): void {
  if (raw === '') return;
  try {
    ex.json = JSON.parse(raw);
    ex.record.body = ex.json;
  } catch {
    ex.jsonInvalid = true;
    ex.record.body = raw;
  }
}

export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const keepRecords = opts.record ?? true;
  const behaviours = new BehaviourQueue();
  const aborts = new AbortWaiters();
  const requests: RecordedRequest[] = [];
  let seq = 0;
  let connections = 0;
  const connectionIds = new WeakMap<Socket, number>();
  let closing = false;

  function dispatch(ex: Exchange): void {
    const url = ex.req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = ex.req.method ?? 'GET';
    const route = findRoute(method, path);
    if (!route) {
      sendJson(ex, {}, 404, unknownUrlError(method, path));
      return;
    }
    const behaviour = route.scripted ? behaviours.next() : {};
    Promise.resolve(route.handle(ex, behaviour)).catch((err: unknown) => {
      // A bug in the fake must surface in the test, not as a silently hanging request.
      console.error('fake-upstream: route failed', err);
      if (!ex.res.headersSent) sendJson(ex, {}, 500, { error: { message: String(err), type: 'fake_upstream_bug', param: null, code: null } });
      else ex.res.destroy();
    });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const connection = connectionIds.get(req.socket) ?? 0;
    const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: undefined, aborted: false, connection };
    if (keepRecords) requests.push(record);
    const ex = new Exchange(req, res, record, ++seq, (r) => {
      if (!closing) aborts.notify(r);
    });
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      parseBody(ex, parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8'));
      dispatch(ex);
    });
    // A client that disconnects mid-body: nothing to answer; Exchange records the abort.
    req.on('error', () => {});
  }

  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1000 }, onRequest);
  server.on('connection', (socket: Socket) => connectionIds.set(socket, ++connections));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    requests,
    get connections() {
      return connections;
    },
    enqueue: (b, times) => behaviours.enqueue(b, times),
    setDefault: (b) => behaviours.setDefault(b),
    waitForAbort: (timeoutMs = DEFAULT_ABORT_WAIT_MS) => aborts.wait(timeoutMs),
    reset() {
      behaviours.reset();
      requests.length = 0;
      aborts.clearUnclaimed();
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging and streaming requests would otherwise keep close() waiting forever.
        server.closeAllConnections();
        aborts.rejectAll(new Error('fake upstream closed'));
      });
    },
  };
}
