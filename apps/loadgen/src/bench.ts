#!/usr/bin/env node
// `pnpm bench`: Confab's server under load, beside socket.io, with the
// figures that compare (server CPU µs per delivery, latency, loss, memory).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FanoutConfig, FanoutResult } from './fanout.js';
import { WARMUP_SECONDS, runFanout } from './fanout.js';
import type { IdleResult } from './idle.js';
import { IDLE_MS, runIdle } from './idle.js';
import type { LoginStormResult } from './logins.js';
import { runLoginStorm } from './logins.js';
import { LOADGEN_CPU } from './servers.js';
import type { Attack, AttackResult } from './attacks.js';
import { runAttack } from './attacks.js';
import type { ReactionStormResult } from './reactions.js';
import { runReactionStorm } from './reactions.js';
import type { ClusterSearchResult, SearchBenchResult } from './search.js';
import { runClusterSearchBench, runSearchBench } from './search.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, baseline: { type: 'string' } },
  strict: true,
});
const quick = values.quick === true;
/**
 * Another build of the server to compare with, in the same run
 * (`--baseline path/to/packages/server/dist/cli.js`, from another
 * checkout): W1 runs on both in turn, and W4 shows each before and after.
 */
const baseline = values.baseline;
// Once pinned, this process sees one CPU: the parent's decision is passed down.
const pin =
  process.env.CONFAB_LOADGEN_PINNED === '1' ||
  (availableParallelism() >= 2 && hasTool('taskset') && hasTool('prlimit'));

// The generator takes the other core: re-run this script pinned to it.
if (pin && process.env.CONFAB_LOADGEN_PINNED !== '1') {
  const result = spawnSync(
    'taskset',
    [
      '-c',
      String(LOADGEN_CPU),
      process.execPath,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, CONFAB_LOADGEN_PINNED: '1' },
    },
  );
  process.exit(result.status ?? 1);
}

const closedSeconds = quick ? 3 : 8;
const openSeconds = quick ? 2 : 5;

function fanout(
  label: string,
  config: Omit<FanoutConfig, 'label' | 'pin' | 'seconds' | 'senders'> & { senders?: number },
): FanoutConfig {
  const seconds = config.mode === 'closed' ? closedSeconds : openSeconds;
  // A window of 6400/C keeps the total in flight the same: 64 at C=100, 6 at C=1,000.
  const window =
    config.mode === 'closed' ? Math.max(1, Math.round(6400 / config.clients)) : undefined;
  return {
    label,
    pin,
    seconds,
    senders: 10,
    ...(window === undefined ? {} : { window }),
    ...config,
  };
}

