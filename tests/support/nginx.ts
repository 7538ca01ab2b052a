import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The one nginx configuration of the deployment (docker-compose mounts the same file). */
export const TEMPLATE = path.join(ROOT, 'deploy/nginx/kollegium.conf.template');

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];

function findNginx(): string | null {
  const found = CANDIDATES.find((file) => fs.existsSync(file));
  if (found) return found;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Debian's nginx, installed by tests/support/ensure-nginx.sh when missing (as root with apt-get,
 * as `npm test`'s pretest does too); null when it cannot be had.
 */
export function ensureNginx(): string | null {
  const found = findNginx();
  if (found) return found;
  try {
    execFileSync('bash', [path.join(ROOT, 'tests/support/ensure-nginx.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  } catch {
    return null;
  }
  return findNginx();
}

/**
 * Renders a template as the official nginx image does (envsubst with the names of the defined
 * variables): `${NAME}` and `$NAME` of a given variable are replaced, every other `$name` is
 * nginx's and stays. A KOLLEGIUM_ variable left unset is an error here rather than a broken config.
 */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  const rendered = template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    return Object.hasOwn(vars, name) ? vars[name]! : match;
  });
  const missing = rendered.match(/\$\{?KOLLEGIUM_[A-Z0-9_]*/g);
  if (missing) throw new Error(`template variables without a value: ${[...new Set(missing)].join(', ')}`);
  return rendered;
}

/** One request as nginx logged it (the test's log format, below). */
export interface LogLine {
  /** When the request began and ended (a WebSocket ends when it closes), in ms since the epoch. */
  started: number;
  ended: number;
  status: number;
  method: string;
  uri: string;
  /** The path with the query. */
  request: string;
  /** Engine.IO's connection id (empty on a handshake) and transport, from the query. */
  sid: string;
  transport: string;
  /** The kollegium_route cookie the request carried (empty without). */
  route: string;
  /** Every upstream tried, in order ("a, b" when the first refused); the last one answered. */
  upstreams: string[];
}

export interface Nginx {
  url: string;
  dir: string;
  child: ChildProcess;
  output: string[];
  /** What nginx logged so far. */
  log(): LogLine[];
  /** The upstream that answers a request (a GET of /healthz) with this route cookie, or with none (null). */
  upstreamFor(route: string | null): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Debian's nginx as a child process in front of `upstreams` ("host:port"), configured with the
 * deployment's template: a main configuration in a temporary directory that includes the rendered
 * template, with its pid file, logs and temporary files there too (nothing root-owned).
 */
export async function startNginx(binary: string, upstreams: string[]): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kollegium-nginx-'));
  try {
    return await launch(binary, upstreams, dir);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(binary: string, upstreams: string[], dir: string): Promise<Nginx> {
  // Workers drop to an unprivileged user when nginx runs as root: they must reach their temp files.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const site = renderTemplate(fs.readFileSync(TEMPLATE, 'utf8'), {
    KOLLEGIUM_LISTEN: `127.0.0.1:${port}`,
    KOLLEGIUM_UPSTREAMS: upstreams.map((u) => `server ${u};`).join(' '),
  });
  fs.writeFileSync(path.join(dir, 'kollegium.conf'), site);
  const at = (name: string) => path.join(dir, name);
  const main = `
worker_processes 1;
pid ${at('nginx.pid')};
error_log ${at('error.log')} warn;
events { worker_connections 512; }
http {
  client_body_temp_path ${at('client_body')};
  proxy_temp_path ${at('proxy')};
  fastcgi_temp_path ${at('fastcgi')};
  uwsgi_temp_path ${at('uwsgi')};
  scgi_temp_path ${at('scgi')};
  log_format routing escape=json '{"msec":$msec,"requestTime":$request_time,"status":$status,"method":"$request_method","uri":"$uri",'
    '"request":"$request_uri","sid":"$arg_sid","transport":"$arg_transport","route":"$cookie_kollegium_route","upstream":"$upstream_addr"}';
  access_log ${at('access.log')} routing;
  include ${at('kollegium.conf')};
}
`;
  fs.writeFileSync(at('nginx.conf'), main);
  const args = ['-p', dir, '-e', at('error.log'), '-c', at('nginx.conf')];
  // A broken template fails here, with nginx's own message.
  try {
    execFileSync(binary, [...args, '-t', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`nginx refuses the configuration: ${String(error)}\n${readIf(at('error.log'))}`);
  }
  const child = spawn(binary, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const log = (): LogLine[] => {
    const file = at('access.log');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const raw = JSON.parse(line) as Omit<LogLine, 'upstreams' | 'started' | 'ended'> & { msec: number; requestTime: number; upstream: string };
        const { upstream, msec, requestTime, ...rest } = raw;
        return {
          ...rest,
          started: Math.round((msec - requestTime) * 1000),
          ended: Math.round(msec * 1000),
          // "$upstream_addr" lists every server tried: "a, b", and "a : b" across internal redirects.
          upstreams: upstream ? upstream.split(/\s*[,:]\s+/) : [],
        };
      });
  };

  let probes = 0;
  const upstreamFor = async (route: string | null): Promise<string> => {
    const probe = `/healthz?probe=${++probes}`;
    const res = await fetch(`${url}${probe}`, route === null ? {} : { headers: { cookie: `kollegium_route=${route}` } });
    if (!res.ok) throw new Error(`nginx answered ${res.status} for ${probe}`);
    // nginx logs a request once it is done, which may be a moment after the client has the answer.
    for (let i = 0; i < 200; i++) {
      const line = log().find((l) => l.request === probe);
      if (line) return line.upstreams.at(-1)!;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`nginx did not log ${probe}`);
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${output.join('')}${readIf(at('error.log'))}`);
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${output.join('')}${readIf(at('error.log'))}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    dir,
    child,
    output,
    log,
    upstreamFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readIf(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}
