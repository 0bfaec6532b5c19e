import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { LocalStack } from '@manga-assist/local-stack';
import { startGateway, startStack, type Gateway } from './test-support/harness';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '../../../tmp/chat-gateway-browser.png');

/** Debian's chromium, installed on first use; undefined (test skipped loudly) only if that fails. */
function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  try {
    execSync('apt-get install -y chromium', { stdio: 'ignore', timeout: 300_000 });
  } catch {
    /* reported below */
  }
  return existsSync(CHROMIUM) ? CHROMIUM : undefined;
}

describe('web chat page in a real browser (playwright-core + Debian chromium)', () => {
  let stack: LocalStack;
  let gw: Gateway;
  let browser: Browser | undefined;
  let executable: string | undefined;

  beforeAll(async () => {
    executable = ensureChromium();
    stack = await startStack({ bedrock: { profile: 'demo', timeScale: 0.3 } });
    gw = await startGateway(stack, { REDIS_KEY_PREFIX: stack.redisKeyPrefix });
    if (executable) {
      browser = await chromium.launch({
        executablePath: executable,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    }
  }, 360_000);
  afterAll(async () => {
    await browser?.close();
    await gw.stop();
    await stack.stop();
  });

  it('sends 新刊マンガ🎉おすすめ! on a phone-sized screen and shows the answer as it streams', async () => {
    if (!browser) {
      const why = `chromium is not at ${CHROMIUM} and "apt-get install -y chromium" failed`;
      // In CI a missing prerequisite is a failure, never a silent pass; locally it is a loud skip.
      if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`browser test cannot run: ${why}`);
      console.warn(`SKIPPED browser test: ${why}`);
      return;
    }
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
    const frames: { type: string; text?: string }[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(JSON.parse(String(f.payload)))));
    await page.goto(gw.url);
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'online');
    expect(await page.textContent('#send')).toBe('送信');

    await page.fill('#input', '新刊マンガ🎉おすすめ!');
    await page.click('#send');
    await page.waitForSelector('.assistant[data-state="streaming"]');
    const partial = await page.textContent('.assistant');
    await page.waitForSelector('.assistant[data-state="done"]', { timeout: 15_000 });
    const answer = (await page.textContent('.assistant')) ?? '';
    await page.screenshot({ path: (mkdirSync(join(SCREENSHOT, '..'), { recursive: true }), SCREENSHOT), fullPage: true });

    expect(await page.textContent('.user')).toBe('新刊マンガ🎉おすすめ!');
    const deltas = frames.filter((f) => f.type === 'delta');
    const final = frames.find((f) => f.type === 'final');
    expect(deltas.length).toBeGreaterThan(1);
    expect(final?.text && answer.startsWith(final.text)).toBe(true);
    expect(partial && partial.length < answer.length).toBe(true);
    // The layout fits a phone: nothing wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  }, 60_000);
});
