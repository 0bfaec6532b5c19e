/**
 * IP literals and CIDR blocks as aws/event-ruler reads them (CIDR.java): a string is an address
 * only if it looks like one (`[0-9]+(\.[0-9]+){3}` or hex digits and colons) AND Java's
 * InetAddress parses it; IPv4-mapped IPv6 (`::ffff:a00:1`) is the IPv4 address, as in Java.
 * Choice where the engine is silent: leading zeros in IPv4 parts are not an address (current
 * JDKs refuse such ambiguous literals), and an IPv4 block never contains an IPv6 address.
 */
export interface IpRange {
  family: 4 | 16;
  low: bigint;
  high: bigint;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

const looksLikeIp = (text: string) => IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);

export function parseIp(text: string): number[] | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const bytes: number[] = [];
  for (const part of text.split('.')) {
    if (part.length > 3 || (part.length > 1 && part.startsWith('0'))) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  if (halves.length === 1 ? all.length !== 8 : all.length > 7) return undefined;
  const words = [...head.map(hex), ...Array<number>(8 - all.length).fill(0), ...tail.map(hex)];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

const hex = (group: string) => parseInt(group, 16);
const toBigInt = (bytes: number[]) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

export function ipAsRange(bytes: number[]): IpRange {
  const value = toBigInt(bytes);
  return { family: bytes.length as 4 | 16, low: value, high: value };
}

/** `a.b.c.d/n` or `v6/n`; throws with the engine's message when malformed. */
export function parseCidr(text: string): IpRange {
  const slashed = text.split('/');
  while (slashed.length > 1 && slashed[slashed.length - 1] === '') slashed.pop(); // Java's split drops trailing empties
  if (slashed.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  if (!/^[+-]?[0-9]+$/.test(slashed[1])) throw new Error('Malformed CIDR, mask bits must be an integer');
  const maskBits = Number(slashed[1]);
  if (Math.abs(maskBits) > 2 ** 31 - 1) throw new Error('Malformed CIDR, mask bits must be an integer'); // Java int
  if (maskBits < 0) throw new Error('Malformed CIDR, mask bits must not be negative');
  const bytes = parseIp(slashed[0]);
  if (!bytes) {
    throw new Error(
      looksLikeIp(slashed[0]) ? `Invalid IP address: ${slashed[0]}` : `Nonstandard IP address: ${slashed[0]}`,
    );
  }
  // The engine's bounds (CIDR.java): /32 and /128 are refused; a single address is written without a mask.
  if (bytes.length === 4 && maskBits > 31) throw new Error('IPv4 mask bits must be < 32');
  if (bytes.length === 16 && maskBits > 127) throw new Error('IPv6 mask bits must be < 128');
  const width = BigInt(bytes.length * 8);
  const hostBits = width - BigInt(maskBits);
  const hostMask = (1n << hostBits) - 1n;
  const value = toBigInt(bytes);
  return { family: bytes.length as 4 | 16, low: value & ~hostMask, high: value | hostMask };
}

export function ipInRange(bytes: number[], range: IpRange): boolean {
  if (bytes.length !== range.family) return false;
  const value = toBigInt(bytes);
  return value >= range.low && value <= range.high;
}
