import { EventEmitter } from 'node:events';

// SPEC §7: ID numbers never appear in plain text in logs. Anything shaped like an 18- or 15-digit
// ID number is masked to its first 6 and last 4 characters before a log line is written.
const ID18 = /(?<![0-9A-Za-z])([1-9]\d{5})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const ID15 = /(?<![0-9A-Za-z])([1-9]\d{5})\d{5}(\d{4})(?![0-9A-Za-z])/g;
// Full-width digits typed by an IME are normalised later; mask any run of them too.
const FULLWIDTH = /[０-９Ｘｘ]{15,18}/g;

export function redactIdNumbers(text: string): string {
  if (text.length < 15) return text;
  return text.replace(ID18, '$1********$2').replace(ID15, '$1*****$2').replace(FULLWIDTH, '[masked]');
}

/**
 * A copy of a log or audit object with ID numbers masked in every string. Streams, sockets, requests and
 * responses (anything that emits events), buffers and dates are passed through untouched: they are the serializers'
 * business (the request's is redactUrl), and walking them copied a request's whole object graph on every log line.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactIdNumbers(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error || value instanceof EventEmitter || value instanceof Date || ArrayBuffer.isView(value)) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, depth + 1);
  return out;
}

const FULLWIDTH_CHAR = /[０-９Ｘｘ]/g;

function redactQueryValue(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    decoded = raw;
  }
  // An ID typed with spaces or full-width digits arrives percent-encoded, out of reach of the patterns above:
  // look at it as the app will read it, and log its masked, normalised form.
  const compact = decoded
    .replace(/[\s\u3000]+/g, '')
    .replace(FULLWIDTH_CHAR, (c) => (c === 'Ｘ' || c === 'ｘ' ? 'X' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
  const masked = redactIdNumbers(compact);
  return masked !== compact ? masked : redactIdNumbers(raw);
}

/** A request URL for the log: ID numbers masked in the path and in every query value, however encoded. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return redactIdNumbers(url);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? redactQueryValue(pair) : pair.slice(0, eq + 1) + redactQueryValue(pair.slice(eq + 1));
    })
    .join('&');
  return `${redactIdNumbers(url.slice(0, q))}?${query}`;
}
