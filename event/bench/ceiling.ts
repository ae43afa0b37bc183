/**
 * The bench's ceiling: Express alone, doing only what every request must (parse the Pub/Sub
 * envelope, decode message.data) and answering 204. No I/O: no connector can reach it.
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/', express.json({ limit: '1mb', type: () => true }), (req, res) => {
  try {
    const body = req.body as { message?: { data?: string } };
    const notification = JSON.parse(Buffer.from(body.message?.data ?? '', 'base64').toString('utf8')) as {
      resource?: unknown;
    } | null;
    res.status(notification?.resource ? 204 : 400).end();
  } catch {
    res.status(400).end();
  }
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
server.keepAliveTimeout = 65_000;
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
