// A CloudFormation endpoint on loopback, speaking the service's real wire protocol (awsQuery: form
// posts in, XML out), for one settled stack. Used by the retry test and by `npm run bench` to count
// the calls a no-op deploy makes. Faults are answered the way CloudFormation answers them.
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const FAULTS = {
  Throttling: { status: 400, type: 'Sender', message: 'Rate exceeded' },
  ServiceUnavailable: { status: 503, type: 'Receiver', message: 'Service is unavailable' },
  InternalFailure: { status: 500, type: 'Receiver', message: 'An internal error occurred' },
};

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const members = (items, render) => items.map((i) => `<member>${render(i)}</member>`).join('');
const respond = (action, result) => `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`;

/**
 * With `sharedRole`, the account's API Gateway role is tap's shared stack's (TapShared, which
 * DescribeStacks then also serves); otherwise a role of the account's own. With `tls` (a key and a
 * certificate, PEM) it serves HTTPS. STS AssumeRole is answered too (a profile's role), and every
 * request's form is kept in `forms`.
 * @param {{ stackName: string, template: string, tags: Record<string, string>, faults?: Record<string, string[]>, sharedRole?: boolean, apiUrl?: string, tls?: { key: string, cert: string } }} stack
 * @returns {Promise<{ url: string, requests: string[], forms: URLSearchParams[], close(): Promise<void> }>}
 */
export async function startLoopbackCloudFormation(stack) {
  const requests = [];
  const forms = [];
  const faults = Object.fromEntries(Object.entries(stack.faults ?? {}).map(([k, v]) => [k, [...v]]));
  const handle = (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      forms.push(params);
      // API Gateway's GetAccount (REST: GET /account) answers an account that has its CloudWatch
      // role already, so the no-op deploy needs no shared stack deployed.
      const action = req.method === 'GET' && req.url === '/account' ? 'GetAccount' : (params.get('Action') ?? '');
      requests.push(action);
      const fault = faults[action]?.shift();
      const send = (status, text) => res.writeHead(status, { 'content-type': 'text/xml' }).end(text);
      if (fault) {
        const f = FAULTS[fault];
        return send(f.status, `<ErrorResponse xmlns="${NS}"><Error><Type>${f.type}</Type><Code>${fault}</Code><Message>${f.message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`);
      }
      if (action === 'AssumeRole') {
        const credentials = '<Credentials><AccessKeyId>ASIALOOPBACK</AccessKeyId><SecretAccessKey>loopback</SecretAccessKey><SessionToken>loopback-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>';
        const user = `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ops/${xml(params.get('RoleSessionName'))}</Arn><AssumedRoleId>AROALOOPBACK:s</AssumedRoleId></AssumedRoleUser>`;
        return send(200, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>${credentials}${user}</AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
      }
      if (action === 'GetAccount') {
        const role = stack.sharedRole ? 'TapShared-apigw-logs-us-east-1' : 'ops-apigw-logs';
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ cloudwatchRoleArn: `arn:aws:iam::123456789012:role/${role}` }));
      }
      if (action === 'DescribeStacks' && stack.sharedRole && params.get('StackName') === 'TapShared') {
        return send(200, respond(action, `<Stacks><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/TapShared/1</StackId><StackName>TapShared</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-25T12:00:00Z</CreationTime></member></Stacks>`));
      }
      if (action === 'DescribeStacks') {
        const tags = members(Object.entries(stack.tags), ([k, v]) => `<Key>${xml(k)}</Key><Value>${xml(v)}</Value>`);
        // Every output the template declares, as a deployed stack has them (ApiUrl with a value tests read).
        const keys = Object.keys(JSON.parse(stack.template).Outputs ?? {});
        const outputs = members(keys, (k) => `<OutputKey>${xml(k)}</OutputKey><OutputValue>${k === 'ApiUrl' ? xml(stack.apiUrl ?? 'https://api.example/dev/') : `loopback-${xml(k)}`}</OutputValue>`);
        return send(200, respond(action, `<Stacks><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${stack.stackName}/1</StackId><StackName>${stack.stackName}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-25T12:00:00Z</CreationTime><EnableTerminationProtection>false</EnableTerminationProtection><Tags>${tags}</Tags><Outputs>${outputs}</Outputs></member></Stacks>`));
      }
      // deploy asks which stack holds the account's role (by its physical id): none here.
      if (action === 'DescribeStackResources' && params.get('PhysicalResourceId')) {
        return send(400, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack for ${xml(params.get('PhysicalResourceId'))} does not exist</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`);
      }
      if (action === 'GetTemplate') return send(200, respond(action, `<TemplateBody>${xml(stack.template)}</TemplateBody>`));
      return send(400, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${xml(action)} is not served by the loopback endpoint</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`);
    });
  };
  const server = stack.tls ? createTlsServer(stack.tls, handle) : createServer(handle);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const close = () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); });
  return { url: `${stack.tls ? 'https' : 'http'}://127.0.0.1:${port}`, requests, forms, close };
}
