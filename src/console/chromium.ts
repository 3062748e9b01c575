import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install chromium): playwright-core drives it and downloads no browser. */
export const CHROMIUM = process.env.GAMEPIPE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless chromium with a fresh temporary profile (playwright's default), and nothing that reaches
 * the network by itself: the console must work offline, and the browser tests must not wait on it.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
