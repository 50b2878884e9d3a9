import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Which server a run drives. */
export type ServerKind = 'confab' | 'socketio';

/** A server process under test. */
export interface ServerUnderTest {
  kind: ServerKind;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Several Confab nodes (or one `--workers` primary) sharing a redis-server. */
export interface ClusterUnderTest {
  /** Where clients connect, spread in turn. */
  ports: number[];
  /** Every Confab process (nodes, or the primary's workers), read at each call. */
  nodePids(): number[];
  redisPid: number;
  /** Each node's folder (its copy of the search index). */
  dataDirs: string[];
  /**
   * Starts one more node, with a folder of its own, and resolves once its
   * log shows `pattern` (a number in group 1): what it measured, then stops it.
   */
  joinAndMeasure(pattern: RegExp): Promise<number>;
  stop(): Promise<void>;
}

/** How a cluster run is deployed. */
export interface ClusterShape {
  /** Separate node processes. */
  nodes: number;
  /** With `workers` > 1: one `--workers N` primary instead of separate nodes. */
  workers?: number;
  /** More flags for every node. */
  args?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));

/** The CPU the server runs on; the generator takes the other. */
export const SERVER_CPU = 0;
export const LOADGEN_CPU = 1;

/** Extra Node/V8 flags for the Confab server under test (`CONFAB_SERVER_NODE_FLAGS`), to measure what a flag costs or saves. */
function serverNodeFlags(): string[] {
  return (process.env.CONFAB_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
}

/** Runs `argv` on one CPU with room for many sockets, when the tools are there. */
function pinned(argv: string[], cpu: number, pin: boolean): string[] {
  return pin ? ['prlimit', '--nofile=20000', 'taskset', '-c', String(cpu), ...argv] : argv;
}

/** The token the benchmark's servers serve `/metrics` with on the chat port. */
export const METRICS_TOKEN = 'confab-benchmark-metrics';

/** A Confab server's `/metrics`. */
export async function scrapeMetrics(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
  });
  return response.text();
}

/** This workspace's `confab-server`. */
function currentCli(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@confab/server'))), 'cli.js');
}

/** The flags a `confab-server` build knows (from its `--help`): an older build is not given newer ones. */
const flagsOf = new Map<string, Set<string>>();
function knownFlags(cli: string): Set<string> {
  let flags = flagsOf.get(cli);
  if (!flags) {
    const help = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    flags = new Set([...help.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]!));
    flagsOf.set(cli, flags);
  }
  return flags;
}

/** `--flag value` pairs with the flags `cli` does not know left out. */
function onlyKnown(cli: string, pairs: string[]): string[] {
  const known = knownFlags(cli);
  const kept: string[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2)
    if (known.has(pairs[i]!.slice(2))) kept.push(pairs[i]!, pairs[i + 1]!);
  return kept;
}

/**
 * The Confab server's command line: with the limits that would refuse a
 * benchmark lifted, or (`defaults`) with the server's own limits, as an
 * attacker would meet them. `cli`: another build (a baseline to compare).
 */
function confabArgv(extra: string[], options: { defaults?: boolean; cli?: string } = {}): string[] {
  const cli = options.cli ?? currentCli();
  const common = ['--port', '0', ...extra, '--metrics-token', METRICS_TOKEN, '--log-level', 'info'];
  if (options.defaults)
    return [process.execPath, ...serverNodeFlags(), cli, ...onlyKnown(cli, common)];
  // Liveness is made slow so silent receivers are not pinged during a run.
  return [
    process.execPath,
    ...serverNodeFlags(),
    cli,
    ...onlyKnown(cli, [
      ...common,
      '--rate-limit',
      '0',
      '--max-connections',
      '0',
      '--max-connections-per-ip',
      '0',
      '--max-handshakes-per-ip',
      '0',
      // Thousands of clients from one address: the per-address budget of replays is lifted too.
      '--replay-rate',
      '0',
      '--replay-reads',
      '0',
      '--address-rate',
      '0',
      '--ping-interval',
      '3600000',
      '--handshake-timeout',
      '600000',
      '--max-outbound-bytes',
      String(4 * 1024 * 1024),
    ]),
  ];
}