const FULL: FanoutConfig[] = [
  fanout('confab json C=100 closed', {
    server: 'confab',
    transport: 'json',
    clients: 100,
    mode: 'closed',
  }),
  fanout('confab json C=1000 closed', {
    server: 'confab',
    transport: 'json',
    clients: 1000,
    mode: 'closed',
  }),
  fanout('confab json C=100 open 50k/s', {
    server: 'confab',
    transport: 'json',
    clients: 100,
    mode: 'open',
    offered: 50_000,
  }),
  fanout('confab json C=100 open 50k/s, memory store', {
    server: 'confab',
    transport: 'json',
    store: 'memory',
    clients: 100,
    mode: 'open',
    offered: 50_000,
  }),
  fanout('confab json C=1000 open 50k/s', {
    server: 'confab',
    transport: 'json',
    clients: 1000,
    mode: 'open',
    offered: 50_000,
  }),
  fanout('confab json C=1000 closed, memory store', {
    server: 'confab',
    transport: 'json',
    store: 'memory',
    clients: 1000,
    mode: 'closed',
  }),
  fanout('confab json C=1000 open 50k/s, memory store', {
    server: 'confab',
    transport: 'json',
    store: 'memory',
    clients: 1000,
    mode: 'open',
    offered: 50_000,
  }),
  fanout('confab json C=1000 closed + 1 slow reader', {
    server: 'confab',
    transport: 'json',
    clients: 1000,
    mode: 'closed',
    slowReader: true,
  }),
  fanout('confab ws C=1000 closed', {
    server: 'confab',
    transport: 'ws',
    clients: 1000,
    mode: 'closed',
  }),
  fanout('confab plain C=100 closed', {
    server: 'confab',
    transport: 'plain',
    clients: 100,
    mode: 'closed',
  }),
  ...[1, 2, 3].map((nodes) =>
    fanout(`confab json C=1000 closed, redis cluster of ${nodes}`, {
      server: 'confab',
      transport: 'json',
      clients: 1000,
      mode: 'closed',
      cluster: { nodes },
    }),
  ),
  fanout('confab json C=1000 closed, redis --workers 2', {
    server: 'confab',
    transport: 'json',
    clients: 1000,
    mode: 'closed',
    cluster: { nodes: 1, workers: 2 },
  }),
  fanout('confab json C=1000 open 50k/s, redis cluster of 3', {
    server: 'confab',
    transport: 'json',
    clients: 1000,
    mode: 'open',
    offered: 50_000,
    cluster: { nodes: 3 },
  }),
  fanout('socket.io C=100 closed', {
    server: 'socketio',
    transport: 'socketio',
    clients: 100,
    mode: 'closed',
  }),
  fanout('socket.io C=1000 closed', {
    server: 'socketio',
    transport: 'socketio',
    clients: 1000,
    mode: 'closed',
  }),
  fanout('socket.io C=1000 open 50k/s', {
    server: 'socketio',
    transport: 'socketio',
    clients: 1000,
    mode: 'open',
    offered: 50_000,
  }),
];
const QUICK_LABELS = [
  'confab json C=1000 closed',
  'confab json C=1000 open 50k/s',
  'confab json C=100 open 50k/s',
  'socket.io C=1000 closed',
];
const IDLE = quick ? [1_000] : [1_000, 10_000];
const STORMS = quick ? [1_000] : [1_000, 10_000];

const runs = (quick ? FULL.filter((r) => QUICK_LABELS.includes(r.label)) : FULL).filter(
  (r) => values.only === undefined || r.label.includes(values.only),
);
const idleRuns = values.only === undefined || 'W2 idle'.includes(values.only) ? IDLE : [];
const ATTACKS: Attack[] = ['none', 'resume', 'join', 'history'];
const attackRuns = values.only === undefined || 'W4 attack'.includes(values.only) ? ATTACKS : [];
const attackSeconds = quick ? 3 : 6;
/** With a baseline: the W1 runs that compare builds, each on both in turn (A, B, A, B). */
const AB_LABELS = ['confab json C=1000 closed', 'confab json C=100 open 50k/s'];
const abRuns: FanoutConfig[] =
  baseline === undefined
    ? []
    : FULL.filter((r) => AB_LABELS.includes(r.label)).flatMap((r) =>
        [0, 1].flatMap(() => [
          { ...r, label: `${r.label} [baseline]`, cli: baseline },
          { ...r, label: `${r.label} [current]` },
        ]),
      );
const stormRuns = values.only === undefined || 'W3 login storm'.includes(values.only) ? STORMS : [];
/** People reacting at once in W5. */
const REACTORS = [1_000];
const reactionRuns =
  values.only === undefined || 'W5 reaction storm'.includes(values.only) ? REACTORS : [];
/** Messages said and indexed in W6. */
const INDEXED = quick ? [20_000] : [1_000_000];
const searchRuns = values.only === undefined || 'W6 search'.includes(values.only) ? INDEXED : [];

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function fanoutTable(results: FanoutResult[]): string {
  const rows = results.map((r) =>
    [
      r.label,
      r.mode,
      fixed(r.connectSeconds, 2),
      thousands(r.deliveriesPerSecond),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.maxMs, 1),
      String(r.lost),
      fixed(r.serverCpuSeconds, 2),
      fixed(r.serverMicrosPerDelivery, 3),
      fixed(r.serverPeakRssMB, 0),
      `${fixed(r.loadgenCpuShare * 100, 0)}%${r.loadgenBound ? ' **LOADGEN-BOUND**' : ''}`,
      r.notes.join('; '),
    ].join(' | '),
  );
  return [
    '| run | load | connect s | deliveries/s | p50 ms | p99 ms | max ms | lost | server CPU s | **server µs/delivery** | server peak RSS MB | loadgen CPU | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function idleTable(results: IdleResult[]): string {
  return [
    `| run | connect s | server RSS before MB | 1 s after MB | bytes per connection 1 s after | ${IDLE_MS / 1000} s after MB | **bytes per connection** (${IDLE_MS / 1000} s after) |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(r.connectSeconds, 2)} | ${fixed(r.rssBeforeMB, 1)} | ${fixed(r.rssJustAfterMB, 1)} | ${thousands(r.bytesPerConnectionJustAfter)} | ${fixed(r.rssAfterMB, 1)} | ${thousands(r.bytesPerConnection)} |`,
    ),
  ].join('\n');
}

