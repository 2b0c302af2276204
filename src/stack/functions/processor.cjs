'use strict';
// srv-processor: the rule's target. Writes the receipt that proves delivery
// (receipts/<correlation id>/<event id>.json with the event id and trace id; under
// receipts/replays/<replay>/ with the replay name when replayed), logs structured JSON, and emits
// metrics in CloudWatch Embedded Metric Format, which needs no SDK: Lambda ships the log line to
// CloudWatch as metrics.

function receiptFor(event, env, now) {
  const detail = event.detail && typeof event.detail === 'object' ? event.detail : {};
  const correlationId = typeof detail.correlationId === 'string' && detail.correlationId ? detail.correlationId : event.id;
  const receipt = {
    correlationId,
    eventId: event.id,
    traceId: env._X_AMZN_TRACE_ID || null,
    source: event.source,
    detailType: event['detail-type'],
    canary: detail.canary === true,
    eventTime: event.time,
    receivedAt: new Date(now).toISOString(),
  };
  // EventBridge adds `replay-name` to every event it re-delivers from an archive.
  if (event['replay-name']) receipt['replay-name'] = event['replay-name'];
  return receipt;
}

/**
 * Where the receipt goes (spec.ts's receiptKey and replayReceiptPrefix say the same). One object per
 * event: two events that share a client's correlation id do not overwrite each other, and a
 * redelivery of the same event (same EventBridge id) writes the same key again. A replayed event
 * gets its own receipt under its replay, so that the original receipt stays and `tap replay-archive`
 * counts what one replay re-processed by listing one prefix. (A correlation id is at least 8
 * characters, so none is `replays`.)
 */
function receiptKey(receipt) {
  const own = `${receipt.correlationId}/${receipt.eventId}.json`;
  return receipt['replay-name'] ? `receipts/replays/${receipt['replay-name']}/${own}` : `receipts/${own}`;
}

function metricsLine(receipt, env, now) {
  const latency = Math.max(0, now - Date.parse(receipt.eventTime));
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: 'Tap',
          Dimensions: [['Env']],
          Metrics: [
            { Name: 'EventsProcessed', Unit: 'Count' },
            { Name: 'ReplayedEvents', Unit: 'Count' },
            { Name: 'DeliveryLatency', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Env: env.TAP_ENV,
    EventsProcessed: 1,
    ReplayedEvents: receipt['replay-name'] ? 1 : 0,
    DeliveryLatency: Number.isFinite(latency) ? latency : 0,
    correlationId: receipt.correlationId,
  };
}

async function handle(event, deps) {
  const now = deps.now();
  const receipt = receiptFor(event, deps.env, now);
  const key = receiptKey(receipt);
  console.log(JSON.stringify({ level: 'info', msg: 'processing', correlationId: receipt.correlationId, eventId: event.id, replay: receipt['replay-name'] || null }));
  await deps.putObject({ Bucket: deps.env.DATA_BUCKET, Key: key, Body: JSON.stringify(receipt), ContentType: 'application/json' });
  console.log(JSON.stringify(metricsLine(receipt, deps.env, now)));
  return { key, correlationId: receipt.correlationId };
}

let client;
function putObject(input) {
  const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
  client = client || new S3Client({});
  return client.send(new PutObjectCommand(input));
}

exports.handle = handle;
exports.receiptFor = receiptFor;
exports.receiptKey = receiptKey;
exports.metricsLine = metricsLine;
exports.handler = (event) => handle(event, { env: process.env, putObject, now: Date.now });
