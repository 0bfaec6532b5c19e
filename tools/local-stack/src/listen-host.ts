import { Server } from 'node:net';

/**
 * Runs `start` with every `listen` on all interfaces (0.0.0.0 / ::) redirected to `host`. fauxqs 2.x
 * hard-codes `host: "0.0.0.0"` in startFauxqs (its `host` option only names queue URLs), which
 * would expose the local SQS to the network; this keeps it on the host the stack was asked for.
 * The patch is undone as soon as `start` settles.
 */
export async function withListenHost<T>(host: string, start: () => Promise<T>): Promise<T> {
  if (host === '0.0.0.0' || host === '::') return start();
  const original = Server.prototype.listen;
  const anyAddress = (h: unknown) => h === '0.0.0.0' || h === '::' || h === undefined;
  Server.prototype.listen = function patchedListen(this: Server, ...args: unknown[]) {
    const [first] = args;
    if (first && typeof first === 'object' && 'port' in first && anyAddress((first as { host?: string }).host)) {
      args[0] = { ...(first as object), host };
    }
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof Server.prototype.listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = original;
  }
}