/** Spawns a process and resolves with it once its output shows `pattern` (a port in group 1, if any). */
function spawnUntil(
  argv: string[],
  pattern: RegExp,
): Promise<{ child: ChildProcess; port: number }> {
  const [command, ...args] = argv;
  const child: ChildProcess = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = pattern.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${argv[0]} exited (${code}): ${out}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a redis-server (with the persistence the README asks of a cluster:
 * append-only file, fsync before answering) and Confab nodes on it. On this
 * 2-core machine every server process shares the server CPU, so the figures
 * show what clustering costs, not what more cores would add.
 */
export async function startCluster(shape: ClusterShape, pin: boolean): Promise<ClusterUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'confab-bench-redis-'));
  const redisPort = await freePort();
  const redis = await spawnUntil(
    pinned(
      [
        'redis-server',
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxclients',
        '1000',
      ],
      SERVER_CPU,
      pin,
    ),
    /Ready to accept connections/,
  );
  const url = `redis://127.0.0.1:${redisPort}`;
  const nodes: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    const workers = shape.workers ?? 1;
    const count = workers > 1 ? 1 : shape.nodes;
    for (let i = 0; i < count; i++) {
      const extra = [
        '--redis',
        url,
        ...(workers > 1 ? ['--workers', String(workers)] : []),
        // Each node's copy of the search index, beside Redis's files.
        '--data-dir',
        join(dir, `node-${i}`),
        ...(shape.args ?? []),
      ];
      const node = await spawnUntil(
        pinned(confabArgv(extra), SERVER_CPU, pin),
        /"port":(\d+)[^\n]*"msg":"listening"/,
      );
      nodes.push(node.child);
      ports.push(node.port);
    }
  } catch (error) {
    await Promise.all(nodes.map(stopChild));
    await stopChild(redis.child);
    throw error;
  }
  const children = (pid: number) =>
    execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  return {
    ports,
    nodePids: () =>
      nodes.flatMap((node) => ((shape.workers ?? 1) > 1 ? children(node.pid!) : [node.pid!])),
    redisPid: redis.child.pid!,
    dataDirs: ports.map((_, i) => join(dir, `node-${i}`)),
    joinAndMeasure: async (pattern) => {
      const args = ['--redis', url, '--data-dir', join(dir, 'joined'), ...(shape.args ?? [])];
      const node = await spawnUntil(pinned(confabArgv(args), SERVER_CPU, pin), pattern);
      await stopChild(node.child);
      return node.port;
    },
    stop: async () => {
      await Promise.all(nodes.map(stopChild));
      await stopChild(redis.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server on a free port, pinned to the server CPU. A Confab server
 * keeps its history in a fresh folder (removed when it stops), or in
 * `dataDir` (the caller's), with `args` added to its command line.
 */
export async function startServer(
  kind: ServerKind,
  options: {
    store?: 'sqlite' | 'memory';
    pin: boolean;
    dataDir?: string;
    args?: string[];
    /** The server's own limits, not the benchmark's lifted ones. */
    defaults?: boolean;
    /** Another build's `cli.js` (a baseline). */
    cli?: string;
  },
): Promise<ServerUnderTest> {
  let dataDir: string | undefined;
  let argv: string[];
  if (kind === 'confab') {
    if (options.dataDir === undefined) dataDir = mkdtempSync(join(tmpdir(), 'confab-bench-'));
    argv = confabArgv(
      [
        '--store',
        options.store ?? 'sqlite',
        '--data-dir',
        options.dataDir ?? dataDir!,
        ...(options.args ?? []),
      ],
      {
        ...(options.defaults ? { defaults: true } : {}),
        ...(options.cli ? { cli: options.cli } : {}),
      },
    );
  } else {
    // The built peer, whether this runs from dist/ (the benchmark) or src/ (its tests).
    argv = [process.execPath, join(here, '..', 'dist', 'peers', 'socketio-server.js')];
  }
  const { child, port } = await spawnUntil(pinned(argv, SERVER_CPU, options.pin), /"port":(\d+)/);
  return {
    kind,
    pid: child.pid!,
    port,
    stop: async () => {
      await stopChild(child);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
