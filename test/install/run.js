// The install suite (`npm run test:install`): tap installed as users install it, and run from an
// empty directory. It packs the package (`npm pack`: prepack builds), installs it globally into an
// empty prefix (`npm install --global @tap-ops/cli@<version>`) and runs the installed `tap` with each
// Node.js given: `tap --version`, `tap synth --env dev` (a cold synth: cdk-nag and validation on the
// installed dependencies) and `tap list` against moto server (when moto_server is on PATH, or
// AWS_ENDPOINT_URL names an emulator). Prints a table of steps and a last line
// `N passed, N failed, N skipped`; exit 1 on any failure.
//
// Usage: node test/install/run.js [--node PATH]...   (default: the Node.js running this script)
//
// Why the install goes through a registry: npm installs the versions of a package's
// npm-shrinkwrap.json only when the registry's metadata marks the version as having one
// (`_hasShrinkwrap`, which the public registry sets on publish); a tarball installed by its path is
// never marked (npm/cli#4583, #5325), so `npm i -g ./x.tgz` would not install what users get. A
// stand-in for the registry on loopback serves the @tap-ops scope alone (the packed tarball, with the
// metadata the public registry would give it); every other package comes from the configured registry.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { REGION, root, Table } from '../emulator/harness.js';
import { startEmulator } from '../emulator/moto.js';

const KEYS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
// The SDK's warning that later releases need Node.js 22, for the client that makes the stack to list.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const nodes = process.argv.flatMap((a, i, all) => (all[i - 1] === '--node' ? [a] : []));
if (nodes.length === 0) nodes.push(process.execPath);

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const shrinkwrap = JSON.parse(readFileSync(join(root, 'npm-shrinkwrap.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'tap-install-'));
const table = new Table();
const started = performance.now();
const stops = [];
const children = new Set();

/** The environment of a user's shell: nothing of npm's own run (npm_*), nothing of AWS's. */
function userEnv(extra = {}) {
  const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|AWS_)/i.test(k)));
  return { ...own, NO_COLOR: '1', ...extra };
}

/** Runs a command; resolves { code, stdout, stderr } (never rejects on a non-zero exit). */
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
}

function check(condition, message, r) {
  if (condition) return;
  const said = r ? ` [exit ${r.code}; ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ').slice(0, 500)}]` : '';
  throw new Error(`${message}${said}`);
}

