import { Writable } from 'node:stream';
import { SHANGHAI_OFFSET_MINUTES } from './local-date';

// Human-readable log lines for a terminal (LOG_FORMAT=pretty, or auto on a TTY outside production). pino still
// builds the JSON line, with its redaction, and this only re-renders it, so both formats carry the same masked data.

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const COLOURS: Readonly<Record<number, string>> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
// Always there, or shown in another way: not repeated as key=value.
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context', 'req', 'res', 'responseTime', 'err']);

export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto` is pretty on a terminal, and JSON when output is piped, collected or in production. */
export function usePrettyLogs(format: LogFormat, isTty: boolean, nodeEnv: string | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && isTty && nodeEnv !== 'production');
}

const clock = (ms: number): string => new Date(ms + SHANGHAI_OFFSET_MINUTES * 60_000).toISOString().slice(11, 19);

const paint = (colours: boolean, code: string, s: string): string => (colours ? `\u001b[${code}m${s}\u001b[0m` : s);

const value = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** One pino JSON line as one readable line (an error's stack follows, indented). Non-JSON passes through. */
export function formatLogLine(line: string, colours = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof o !== 'object' || o === null) return `${line}\n`;
  const level = typeof o.level === 'number' ? o.level : 30;
  const parts = [
    paint(colours, '90', clock(typeof o.time === 'number' ? o.time : Date.now())),
    paint(colours, COLOURS[level] ?? '0', LEVELS[level] ?? String(level)),
  ];
  if (typeof o.context === 'string') parts.push(paint(colours, '36', `[${o.context}]`));
  const req = o.req as { method?: string; url?: string } | undefined;
  const res = o.res as { statusCode?: number } | undefined;
  if (req?.method && res) {
    const ms = typeof o.responseTime === 'number' ? ` ${o.responseTime}ms` : '';
    parts.push(`${req.method} ${req.url ?? ''} → ${res.statusCode ?? '?'}${ms}`);
  } else if (o.msg !== undefined) {
    parts.push(value(o.msg));
  }
  for (const [k, v] of Object.entries(o)) {
    if (!SHOWN.has(k) && v !== undefined) parts.push(paint(colours, '90', `${k}=${value(v)}`));
  }
  let out = parts.join(' ');
  const err = o.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err) {
    const detail = err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`;
    out += `\n${detail.replace(/^/gm, '    ')}`;
  }
  return `${out}\n`;
}

/** A synchronous stream for pino that writes each line re-rendered to `out` (stdout). */
export function prettyStream(out: NodeJS.WriteStream, colours = out.isTTY === true): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line) out.write(formatLogLine(line, colours));
      done();
    },
  });
}