function attackTable(results: AttackResult[]): string {
  return [
    '| run | attacker MB/s | attacker answers/s | bystander pings | ping p50 ms | **ping p99 ms** | ping max ms | unanswered | **event-loop lag p99 ms** | lag max ms | server CPU s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(r.attackerMegabytesPerSecond, 1)} | ${fixed(r.attackerAnswersPerSecond, 0)} | ${thousands(r.pings)} | ${fixed(r.pingP50Ms, 1)} | ${fixed(r.pingP99Ms, 1)} | ${fixed(r.pingMaxMs, 1)} | ${r.unanswered} | ${fixed(r.eventLoopP99Ms, 1)} | ${fixed(r.eventLoopMaxMs, 1)} | ${fixed(r.serverCpuSeconds, 1)} |`,
    ),
  ].join('\n');
}

/** The A/B runs of W1, baseline build against current, averaged over their turns. */
function abSummary(results: FanoutResult[]): string {
  const lines: string[] = [];
  for (const label of AB_LABELS) {
    const of = (which: string) =>
      results
        .filter((r) => r.label === `${label} [${which}]`)
        .map((r) => r.serverMicrosPerDelivery);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const [before, after] = [of('baseline'), of('current')];
    if (before.length === 0 || after.length === 0) continue;
    lines.push(
      `- ${label}: server µs/delivery ${before.map((v) => fixed(v, 3)).join(', ')} (baseline) against ${after.map((v) => fixed(v, 3)).join(', ')} (current): ${fixed(((mean(after) - mean(before)) / mean(before)) * 100, 1)}%`,
    );
  }
  return lines.join('\n');
}

function reactionTable(results: ReactionStormResult[]): string {
  const header = [
    '| run | seconds | reactions/s | deliveries/s | lost | event-loop lag p99 / max (ms) | chat p99 (ms) | chat lost | server CPU s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  return [
    ...header,
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(r.seconds, 2)} | ${thousands(r.reactionsPerSecond)} | ${thousands(r.deliveriesPerSecond)} | ${r.lost} | ${fixed(r.eventLoopP99Ms, 1)} / ${fixed(r.eventLoopMaxMs, 1)} | ${fixed(r.chatP99Ms, 1)} | ${r.chatLost} | ${fixed(r.serverCpuSeconds, 2)} |`,
    ),
  ].join('\n');
}

function searchTable(results: SearchBenchResult[]): string {
  const query = (q: SearchBenchResult['common']) =>
    `${q.query}: ${q.hits} hits, ${fixed(q.p50Ms, 2)} / ${fixed(q.p99Ms, 2)}`;
  return [
    '| run | seconds | **messages indexed/s** | chat p99 (ms) | chat lost | bytes/message (file) | **index bytes/message** | common word p50 / p99 (ms) | rare word p50 / p99 (ms) | event-loop lag p99 while searching (ms) | server CPU s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(r.seconds, 1)} | ${thousands(r.messagesPerSecond)} | ${fixed(r.chatP99Ms, 1)} | ${r.chatLost} | ${thousands(r.bytesPerMessage)} | ${thousands(r.indexBytesPerMessage)} | ${query(r.common)} | ${query(r.rare)} | ${fixed(r.eventLoopP99Ms, 1)} | ${fixed(r.serverCpuSeconds, 1)} |`,
    ),
  ].join('\n');
}