/** The loopback stand-in for the registry: the packument and the tarball of the one packed version. */
async function serveRegistry(pack, tarball) {
  let base;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === `/${manifest.name}`) {
      const version = {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        _hasShrinkwrap: true,
        dist: { tarball: `${base}/${manifest.name}/-/${pack.filename}`, integrity: pack.integrity, shasum: pack.shasum },
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: manifest.name, 'dist-tags': { latest: manifest.version }, versions: { [manifest.version]: version } }));
    } else if (path === `/${manifest.name}/-/${pack.filename}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(tarball).size });
      createReadStream(tarball).pipe(res);
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return base;
}

/** Whether moto_server is an executable on PATH. */
function motoOnPath() {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'moto_server')));
}

async function cleanup() {
  for (const child of children) child.kill('SIGTERM');
  for (const stop of stops.reverse()) await stop().catch(() => {});
  stops.length = 0;
  rmSync(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

try {
  // moto starts while the package is packed and installed.
  const wantsEmulator = Boolean(process.env.AWS_ENDPOINT_URL) || motoOnPath();
  const emulator = wantsEmulator ? startEmulator().then((e) => (stops.push(e.stop), e)) : undefined;
  emulator?.catch(() => {}); // its failure is reported by the list steps

  let pack;
  const tarballDir = join(work, 'pack');
  mkdirSync(tarballDir);
  await table.step('pack', async () => {
    const r = await run('npm', ['pack', '--json', '--pack-destination', tarballDir], { cwd: root, env: userEnv() });
    check(r.code === 0, 'npm pack failed', r);
    pack = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
    return `${pack.filename}: ${pack.size.toLocaleString('en-US')} bytes, ${pack.entryCount} files, ${pack.unpackedSize.toLocaleString('en-US')} bytes unpacked`;
  });

  const prefix = join(work, 'prefix');
  const installed = pack && (await table.step('install', async () => {
    const registry = await serveRegistry(pack, join(tarballDir, pack.filename));
    const r = await run('npm', ['install', '--global', '--prefix', prefix, `${manifest.name}@${manifest.version}`, `--${manifest.name.split('/')[0]}:registry=${registry}/`, '--no-audit', '--no-fund'], {
      cwd: work,
      env: userEnv(),
      timeoutMs: 600_000,
    });
    check(r.code === 0, 'npm install --global failed', r);
    check(!/install-scripts|allow-scripts/.test(r.stdout + r.stderr), 'npm warned about an install script', r);
    check(existsSync(join(prefix, 'bin', 'tap')), `no tap in ${join(prefix, 'bin')}`);
    // Every package the shrinkwrap names for users (not the dev ones) at the shrinkwrap's version.
    const dir = join(prefix, 'lib', 'node_modules', manifest.name);
    const wrong = [];
    let same = 0;
    for (const [path, entry] of Object.entries(shrinkwrap.packages)) {
      if (!path || entry.dev) continue;
      const file = join(dir, path, 'package.json');
      if (!existsSync(file)) {
        if (!entry.optional) wrong.push(`${path.replace(/^.*node_modules\//, '')} missing`);
        continue;
      }
      const version = JSON.parse(readFileSync(file, 'utf8')).version;
      if (version === entry.version) same++;
      else wrong.push(`${path.replace(/^.*node_modules\//, '')} ${version} (shrinkwrap: ${entry.version})`);
    }
    check(wrong.length === 0, `not the shrinkwrap's versions: ${wrong.join(', ')}`);
    return `${same} packages at the shrinkwrap's versions (aws-cdk-lib ${shrinkwrap.packages['node_modules/aws-cdk-lib'].version}), no install script`;
  }));

  // One empty directory and an empty HOME for every run: nothing of the repository's, nor the user's ~/.aws.
  const empty = join(work, 'empty');
  const home = join(work, 'home');
  mkdirSync(empty);
  mkdirSync(home);
  let stackMade;
  for (const node of nodes) {
    const PATH = [dirname(node), join(prefix, 'bin'), process.env.PATH].join(delimiter);
    const version = (await run('node', ['--version'], { env: { ...process.env, PATH } })).stdout.trim();
    const label = `node ${version.replace(/^v(\d+).*/, '$1')}`;
    const env = (extra = {}) => userEnv({ PATH, HOME: home, CI: 'true', AWS_REGION: REGION, ...KEYS, TAP_CACHE_DIR: join(work, `cache-${version}`), ...extra });
    if (!installed) {
      for (const id of ['tap --version', 'tap synth', 'tap list']) table.skip(`${label}: ${id}`, 'not installed');
      continue;
    }
    await table.step(`${label}: tap --version`, async () => {
      const r = await run('tap', ['--version'], { cwd: empty, env: env() });
      check(r.code === 0 && r.stdout === `${manifest.version}\n`, `expected ${manifest.version}`, r);
      return `${manifest.version} on Node.js ${version}`;
    });
    await table.step(`${label}: tap synth`, async () => {
      const r = await run('tap', ['synth', '--env', 'dev', '--json'], { cwd: empty, env: env() });
      check(r.code === 0, 'tap synth --env dev failed', r);
      const result = JSON.parse(r.stdout);
      check(result.kind === 'synthesized' && result.stackName === 'TapStack-dev', `unexpected result ${r.stdout.slice(0, 200)}`);
      return `TapStack-dev: ${result.resourceCount} resources, ${result.templateBytes.toLocaleString('en-US')} bytes, ${result.acknowledged} acknowledged, from an empty directory`;
    });
    if (!emulator) {
      table.skip(`${label}: tap list`, 'moto_server is not on PATH and AWS_ENDPOINT_URL is not set');
      continue;
    }
    await table.step(`${label}: tap list`, async () => {
      const { endpoint } = await emulator;
      // One stack named as tap names an env's (made once): list must find it through the endpoint.
      stackMade ??= (async () => {
        const { CloudFormationClient, CreateStackCommand } = await import('@aws-sdk/client-cloudformation');
        const cfn = new CloudFormationClient({ endpoint, region: REGION, credentials: { accessKeyId: KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY } });
        const env = `inst-${Date.now().toString(36).slice(-6)}`;
        await cfn.send(new CreateStackCommand({ StackName: `TapStack-${env}`, TemplateBody: JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } }) }));
        cfn.destroy();
        return env;
      })();
      const envName = await stackMade;
      const r = await run('tap', ['list', '--json'], { cwd: empty, env: env({ AWS_ENDPOINT_URL: endpoint }) });
      check(r.code === 0, 'tap list failed', r);
      const listed = JSON.parse(r.stdout);
      check(listed.kind === 'envs' && listed.envs.some((e) => e.env === envName), `env ${envName} not listed: ${r.stdout.slice(0, 200)}`);
      return `${listed.envs.length} env(s) at ${endpoint}, ${envName} among them`;
    });
  }
} catch (error) {
  table.rows.push({ id: 'suite', status: 'fail', ms: 0, detail: error.message });
}
await cleanup();
process.stdout.write(`\ninstall suite: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
table.print();
process.exit(table.counts().failed ? 1 : 0);
