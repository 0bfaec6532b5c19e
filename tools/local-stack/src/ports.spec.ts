import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { firstBusyPort, freePort, localPorts, portOffsetFromEnv } from './ports';

describe('npm start ports', () => {
  it('PORT_OFFSET moves every port by the same amount', () => {
    expect(localPorts(0)['chat-gateway']).toBe(3000);
    const moved = localPorts(100);
    expect(moved).toMatchObject({ 'chat-gateway': 3100, dynamodb: 8100, sqs: 9424, 'webhook-sink': 4130 });
  });

  it('reads PORT_OFFSET once and refuses nonsense with one line', () => {
    expect(portOffsetFromEnv({})).toBe(0);
    expect(portOffsetFromEnv({ PORT_OFFSET: '200' })).toBe(200);
    expect(() => portOffsetFromEnv({ PORT_OFFSET: '-1' })).toThrow(
      'PORT_OFFSET must be an integer from 0 to 50000, got "-1"',
    );
    expect(() => portOffsetFromEnv({ PORT_OFFSET: 'abc' })).toThrow(/PORT_OFFSET/);
  });

  it('names the port that is already in use', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as AddressInfo).port;
    try {
      const free = await firstBusyPort({ dynamodb: 0 });
      expect(free).toBeUndefined();
      expect(await firstBusyPort({ dynamodb: 0, 'chat-gateway': taken })).toEqual({
        name: 'chat-gateway',
        port: taken,
        code: 'EADDRINUSE',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('finds a port a server can listen on right after', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await firstBusyPort({ dynamodb: port })).toBeUndefined();
  });
});
