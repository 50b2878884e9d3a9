import { defineConfig } from 'vitest/config';

/** The protocol's integration tests, run a second time against a node of a two-node cluster. */
const PROTOCOL_TESTS = [
  'test/chat.test.ts',
  'test/limits.test.ts',
  'test/history.test.ts',
  'test/tls.test.ts',
  'test/plain-text.test.ts',
  'test/accounts-chat.test.ts',
  'test/lookalikes.test.ts',
  'test/attack-replay.test.ts',
  'test/attack-fairness.test.ts',
  'test/attack-http.test.ts',
  'test/attack-floods.test.ts',
  'test/guest-return.test.ts',
  'test/attack-frames.test.ts',
  'test/rooms.test.ts',
  'test/rooms-security.test.ts',
  'test/typing.test.ts',
  'test/replies.test.ts',
  'test/reactions.test.ts',
  'test/edits.test.ts',
  'test/direct-changes.test.ts',
  'test/read-markers.test.ts',
  'test/search.test.ts',
];

export default defineConfig({
  test: {
    // Real servers on real ports: give slow machines room, and keep files apart.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'single' } },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: PROTOCOL_TESTS,
          globalSetup: ['test/cluster-setup.ts'],
        },
      },
    ],
  },
});
