import type { TestProject } from 'vitest/node';
import { startRedis } from '@confab/test-kit';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set in the `cluster` project: test servers are nodes of a cluster on this Redis. */
    clusterRedisUrl: string;
  }
}

/** One redis-server for the whole `cluster` project run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('clusterRedisUrl', redis.url);
  return () => redis.stop();
}
