import { ephemeralRedisArgs, findRedisServer, probeRedis, startEphemeralRedis } from './redis';

describe('a throwaway redis-server', () => {
  it('asks for loopback only and no persistence', () => {
    expect(ephemeralRedisArgs(7001)).toEqual([
      '--port',
      '7001',
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
  });

  it('answers PING on a port of its own until it is stopped', async () => {
    // The machines this project runs on have redis-server (npm start and CI start it when Redis is down).
    expect(findRedisServer()).toBeDefined();
    const redis = await startEphemeralRedis();
    expect(redis?.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(redis?.url).not.toBe('redis://127.0.0.1:6379');
    expect(await probeRedis(redis!.url, 200)).toBe(true);
    await redis!.stop();
    expect(await probeRedis(redis!.url, 200)).toBe(false);
    await redis!.stop(); // twice is harmless
  });

  it('says so when the binary does not start a server', async () => {
    await expect(startEphemeralRedis('/bin/false')).rejects.toThrow(
      /redis-server did not answer on port \d+/,
    );
  });

  it('says so when the binary cannot be run at all', async () => {
    await expect(startEphemeralRedis('/nonexistent/redis-server')).rejects.toThrow(
      /redis-server did not answer on port \d+/,
    );
  });
});
