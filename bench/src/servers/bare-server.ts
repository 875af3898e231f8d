/**
 * The HTTP ceiling: Fastify with one route returning a constant through a response schema (the
 * serializer every platform route also pays), no logger, no plugins. Whatever the platform's
 * no-op routes reach is read as a fraction of this. Runs pinned like the real server.
 */
import Fastify from 'fastify';

const OK = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } as const;

const app = Fastify({ logger: false });
app.get('/', { schema: { response: { 200: OK } } }, async () => ({ ok: true }));
// Outside the measured path: memory of this process, read between load phases.
app.get('/bench/stats', async () => ({ rss: process.memoryUsage().rss }));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
