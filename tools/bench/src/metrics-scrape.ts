// One read of a service's Prometheus /metrics for the benches that report what the service counted.

/**
 * The text of `url`/metrics, read once; the returned function gives one sample's value: the first
 * `name` series (with labels containing `labelMatch`, e.g. `event="stale_context"`), NaN when absent.
 */
export async function scrapeMetrics(url: string): Promise<(name: string, labelMatch?: string) => number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (name, labelMatch = '') => {
    const labels = labelMatch ? `\\{[^}]*${escape(labelMatch)}[^}]*\\}` : '(?:\\{[^}]*\\})?';
    return Number(text.match(new RegExp(`^${escape(name)}${labels} ([0-9.e+-]+|NaN)$`, 'm'))?.[1] ?? NaN);
  };
}
