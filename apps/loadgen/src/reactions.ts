import net from 'node:net';
import { cpuSeconds } from './proc.js';
import { eventLoopDelay, startChat } from './probes.js';
import { startServer } from './servers.js';
import { nowMs } from './stats.js';

/** One reaction storm (W5). */
export interface ReactionStormResult {
  label: string;
  workload: 'W5';
  people: number;
  /** Reactions sent, and how long from the first sent to the last one's news reaching everyone. */
  reactions: number;
  seconds: number;
  /** Reactions the server took in, applied, numbered, stored and relayed, a second. */
  reactionsPerSecond: number;
  /** `reaction` frames received by all the people together, and a second. */
  deliveries: number;
  deliveriesPerSecond: number;
  /** What the news of each reaction should have reached, less what did. */
  lost: number;
  /** How late the server's event loop ran during the storm. */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** A room kept talking meanwhile (W1's chat, small: a message every 10 ms to 5 readers). */
  chatLost: number;
  chatP99Ms: number;
  serverCpuSeconds: number;
}

/** The storm's emoji: most give the same, as a room does, a few others. */
const EMOJI = ['👍', '👍', '👍', '🎉', '❤️'];
/** The reactions are sent over this long: "within a second". */
const SPREAD_MS = 1_000;
/** Connections opened at once while the room fills. */
const CONNECTING = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A person in the room who follows reactions, counting the `reaction` frames that come. */
interface Person {
  socket: net.Socket;
  reactions: number;
}

/** Connects one person (feature `reactions`) and resolves once their join replay came. */
function join(port: number, name: string): Promise<Person> {
  return new Promise((resolve, reject) => {
    const person: Person = { socket: net.connect({ port, host: '127.0.0.1' }), reactions: 0 };
    const { socket } = person;
    let partial = '';
    let joined = false;
    socket.once('connect', () =>
      socket.write(
        `${JSON.stringify({ type: 'hello', version: 1, name, features: ['reactions'] })}\n`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      // Counted without parsing: the frames are the server's, one a line.
      const lines = (partial + chunk.toString('latin1')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{"type":"reaction"')) person.reactions++;
        else if (!joined && line.startsWith('{"type":"history"')) {
          joined = true;
          resolve(person);
        }
      }
    });
    socket.once('error', reject);
  });
}

/**
 * W5: `people` in one room, each reacting once to the same message within a
 * second (most with the same emoji), while a small room keeps talking.
 * Reports how fast the server took the reactions in and sent their news to
 * everyone, whether any news was lost, and what the storm did to the chat.
 */
export async function runReactionStorm(people: number, pin: boolean): Promise<ReactionStormResult> {
  const server = await startServer('confab', { pin });
  const room: Person[] = [];
  try {
    for (let i = 0; i < people; i += CONNECTING)
      room.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(CONNECTING, people - i) }, (_, j) =>
            join(server.port, `fan${i + j}`),
          ),
        )),
      );
    // The message everyone reacts to.
    const poster = room[0]!.socket;
    const id = await new Promise<string>((resolve) => {
      const onData = (chunk: Buffer) => {
        const ack = /"type":"ack"[^\n]*"id":"([^"]+)"/.exec(chunk.toString('latin1'));
        if (!ack) return;
        poster.off('data', onData);
        resolve(ack[1]!);
      };
      poster.on('data', onData);
      poster.write('{"type":"say","room":"#general","text":"react to this","ref":"storm"}\n');
    });
    const chat = await startChat(server.port);
    await sleep(500);
    chat.start();
    await eventLoopDelay(server.port);
    const cpuBefore = cpuSeconds(server.pid);
    const started = nowMs();
    // Each person once, spread evenly over the second.
    const perTick = Math.max(1, Math.ceil(people / SPREAD_MS));
    for (let next = 0; next < people;) {
      for (const person of room.slice(next, next + perTick)) {
        const emoji = EMOJI[next % EMOJI.length]!;
        person.socket.write(`${JSON.stringify({ type: 'react', room: '#general', id, emoji })}\n`);
        next++;
      }
      await sleep(1);
    }
    // Every person hears every reaction (its own too).
    const expected = people * people;
    const total = () => room.reduce((sum, person) => sum + person.reactions, 0);
    const deadline = nowMs() + 60_000;
    let last = -1;
    let lastChange = nowMs();
    while (total() < expected && nowMs() < deadline) {
      const now = total();
      if (now !== last) [last, lastChange] = [now, nowMs()];
      // Nothing more for 5 s: what is missing is lost.
      if (nowMs() - lastChange > 5_000) break;
      await sleep(5);
    }
    const seconds = (nowMs() - started) / 1000;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const delay = await eventLoopDelay(server.port);
    const talk = await chat.finish();
    const deliveries = total();
    return {
      label: `W5 reaction storm, ${people.toLocaleString('en-US')} people`,
      workload: 'W5',
      people,
      reactions: people,
      seconds,
      reactionsPerSecond: people / seconds,
      deliveries,
      deliveriesPerSecond: deliveries / seconds,
      lost: expected - deliveries,
      eventLoopP99Ms: delay.p99Ms,
      eventLoopMaxMs: delay.maxMs,
      chatLost: talk.lost,
      chatP99Ms: talk.latency.quantile(0.99),
      serverCpuSeconds: cpu,
    };
  } finally {
    for (const person of room) person.socket.destroy();
    await server.stop();
  }
}
