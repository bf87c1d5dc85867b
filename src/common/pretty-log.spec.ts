import { Writable } from 'node:stream';
import { createPino } from './logger';
import { formatLogLine, usePrettyLogs } from './pretty-log';

// 2026-12-01T03:04:05Z is 11:04:05 in Shanghai.
const TIME = Date.UTC(2026, 11, 1, 3, 4, 5);

describe('formatLogLine', () => {
  it('renders level, Shanghai time, context and message on one line', () => {
    const line = JSON.stringify({ level: 30, time: TIME, pid: 1, hostname: 'h', context: 'Bootstrap', msg: 'ready' });
    expect(formatLogLine(line)).toBe('11:04:05 INFO  [Bootstrap] ready\n');
  });

  it('renders a request line as method, url, status and duration', () => {
    const line = JSON.stringify({
      level: 40,
      time: TIME,
      req: { id: 'x', method: 'GET', url: '/api/diners?q=3715**********1234' },
      res: { statusCode: 404 },
      responseTime: 7,
    });
    expect(formatLogLine(line)).toBe('11:04:05 WARN  GET /api/diners?q=3715**********1234 → 404 7ms\n');
  });

  it('keeps other fields as key=value and puts an error stack on indented lines', () => {
    const line = JSON.stringify({
      level: 50,
      time: TIME,
      msg: 'job failed',
      jobId: 'claim:2026-11:all:v1',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
    });
    expect(formatLogLine(line)).toBe(
      '11:04:05 ERROR job failed jobId=claim:2026-11:all:v1\n    Error: boom\n        at x\n',
    );
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('plain text')).toBe('plain text\n');
  });

  it('colours only when asked', () => {
    const line = JSON.stringify({ level: 30, time: TIME, msg: 'hi' });
    expect(formatLogLine(line, true)).toContain('\u001b[32mINFO');
    expect(formatLogLine(line, false)).not.toContain('\u001b');
  });
});

describe('usePrettyLogs', () => {
  it('is pretty on a terminal outside production, JSON otherwise, and obeys an explicit setting', () => {
    expect(usePrettyLogs('auto', true, undefined)).toBe(true);
    expect(usePrettyLogs('auto', false, undefined)).toBe(false);
    expect(usePrettyLogs('auto', true, 'production')).toBe(false);
    expect(usePrettyLogs('json', true, undefined)).toBe(false);
    expect(usePrettyLogs('pretty', false, 'production')).toBe(true);
  });
});

describe('pretty logs and redaction', () => {
  it('masks an ID number in the rendered line as in the JSON one', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        out += formatLogLine(chunk.toString());
        done();
      },
    });
    createPino('info', sink).info('look-up of 371502194105255185 failed');
    expect(out).toContain('look-up of 371502********5185 failed');
    expect(out).not.toContain('194105255');
  });
});
