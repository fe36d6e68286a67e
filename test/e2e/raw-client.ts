import { connect, type Socket } from 'node:net';

// A hand-driven HTTP/1.1 client on a bare socket, for clients no library would be: ones that
// stall mid-headers, never read, or keep uploading after the answer.

export interface RawExchange {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves once the socket is closed (by either side), with how it ended. */
  readonly closed: Promise<{ error?: string }>;
  /** Resolves with the first complete response (status line, headers, Content-Length body). */
  response(): Promise<RawResponse>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export async function openRaw(port: number, options: { read?: boolean } = {}): Promise<RawExchange> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = '';
  const wakers: Array<() => void> = [];
  const wake = () => {
    for (const w of wakers.splice(0)) w();
  };
  if (options.read === false) socket.pause();
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    data += chunk;
    wake();
  });
  const closed = new Promise<{ error?: string }>((resolve) => {
    let error: string | undefined;
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.once('close', () => {
      wake();
      resolve(error === undefined ? {} : { error });
    });
  });
  const response = async (): Promise<RawResponse> => {
    for (;;) {
      const parsed = parseResponse(data);
      if (parsed !== undefined) return parsed;
      if (socket.destroyed) throw new Error(`connection closed before a whole response: ${JSON.stringify(data.slice(0, 300))}`);
      await new Promise<void>((resolve) => wakers.push(resolve));
    }
  };
  return { socket, received: () => data, closed, response };
}

/** The first response in `text` (skipping any 1xx), if it is complete. */
export function parseResponse(text: string): RawResponse | undefined {
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (status >= 100 && status < 200) {
      rest = rest.slice(end + 4);
      continue;
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.slice(end + 4);
    if (body.length < length) return undefined;
    return { status, headers, body: body.slice(0, length) };
  }
}

/** Request head for a POST with a JSON body of `length` bytes. */
export function postHead(path: string, length: number, headers: Record<string, string> = {}): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: gateway', 'Content-Type: application/json', `Content-Length: ${length}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Writes `bytes` zero bytes in chunks, waiting for the socket to drain; stops quietly if it closes. */
export async function writeZeros(socket: Socket, bytes: number, chunk = 64 * 1024): Promise<void> {
  const block = Buffer.alloc(chunk, 0x20);
  for (let sent = 0; sent < bytes && !socket.destroyed; sent += chunk) {
    const piece = bytes - sent < chunk ? block.subarray(0, bytes - sent) : block;
    if (!socket.write(piece)) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
}

/**
 * A fake-upstream script: an OpenAI event stream of `events` content chunks of `size`
 * characters each, far more than socket buffers hold when large. Sent as one string, so the
 * fake answers at once however busy the machine is.
 */
export function longEventStream(events: number, size: number): string {
  const chunk = JSON.stringify({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'fake-model',
    choices: [{ index: 0, delta: { content: 'x'.repeat(size) }, finish_reason: null }],
  });
  return `data: ${chunk}\n\n`.repeat(events) + 'data: [DONE]\n\n';
}
