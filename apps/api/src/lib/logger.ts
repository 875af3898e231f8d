/**
 * Logger options shared by the server and the CLI. Nothing that identifies a patient, and no
 * credential, may reach a log line (architecture rule 6, security.md LG-8, JW-9): we redact by
 * key name at several depths, and the request serializer drops the query string entirely.
 */
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { Config } from '../config/index.js';

/** Keys whose values never appear in logs, wherever they sit in a logged object. */
export const SENSITIVE_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'mfaToken',
  'secret',
  'apiKey',
  // patient fields (PHI)
  'dni',
  'email',
  'name',
  'surname',
  'birthDate',
  'hospitalAccount',
  'valueMgDl',
  'value',
  'glucose_level',
  'notes',
  'note',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) {
    const identifier = /^[A-Za-z_$][\w$]*$/.test(key);
    const segment = identifier ? `.${key}` : `["${key}"]`;
    if (identifier) paths.push(key);
    paths.push(`*${segment}`, `*.*${segment}`, `*.*.*${segment}`);
  }
  return paths;
}

interface SerializableRequest {
  method: string;
  url: string;
  id: string;
  ip?: string;
  routeOptions?: { url?: string };
}

export function loggerOptions(config: Config, stream?: DestinationStream): FastifyServerOptions['logger'] {
  const base: LoggerOptions = {
    level: config.log.level,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    serializers: {
      // Path only: query strings carry PHI on legacy routes (`/glucose/create?glucose_level=`).
      req: (req: SerializableRequest) => ({
        method: req.method,
        path: req.url.split('?')[0],
        route: req.routeOptions?.url,
        remoteAddress: req.ip,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  if (stream) return { ...base, stream } as FastifyServerOptions['logger'];
  if (config.log.pretty) {
    return { ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } };
  }
  return base;
}
