import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Problem } from './problem';
import { fieldPath } from './validation';

/** Deeper than any request the API defines (a whistle nests 3 levels); JSON.parse recurses, so depth is checked first. */
export const MAX_JSON_DEPTH = 32;
/**
 * Keys that reach Object.prototype machinery when a body is copied or merged: `__proto__`, `constructor`, `prototype`,
 * and every other name Object.prototype has (`toString`, `valueOf`, `hasOwnProperty`…), which the DTO whitelist took
 * for known fields and let through.
 */
const FORBIDDEN_KEYS = new Set(['prototype', ...Object.getOwnPropertyNames(Object.prototype)]);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const MULTIPART = /^multipart\/form-data\s*;/i;
/** The one route that takes a file (multipart/form-data) instead of JSON. */
export const UPLOAD_PATH = '/v1/attachments';
export const isMultipart = (req: IncomingMessage) => MULTIPART.test(req.headers['content-type'] ?? '');

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** A body that is not JSON is refused once, as 415, before anything looks at its fields. */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (!BODY_METHODS.has(req.method) || !hasBody(req)) {
    next();
    return;
  }
  const type = req.headers['content-type'];
  // Express matches routes case-insensitively and with or without a trailing slash: so does this exemption.
  // The upload route checks its own type (multipart/form-data) after authentication: see isMultipart.
  if (req.method === 'POST' && req.path.toLowerCase().replace(/\/+$/, '') === UPLOAD_PATH) {
    next();
    return;
  }
  if (type && JSON_TYPE.test(type)) {
    next();
    return;
  }
  next(
    new Problem(
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      'Unsupported media type',
      type ? `the body is ${type.split(';')[0]}; send application/json` : 'the body has no Content-Type; send application/json',
    ),
  );
}

/**
 * body-parser's `verify` hook: runs on the raw bytes before JSON.parse, so a body nested thousands of levels deep is
 * refused in one linear pass instead of overflowing the parser's stack (which answered 500).
 */
export function checkJsonDepth(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new Problem(400, 'REQUEST.TOO_DEEP', 'Bad request', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`, [
          { field: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
        ]);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * After parsing: keys such as `__proto__` are refused by name rather than dropped or merged silently, and so is
 * `null`: no field of any request takes it, and an optional field is left out, never sent as null. Text must be
 * well-formed (a lone surrogate, valid in JSON, turns into U+FFFD on the way to UTF-8 consumers and files) and free of
 * control characters other than tab and line breaks (a NUL or an escape sequence in a title reaches logs, CSV exports
 * and every county system that consumes the events).
 */
export function refuseUnsafeValues(req: Request, _res: Response, next: NextFunction): void {
  // The query string by the same rules (its values are text; a `?__proto__=` was ignored silently).
  const found = unsafeValue(req.body, true) ?? unsafeValue(req.query, true);
  if (found === null) {
    next();
    return;
  }
  // The path is named only for a refusal: building it for every field of every body cost more than the walk.
  const field = found.keys.reduceRight<string>((path, key) => fieldPath(path, key), '') || 'body';
  next(Problem.badRequest(`${field}: ${found.message}`, [{ field, message: found.message }]));
}

// String.prototype.isWellFormed (ES2024, Node 20+): no lone surrogate; faster than matching \p{Cs}.
const wellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** What is unsafe, and where: the keys from the value found up to the top (innermost first). */
interface Unsafe {
  keys: (string | number)[];
  message: string;
}

function unsafeValue(value: unknown, top = false): Unsafe | null {
  if (value === null) return { keys: [], message: top ? 'must be a JSON object' : 'must not be null; leave an optional field out' };
  if (typeof value === 'string') {
    if (!wellFormed(value)) return { keys: [], message: 'must be well-formed Unicode text (it has a lone surrogate)' };
    if (CONTROL.test(value)) return { keys: [], message: 'must not contain control characters (tab and line breaks are allowed)' };
    return null;
  }
  if (typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unsafeValue(value[i]);
      if (found) {
        found.keys.push(i);
        return found;
      }
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return { keys: [key], message: 'this key is not allowed' };
    const found = unsafeValue((value as Record<string, unknown>)[key]);
    if (found) {
      found.keys.push(key);
      return found;
    }
  }
  return null;
}