function clusterSearchTable(results: ClusterSearchResult[]): string {
  const query = (q: ClusterSearchResult['common']) =>
    q ? `${q.query}: ${q.hits} hits, ${fixed(q.p50Ms, 2)} / ${fixed(q.p99Ms, 2)}` : '-';
  return [
    '| run | seconds | messages/s | chat p99 (ms) | chat lost | **node CPU µs/message** | Redis CPU µs/message | copy bytes/message | common word p50 / p99 (ms) | rare word p50 / p99 (ms) | **a new node caught up (s)** |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | --- | --- | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(r.seconds, 1)} | ${thousands(r.messagesPerSecond)} | ${fixed(r.chatP99Ms, 1)} | ${r.chatLost} | ${r.nodeMicrosPerMessage.map((m) => fixed(m, 1)).join(', ')} | ${fixed(r.redisMicrosPerMessage, 1)} | ${r.replicaBytesPerMessage.map((b) => thousands(b)).join(', ')} | ${query(r.common)} | ${query(r.rare)} | ${r.catchUpSeconds === undefined ? '-' : fixed(r.catchUpSeconds, 1)} |`,
    ),
  ].join('\n');
}

function stormTable(results: LoginStormResult[]): string {
  return [
    '| run | logins/s | login p50 ms | login p99 ms | refused | server event-loop lag p99 ms | max ms | chat messages delivered | chat lost | chat p99 ms | server CPU s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(r.loginsPerSecond, 1)} | ${fixed(r.loginP50Ms, 0)} | ${fixed(r.loginP99Ms, 0)} | ${r.refused} | ${fixed(r.eventLoopP99Ms, 1)} | ${fixed(r.eventLoopMaxMs, 1)} | ${thousands(r.chatDelivered)} | ${r.chatLost} | ${fixed(r.chatP99Ms, 1)} | ${fixed(r.serverCpuSeconds, 1)} |`,
    ),
  ].join('\n');
}

