// What moto cannot run, played by the project's own function code in this process:
// - the API's invoke URL: moto server does not serve execute-api, so a loopback server hands each
//   request to src/stack/functions/handler.cjs as API Gateway's proxy integration would;
// - the processor: moto does not invoke Lambda targets of a rule (it drops them), so the rule also
//   targets an SQS queue, and this loop hands each message to src/stack/functions/processor.cjs;
// - CloudWatch's Embedded Metric Format: Lambda's log lines become metrics in CloudWatch Logs, which
//   moto does not do, so the processor's EMF lines are sent to moto with PutMetricData here.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const handler = require('../../src/stack/functions/handler.cjs');
const processor = require('../../src/stack/functions/processor.cjs');

/** Listens on 127.0.0.1; `url` is the stage's invoke URL (`http://127.0.0.1:PORT/<stage>/`). */
export async function startApi(stage, functionEnv) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url, 'http://x').pathname;
      const prefix = `/${stage}`;
      const inStage = path === prefix || path.startsWith(`${prefix}/`);
      const resource = inStage ? path.slice(prefix.length) || '/' : path;
      // Lambda sets _X_AMZN_TRACE_ID for a function with active tracing; the handler reports it.
      const env = { ...functionEnv(), _X_AMZN_TRACE_ID: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=1` };
      const event = { httpMethod: req.method, resource, path: resource, body: Buffer.concat(chunks).toString() || null, isBase64Encoded: false };
      const done = (r) => {
        res.writeHead(r.statusCode, r.headers);
        res.end(r.body);
      };
      if (!inStage) return done({ statusCode: 403, headers: { 'content-type': 'application/json' }, body: '{"message":"Forbidden"}' });
      handler
        .handle(event, { awsRequestId: randomUUID() }, { env, randomUUID, putEvents: () => Promise.reject(new Error('the stand-in API publishes nothing')) })
        .then(done, (e) => done({ statusCode: 502, headers: {}, body: String(e) }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/${stage}/`, stop: () => new Promise((r) => server.close(r)) };
}

/** Runs `run` with console.log captured: the processor logs JSON lines as Lambda wants; here they would break up the table. */
async function captured(run) {
  const log = console.log;
  const lines = [];
  console.log = (line) => void lines.push(String(line));
  try {
    await run();
    return lines;
  } finally {
    console.log = log;
  }
}

/** What CloudWatch makes of EMF log lines (`_aws.CloudWatchMetrics`): one datum per metric, with its dimensions' values. */
async function publishMetrics(c, lines) {
  for (const line of lines) {
    let doc;
    try {
      doc = JSON.parse(line);
    } catch {
      continue;
    }
    for (const directive of doc?._aws?.CloudWatchMetrics ?? []) {
      const MetricData = directive.Metrics.map((m) => ({
        MetricName: m.Name,
        Unit: m.Unit,
        Value: doc[m.Name],
        Timestamp: new Date(doc._aws.Timestamp),
        Dimensions: (directive.Dimensions[0] ?? []).map((name) => ({ Name: name, Value: String(doc[name]) })),
      }));
      await c.cloudWatch.send(new c.sdk.cloudWatch.PutMetricDataCommand({ Namespace: directive.Namespace, MetricData }));
    }
  }
}

/**
 * Reads the delivery queue until stopped and runs the processor on each event, writing its receipt
 * to the data bucket in moto. `processed` counts what it handled (replayed events among them).
 */
export function startProcessor(c, { queueUrl, bucket, env }) {
  const state = { processed: 0, replayed: 0, errors: [], stopped: false };
  const putObject = (input) => c.s3.send(new c.sdk.s3.PutObjectCommand(input));
  const loop = (async () => {
    while (!state.stopped) {
      const { Messages = [] } = await c.sqs.send(new c.sdk.sqs.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages) {
        try {
          const event = JSON.parse(m.Body);
          await publishMetrics(c, await captured(() => processor.handle(event, { env: { TAP_ENV: env, DATA_BUCKET: bucket }, putObject, now: Date.now })));
          state.processed++;
          if (event['replay-name']) state.replayed++;
          await c.sqs.send(new c.sdk.sqs.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        } catch (error) {
          state.errors.push(error.message);
        }
      }
    }
  })();
  return {
    state,
    stop: async () => {
      state.stopped = true;
      await loop.catch((e) => state.errors.push(e.message));
    },
  };
}
