import { connect, type Socket } from 'node:net';

/**
 * HTTP/1.1 by hand over a loopback socket, for what fetch cannot do: send the headers and then
 * only part of a body (or none), hang up mid-request, and read the answer to a request whose body
 * was never sent.
 */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  socket: Socket;
  /** The answer, once it has fully arrived; rejects if the connection ends without one. */
  answer: Promise<RawAnswer>;
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
}

/** Opens a connection and sends a POST / with `headers` and whatever of `body` is given. */
export async function rawPost(
  port: number,
  headers: Record<string, string | number>,
  body: string | Buffer = '',
): Promise<RawRequest> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseAnswer(received);
      if (parsed) resolve(parsed);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => reject(new Error('the connection closed without an answer')));
  });
  answer.catch(() => undefined);
  const head = Object.entries({ host: '127.0.0.1', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`POST / HTTP/1.1\r\n${head}\r\n`);
  if (body.length > 0) socket.write(body);
  return { socket, answer, closed };
}

function parseAnswer(received: Buffer): RawAnswer | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const length = Number(headers['content-length'] ?? 0);
  if (received.length < end + 4 + length) return undefined;
  const body = received.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status: Number(statusLine?.split(' ')[1]), headers, body };
}
