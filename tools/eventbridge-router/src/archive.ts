import { createReadStream, createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { EventEnvelope } from '@manga-assist/event-schemas';

/**
 * The bus archive: every accepted event, in memory (bounded: the oldest are dropped from memory
 * past `memoryLimit`) and, when a path is given, appended to a JSONL file that survives restarts.
 */
export interface Archive {
  append(envelope: EventEnvelope): Promise<void>;
  /** Events in memory, oldest first. */
  list(): EventEnvelope[];
  /** Every event: from the file when there is one (all of them), else from memory. */
  readAll(): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

export function createArchive({
  path,
  memoryLimit = 10_000,
}: {
  path?: string;
  memoryLimit?: number;
}): Archive {
  const memory: EventEnvelope[] = [];
  if (path) mkdirSync(dirname(path), { recursive: true });
  let stream: WriteStream | undefined = path ? createWriteStream(path, { flags: 'a' }) : undefined;

  return {
    async append(envelope) {
      memory.push(envelope);
      if (memory.length > memoryLimit) memory.splice(0, memory.length - memoryLimit);
      if (stream) {
        const line = `${JSON.stringify(envelope)}\n`;
        await new Promise<void>((resolve, reject) =>
          stream!.write(line, (error) => (error ? reject(error) : resolve())),
        );
      }
    },
    list: () => [...memory],
    async readAll() {
      if (!path || !existsSync(path)) return [...memory];
      const events: EventEnvelope[] = [];
      const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) if (line.trim()) events.push(JSON.parse(line) as EventEnvelope);
      return events;
    },
    async close() {
      const s = stream;
      stream = undefined;
      if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
    },
  };
}
