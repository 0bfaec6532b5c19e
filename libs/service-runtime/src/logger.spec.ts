import { Writable } from 'node:stream';
import { createLogger, lazyChild } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes one JSON line per event with service, level label, time and message', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'svc', destination }).child({ requestId: 'r-1' }).info({ n: 1 }, 'hello');
    expect(lines[0]).toMatchObject({ service: 'svc', level: 'info', requestId: 'r-1', n: 1, msg: 'hello' });
    expect(typeof lines[0].time).toBe('string');
  });

  it('redacts secrets, tokens, signatures and auth headers wherever they appear', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'svc', destination }).info(
      {
        token: 't',
        config: { secret: 's', apiKey: 'k' },
        headers: { authorization: 'Bearer x', 'stripe-signature': 't=1,v1=abc' },
        user: { password: 'p', name: 'ok' },
      },
      'sensitive',
    );
    const text = JSON.stringify(lines[0]);
    for (const leaked of ['Bearer x', 'v1=abc', '"s"', '"k"', '"p"', '"t"'])
      expect(text).not.toContain(leaked);
    expect(lines[0]).toMatchObject({ user: { name: 'ok', password: '[redacted]' } });
  });
});

describe('error logging', () => {
  it('says a wrapped cause once when the wrapper already quotes it', () => {
    const { lines, destination } = capture();
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const fm = new Error('model call failed: Error: socket hang up', { cause: reset });
    const job = new Error('model call failed: Error: socket hang up', { cause: fm });
    createLogger({ service: 'svc', destination }).warn({ err: job }, 'job attempt failed');
    expect((lines[0].err as { message: string }).message).toBe('model call failed: Error: socket hang up');
  });

  it('keeps a cause the wrapper does not mention', () => {
    const { lines, destination } = capture();
    const err = new Error('could not record the job', {
      cause: new Error('ResourceNotFoundException: table missing'),
    });
    createLogger({ service: 'svc', destination }).error({ err }, 'failed');
    expect((lines[0].err as { message: string }).message).toBe(
      'could not record the job: ResourceNotFoundException: table missing',
    );
  });
});

describe('lazyChild', () => {
  it('writes the same lines as child(), its own children included', () => {
    const eager = capture();
    const lazy = capture();
    const write = (logger: ReturnType<typeof createLogger>) => {
      logger.info({ n: 1 }, 'one');
      logger.child({ userId: 'u-1', token: 'secret-token' }).warn({ n: 2 }, 'two');
    };
    write(createLogger({ service: 'svc', destination: eager.destination }).child({ requestId: 'r-1' }));
    write(lazyChild(createLogger({ service: 'svc', destination: lazy.destination }), { requestId: 'r-1' }));
    const withoutTime = (lines: Record<string, unknown>[]) => lines.map(({ time: _time, ...rest }) => rest);
    expect(withoutTime(lazy.lines)).toEqual(withoutTime(eager.lines));
    expect(lazy.lines[1]).toMatchObject({ requestId: 'r-1', userId: 'u-1', token: '[redacted]', msg: 'two' });
  });

  it('builds no pino child until a line at an enabled level is written, then each once', () => {
    const { lines, destination } = capture();
    const parent = createLogger({ service: 'svc', level: 'warn', destination });
    const child = jest.spyOn(parent, 'child');
    const log = lazyChild(parent, { requestId: 'r-2' });
    const grandchild = log.child({ userId: 'u-2' });
    log.info('not written');
    grandchild.debug('not written');
    expect(child).not.toHaveBeenCalled();
    grandchild.error('written');
    log.warn('written too');
    grandchild.error('again');
    // The request's child and its grandchild (pino children inherit the spied method): once each.
    expect(child).toHaveBeenCalledTimes(2);
    expect(lines.map((l) => [l.msg, l.requestId, l.userId])).toEqual([
      ['written', 'r-2', 'u-2'],
      ['written too', 'r-2', undefined],
      ['again', 'r-2', 'u-2'],
    ]);
  });

  it("changes its own level, not its parent's", () => {
    const { lines, destination } = capture();
    const parent = createLogger({ service: 'svc', level: 'info', destination });
    const log = lazyChild(parent, { requestId: 'r-3' });
    log.level = 'error';
    log.info('dropped');
    parent.info('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
    expect(parent.level).toBe('info');
  });
});