/** Confab against socket.io where both ran the same load. */
function ratios(results: FanoutResult[]): string {
  const lines: string[] = [];
  for (const peer of results.filter((r) => r.server === 'socketio')) {
    const key = peer.label.replace('socket.io', '');
    for (const ours of results.filter(
      (r) => r.server === 'confab' && r.label.endsWith(key) && r.clients === peer.clients,
    )) {
      lines.push(
        `- ${ours.label} vs ${peer.label}: server CPU per delivery ${fixed(peer.serverMicrosPerDelivery / ours.serverMicrosPerDelivery, 1)}x less, deliveries/s ${fixed(ours.deliveriesPerSecond / peer.deliveriesPerSecond, 1)}x`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Lets the machine go quiet before a run: the last run's writes reach the
 * disk now (not in kernel threads on the server's CPU during the next run,
 * where they showed as latency), its processes are gone, and the generator
 * collects the last run's garbage now rather than during the next run's
 * measurement (with `--expose-gc`, as `pnpm bench` runs it).
 */
async function settle(): Promise<void> {
  spawnSync('sync');
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

async function main(): Promise<void> {
  const started = new Date();
  const machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}`;
  console.log(
    `Confab benchmark (${quick ? 'quick' : 'full'}): ${machine}; ${pin ? `server on CPU 0, load generator on CPU ${LOADGEN_CPU}` : 'NOT pinned (taskset/prlimit missing or one core)'}`,
  );
  const fanouts: FanoutResult[] = [];
  for (const run of [...runs, ...abRuns]) {
    process.stdout.write(`  ${run.label} … `);
    await settle();
    const result = await runFanout(run);
    fanouts.push(result);
    console.log(
      `${thousands(result.deliveriesPerSecond)} deliveries/s, p99 ${fixed(result.p99Ms, 2)} ms, ${fixed(result.serverMicrosPerDelivery, 3)} µs/delivery, lost ${result.lost}${result.loadgenBound ? ' (LOADGEN-BOUND)' : ''}`,
    );
  }
  const idles: IdleResult[] = [];
  for (const count of idleRuns) {
    process.stdout.write(`  W2 idle C=${count} … `);
    await settle();
    const result = await runIdle(count, pin);
    idles.push(result);
    console.log(`${thousands(result.bytesPerConnection)} bytes per connection`);
  }
  const storms: LoginStormResult[] = [];
  for (const count of stormRuns) {
    process.stdout.write(`  W3 login storm, ${thousands(count)} logins … `);
    await settle();
    const result = await runLoginStorm(count, pin);
    storms.push(result);
    console.log(
      `${fixed(result.loginsPerSecond, 1)} logins/s, event-loop lag p99 ${fixed(result.eventLoopP99Ms, 1)} ms, chat p99 ${fixed(result.chatP99Ms, 1)} ms, chat lost ${result.chatLost}`,
    );
  }
  const reactions: ReactionStormResult[] = [];
  for (const people of reactionRuns) {
    process.stdout.write(`  W5 reaction storm, ${thousands(people)} people … `);
    await settle();
    const result = await runReactionStorm(people, pin);
    reactions.push(result);
    console.log(
      `${thousands(result.reactionsPerSecond)} reactions/s, ${thousands(result.deliveriesPerSecond)} deliveries/s, lost ${result.lost}, event-loop lag p99 ${fixed(result.eventLoopP99Ms, 1)} ms, chat p99 ${fixed(result.chatP99Ms, 1)} ms`,
    );
  }
  const searches: SearchBenchResult[] = [];
  for (const messages of searchRuns) {
    process.stdout.write(`  W6 search, ${thousands(messages)} messages … `);
    await settle();
    const result = await runSearchBench(messages, pin);
    searches.push(result);
    console.log(
      `${thousands(result.messagesPerSecond)} messages indexed/s, ${thousands(result.indexBytesPerMessage)} index bytes/message, common p99 ${fixed(result.common.p99Ms, 2)} ms, rare p99 ${fixed(result.rare.p99Ms, 2)} ms`,
    );
  }
  const clusterSearches: ClusterSearchResult[] = [];
  for (const messages of searchRuns)
    for (const index of ['file', 'off'] as const) {
      process.stdout.write(
        `  W6 search, ${thousands(messages)} messages, 2 nodes, index ${index} … `,
      );
      await settle();
      const result = await runClusterSearchBench(messages, pin, index);
      clusterSearches.push(result);
      console.log(
        `${thousands(result.messagesPerSecond)} messages/s, node µs/message ${result.nodeMicrosPerMessage.map((m) => fixed(m, 1)).join(' and ')}${result.catchUpSeconds === undefined ? '' : `, a new node caught up in ${fixed(result.catchUpSeconds, 1)} s`}`,
      );
    }
  const attacks: AttackResult[] = [];
  for (const build of baseline === undefined ? [undefined] : [baseline, undefined])
    for (const attack of attackRuns) {
      process.stdout.write(`  W4 ${attack}${build ? ' (baseline build)' : ''} … `);
      await settle();
      const result = await runAttack(attack, {
        pin,
        seconds: attackSeconds,
        ...(build ? { baseline: build } : {}),
      });
      attacks.push(result);
      console.log(
        `attacker ${fixed(result.attackerMegabytesPerSecond, 1)} MB/s, bystander ping p99 ${fixed(result.pingP99Ms, 1)} ms, event-loop lag p99 ${fixed(result.eventLoopP99Ms, 1)} ms`,
      );
    }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  const markdown = [
    `# Confab benchmark results (${quick ? 'quick' : 'full'})`,
    '',
    `${started.toISOString()}, commit ${commit}; ${machine}; ${pin ? 'server pinned to CPU 0, load generator to CPU 1' : 'not pinned'}.`,
    'W1: C clients in one room over the given transport, 10 of them sending ~100-byte messages; closed loop keeps 6400/C',
    'unconfirmed per sender (saturation), open loop offers a fixed number of deliveries per second. Deliveries are',
    'messages received by clients; "lost" is expected minus received after a drain. Server CPU is read from /proc.',
    `Each run offers its load for ${WARMUP_SECONDS} s unmeasured first (warm-up), drains, then measures.`,
    'A LOADGEN-BOUND run is capped by the load generator, not the server: compare µs/delivery there.',
    '',
    '## W1: room fan-out',
    '',
    fanoutTable(fanouts),
    '',
    ratios(fanouts),
    '',
    '## W2: idle connections (registered, in no room; memory store)',
    '',
    `Server RSS is read 1 s after the last connection registered and again after ${IDLE_MS / 1000} s: by then the server,`,
    'quiet, has given back what the storm of connections made V8 grow (`--memory-trim`, on by default).',
    '',
    idleTable(idles),
    '',
    '## W3: login storm (SQLite; accounts in no room)',
    '',
    'N logins with a password at once (400 under way), against a server holding N accounts; the hash is scrypt at',
    `the server's default cost (log2 N = ${storms[0]?.passwordCost ?? '-'}, r 8, p 1), checked in full for every login. Meanwhile one guest says a`,
    "message every 10 ms to a room of 5 readers: how late those come, and how late the server's event loop ran",
    "(its prom-client monitor over the storm, less the monitor's 20 ms sampling interval: 0 on an idle server),",
    'show whether the chat kept going while passwords were hashed.',
    '',
    stormTable(storms),
    '',
    "## W4: one address attacks, others chat (SQLite, the server's default limits)",
    '',
    'One address (20 connections, each within the default rate limit) asks for all the history it can: resume',
    `replays of 4 rooms of 250 messages of 4 KB from the start, again and again; joins of a room it is in (each`,
    'answered with the member list and a page of history); history pages of 200. Meanwhile 5 bystanders from',
    `another address ping the server every 100 ms: how late the answers come, and how late the server's event loop`,
    'ran (its monitor, less its 20 ms sampling interval), show whether one address can stall everyone else.',
    '',
    attackTable(attacks),
    '',
    '## W5: reaction storm (SQLite)',
    '',
    'N people in one room (following reactions) each react once to the same message, spread over one second, most',
    "with the same emoji; every reaction's news goes to all N. Seconds run from the first reaction sent to the last",
    "news received; reactions/s and deliveries/s are over that time. Meanwhile W3's small room keeps talking.",
    '',
    reactionTable(reactions),
    '',
    '## W6: search (SQLite)',
    '',
    'N messages (a third each English, accented Latin and CJK, ~40 bytes) said in 20 rooms as fast as the server',
    'acks them (64 unanswered per room), each indexed in the transaction that stores it, while the small room of W3',
    'keeps talking. Then someone in every room searches 200 times, one after another, for a word in a third of the',
    `messages (${'`the`'}) and for one in one message of 100,000; the round trip of each, first page (20 hits). Sizes are read`,
    "after the server stops: the history's folder, and the index's own tables (SQLite's dbstat), per message.",
    '',
    searchTable(searches),
    '',
    '## W6 on a cluster: each node its own copy of the index',
    '',
    'The same fill on two nodes of a Redis cluster (writers spread over both; every process on the server CPU), once',
    "with each node keeping its copy of the index and once with none: the difference in a node's CPU per message",
    'is what its copy costs it, whatever the number of nodes. The searches are asked of the second node; then a',
    'third node starts with no copy and reads every message from Redis (seconds until its log says it caught up).',
    '',
    clusterSearchTable(clusterSearches),
    '',
    ...(baseline === undefined
      ? []
      : ['## A/B: W1 against the baseline build, in this run', '', abSummary(fanouts), '']),
  ].join('\n');
  console.log(`\n${markdown}`);
  if (values.only === undefined) {
    mkdirSync(resultsDir, { recursive: true });
    const name = quick ? 'quick' : 'latest';
    writeFileSync(join(resultsDir, `${name}.md`), markdown);
    writeFileSync(
      join(resultsDir, `${name}.json`),
      `${JSON.stringify({ started, commit, machine, pinned: pin, quick, fanout: fanouts, idle: idles, logins: storms, reactions, searches, clusterSearches, attacks }, null, 2)}\n`,
    );
    console.log(`Written to ${join('apps/loadgen/results', `${name}.md`)} and .json`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
