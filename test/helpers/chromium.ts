import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tempDir } from './cli.js';
import { chromiumPath } from './tools.js';

/** Headless Chromium that asks nothing of the network and keeps its profile in a temporary folder. */
function run(args: string[]): string {
  const chromium = chromiumPath();
  if (!chromium) throw new Error('Debian chromium must be installed (.ci/run installs it)');
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${tempDir('llm-tutor-chromium-')}`];
  return execFileSync(chromium, [...flags, ...args], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
}

/** The DOM of an HTML file, serialised after Chromium loaded it (opened at `#fragment` when given). */
export function dumpDom(file: string, fragment = ''): string {
  return run(['--window-size=1280,900', '--virtual-time-budget=5000', '--dump-dom', `file://${file}${fragment}`]);
}

/** A screenshot of an HTML file at 1280 × 900, opened at `#fragment` when given. */
export function screenshot(file: string, png: string, fragment = ''): void {
  run([`--screenshot=${png}`, '--window-size=1280,900', `file://${file}${fragment}`]);
}

const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&amp;': '&', '&nbsp;': '\u00a0' };

/**
 * Runs `probe`, the body of a function returning a JSON value, in an HTML
 * file laid out at 1280 × 900 (opened at `#fragment` when given) once it has
 * loaded, and returns that value. The probe runs in a copy of the file
 * without its Content-Security-Policy, which lets no script run.
 */
export async function probeInChromium<T>(file: string, probe: string, fragment = ''): Promise<T> {
  const copy = path.join(tempDir('llm-tutor-probe-'), path.basename(file));
  const html = (await fs.readFile(file, 'utf8')).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  const script = `<script>addEventListener('load', () => { const out = document.createElement('pre'); out.id = 'probe-result'; out.textContent = JSON.stringify((() => { ${probe} })()); document.body.append(out); });</script>`;
  await fs.writeFile(copy, html.replace('</body>', `${script}</body>`));
  const found = /<pre id="probe-result">([^<]*)<\/pre>/.exec(dumpDom(copy, fragment));
  if (!found) throw new Error(`the probe left no result in ${copy}`);
  return JSON.parse(found[1].replace(/&(lt|gt|quot|amp|nbsp);/g, (e) => entities[e])) as T;
}
