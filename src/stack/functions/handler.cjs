'use strict';
// srv-handler: behind API Gateway. GET / is a health probe; POST /events publishes one event to the
// env's bus with the X-Ray trace header, so EventBridge and the processor join the caller's trace.
// Plain CommonJS, inlined into the template at synth: only Node.js and the runtime's AWS SDK v3.

const MAX_BODY_BYTES = 64 * 1024;
const CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9-]{7,63}$/;
const EVENT_TYPE = /^[A-Za-z0-9._:-]{1,128}$/;

function reply(statusCode, body) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
    body: JSON.stringify(body),
  };
}

/** The bus did not take the event: 503 (try again later), logged as one structured line. */
function unavailable(correlationId, code, reason, msg) {
  console.error(JSON.stringify({ level: 'error', msg, correlationId, code: code || null, reason }));
  return reply(503, { error: 'PublishFailed', message: reason, correlationId });
}

function badRequest(message) {
  return reply(400, { error: 'BadRequest', message });
}

/** Parses and checks a POST /events body; returns { error } or { event }. */
function parseEvent(rawBody, isBase64Encoded) {
  if (rawBody === undefined || rawBody === null || rawBody === '') return { error: 'body is required: a JSON object with a "type"' };
  const text = isBase64Encoded ? Buffer.from(rawBody, 'base64').toString('utf8') : String(rawBody);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { error: `body is larger than ${MAX_BODY_BYTES} bytes` };
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { error: `body is not valid JSON: ${e.message}` };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { error: 'body must be a JSON object' };
  if (typeof body.type !== 'string' || !EVENT_TYPE.test(body.type)) {
    return { error: '"type" must be a string of 1-128 letters, digits or ._:-' };
  }
  if (body.detail !== undefined && (body.detail === null || typeof body.detail !== 'object' || Array.isArray(body.detail))) {
    return { error: '"detail" must be a JSON object when given' };
  }
  if (body.correlationId !== undefined && (typeof body.correlationId !== 'string' || !CORRELATION_ID.test(body.correlationId))) {
    return { error: '"correlationId" must be 8-64 letters, digits or hyphens when given' };
  }
  if (body.canary !== undefined && typeof body.canary !== 'boolean') return { error: '"canary" must be true or false when given' };
  return { event: { type: body.type, detail: body.detail || {}, correlationId: body.correlationId, canary: body.canary === true } };
}

async function handle(event, context, deps) {
  const method = event.httpMethod;
  const path = event.resource || event.path;
  if (method === 'GET' && path === '/') {
    return reply(200, {
      status: 'ok',
      env: deps.env.TAP_ENV,
      requestId: context.awsRequestId,
      features: { xray: Boolean(deps.env._X_AMZN_TRACE_ID), eventbridge: Boolean(deps.env.EVENT_BUS_NAME) },
    });
  }
  if (method === 'POST' && path === '/events') {
    const parsed = parseEvent(event.body, event.isBase64Encoded);
    if (parsed.error) return badRequest(parsed.error);
    const correlationId = parsed.event.correlationId || deps.randomUUID();
    const entry = {
      EventBusName: deps.env.EVENT_BUS_NAME,
      Source: parsed.event.canary ? 'tap.canary' : 'tap.app',
      DetailType: parsed.event.type,
      Detail: JSON.stringify({
        correlationId,
        canary: parsed.event.canary,
        env: deps.env.TAP_ENV,
        requestId: context.awsRequestId,
        payload: parsed.event.detail,
      }),
    };
    if (deps.env._X_AMZN_TRACE_ID) entry.TraceHeader = deps.env._X_AMZN_TRACE_ID;
    let result;
    try {
      result = await deps.putEvents([entry]);
    } catch (e) {
      // Throttled, access denied, timed out: the caller gets an answer it can act on (retry later)
      // instead of the bare 502 API Gateway sends when the function throws.
      return unavailable(correlationId, e.name || 'Error', e.message || String(e), 'PutEvents failed');
    }
    const first = (result.Entries || [])[0] || {};
    if (result.FailedEntryCount || !first.EventId) {
      return unavailable(correlationId, first.ErrorCode, first.ErrorMessage || 'the event bus did not accept the event', 'PutEvents rejected the entry');
    }
    console.log(JSON.stringify({ level: 'info', msg: 'published', correlationId, eventId: first.EventId, canary: parsed.event.canary }));
    return reply(202, { correlationId, eventId: first.EventId });
  }
  return reply(404, { error: 'NotFound', message: `no route for ${method} ${path}` });
}

let client;
function putEvents(entries) {
  const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');
  client = client || new EventBridgeClient({});
  return client.send(new PutEventsCommand({ Entries: entries }));
}

exports.handle = handle;
exports.parseEvent = parseEvent;
exports.handler = (event, context) =>
  handle(event, context, { env: process.env, putEvents, randomUUID: () => require('node:crypto').randomUUID() });
