// Decode and encode throughput of the protocol codec, for 100-byte and 4 KiB
// messages. Run with `pnpm bench` (after a build). Prints a markdown table.
import { NdjsonDecoder, encodeFrame, validateClientFrame } from '../dist/index.js';

// `pnpm bench --quick` passes --quick: shorter rows.
const SECONDS = Number(process.env.BENCH_SECONDS ?? (process.argv.includes('--quick') ? 0.5 : 1.5));

function frameWithText(bytes) {
  const base = { type: 'say', room: '#general', text: '', ref: '12345' };
  const overhead = JSON.stringify(base).length + 1;
  return { ...base, text: 'x'.repeat(Math.max(1, bytes - overhead)) };
}

function measure(run) {
  // Warm up, then run for a fixed time; returns operations per second.
  for (let i = 0; i < 2000; i++) run();
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) run();
    count += 200;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

const rows = [];
for (const size of [100, 4096]) {
  const frame = frameWithText(size);
  const line = encodeFrame(frame);
  // A 64 KiB chunk of back-to-back lines, as a busy socket delivers them.
  const perChunk = Math.max(1, Math.floor(65536 / line.length));
  const chunk = new Uint8Array(perChunk * line.length);
  for (let i = 0; i < perChunk; i++) chunk.set(line, i * line.length);
  const decoder = new NdjsonDecoder();
  let frames = 0;
  const sink = {
    frame: () => frames++,
    error: () => {
      throw new Error('unexpected decode error');
    },
  };
  const decodeChunksPerSec = measure(() => decoder.push(chunk, sink));
  const validatingSink = { frame: (raw) => validateClientFrame(raw), error: sink.error };
  const decodeValidateChunksPerSec = measure(() => decoder.push(chunk, validatingSink));
  const encodePerSec = measure(() => encodeFrame(frame));
  const mb = (perSec, bytes) => ((perSec * bytes) / 1e6).toFixed(0);
  rows.push([
    `decode ${size} B`,
    Math.round(decodeChunksPerSec * perChunk),
    mb(decodeChunksPerSec, chunk.length),
  ]);
  rows.push([
    `decode+validate ${size} B`,
    Math.round(decodeValidateChunksPerSec * perChunk),
    mb(decodeValidateChunksPerSec, chunk.length),
  ]);
  rows.push([`encode ${size} B`, Math.round(encodePerSec), mb(encodePerSec, line.length)]);
}

console.log(`\n@confab/protocol codec, Node ${process.version}, ${SECONDS}s per row\n`);
console.log('| operation | frames/s | MB/s |');
console.log('| --- | ---: | ---: |');
for (const [name, fps, mbps] of rows)
  console.log(`| ${name} | ${fps.toLocaleString('en-US')} | ${mbps} |`);
