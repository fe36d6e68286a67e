import { createServer } from 'node:http';
import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { capConnections, connectionCap } from './connections.ts';

function captured(): { logger: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('the connection cap and the open-file limit', () => {
  it('keeps the configured cap when the descriptors allow it, and lowers it when not', () => {
    expect(connectionCap(10_000, 65_536)).toEqual({ maxConnections: 10_000 });
    expect(connectionCap(10_000, 256)).toMatchObject({ maxConnections: 112, openFileLimit: 256, configured: 10_000 });
  });

  it('warns when the cap is cut hard, and only notes a cut of a few connections', async () => {
    for (const [files, level] of [[256, 40], [20_000, 30]] as const) {
      const { logger, lines } = captured();
      const server = createServer();
      capConnections(server, connectionCap(10_000, files), logger, () => {});
      await new Promise((r) => setImmediate(r));
      expect(lines.find((l) => l.msg.startsWith('server.maxConnections lowered'))?.level).toBe(level);
      server.close();
    }
  });
});
