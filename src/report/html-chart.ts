import { t } from '../i18n/i18n.js';
import { escapeHtml } from './escape.js';

/** An exercise's pass rate: the submissions that pass it, out of those graded on it. */
export interface PassRate {
  key: string;
  passed: number;
  total: number;
}

/** The bar's colour class: `good` from 80%, `fair` from 50%, `poor` below. */
function band(rate: number): 'good' | 'fair' | 'poor' {
  return rate >= 0.8 ? 'good' : rate >= 0.5 ? 'fair' : 'poor';
}

/** The label beside a bar: "50% (2/4)". */
export function rateLabel(r: PassRate): string {
  const rate = r.total ? r.passed / r.total : 0;
  return `${Math.round(rate * 100)}% (${r.passed}/${r.total})`;
}

function chartRow(r: PassRate): string {
  const rate = r.total ? r.passed / r.total : 0;
  return `<tr><th scope="row">${escapeHtml(r.key)}</th><td class="track" aria-hidden="true"><span class="bar ${band(rate)}" style="width:${(rate * 100).toFixed(1)}%"></span></td><td class="rate">${rateLabel(r)}</td></tr>`;
}

/**
 * Pass rate per exercise as a bar chart laid out by an HTML table: the
 * exercise and rate columns are as wide as their text and never wrap, so a
 * label cannot be cut at the chart's edge however long it is; the bars share
 * a track of fixed width. A screen reader reads each row as "exercise, rate".
 */
export function renderChart(rates: PassRate[]): string {
  const [good, fair, poor] = ['<span class="swatch good"></span>', '<span class="swatch fair"></span>', '<span class="swatch poor"></span>'];
  return `<table id="pass-rate-chart" class="chart"><caption>${t`The submissions that pass each exercise, of those graded on it`}</caption><tbody>${rates.map(chartRow).join('')}</tbody></table>
<p class="legend" id="chart-legend">${t`Bars: ${good} 80% or more · ${fair} 50% to 79% · ${poor} under 50%.`}</p>`;
}

/** The chart's styles, for the page's one `<style>` element. */
export const chartStyles = `
  table.chart { border: 0; }
  table.chart caption { caption-side: top; text-align: left; color: #666; padding-bottom: 0.25rem; }
  table.chart th, table.chart td { border: 0; background: none; padding: 0.15rem 0.5rem; white-space: nowrap; font-weight: normal; }
  table.chart th { text-align: right; }
  table.chart td.track { width: 28rem; min-width: 8rem; padding: 0; background: #eee; }
  .bar { display: block; height: 1.1rem; }
  .good { background: #2e7d32; } .fair { background: #f9a825; } .poor { background: #c62828; }
  .swatch { display: inline-block; width: 0.9rem; height: 0.9rem; vertical-align: -0.1rem; }`;
