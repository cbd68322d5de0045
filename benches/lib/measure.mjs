// Shared helpers for benches: time a function many times, report medians and ratios against a
// baseline measured in the same run. Numbers are only comparable within one run.
import { performance } from "node:perf_hooks";

/** Percentile (0..1) of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index];
}

/** The { name, samples, median, p90, min } row of `printTable` for raw timings (ms). */
export function summarize(name, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    samples: sorted,
    median: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    min: sorted[0],
  };
}

/**
 * Runs `fn` `warmup` times, then `iterations` times, timing each run (ms).
 * `fn` may be async. Returns { name, samples, median, p90, min }.
 */
export async function measure(name, fn, { iterations = 200, warmup = 20 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return summarize(name, samples);
}

function formatMs(ms) {
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} us`;
  if (ms < 1) return `${(ms * 1000).toFixed(1)} us`;
  return `${ms.toFixed(2)} ms`;
}

/**
 * Prints a Markdown table of results; `ratio` is each median over the baseline's median.
 * `baseline` is the name of one of the rows.
 */
export function printTable(title, results, baseline) {
  const base = results.find((result) => result.name === baseline);
  const lines = [
    `\n### ${title}`,
    "",
    "| case | median | p90 | min | runs | ratio to baseline |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const result of results) {
    const ratio = base ? (result.median / base.median).toFixed(2) + "x" : "-";
    lines.push(
      `| ${result.name}${result.name === baseline ? " (baseline)" : ""} | ${formatMs(result.median)} | ${formatMs(result.p90)} | ${formatMs(result.min)} | ${result.samples.length} | ${ratio} |`,
    );
  }
  console.log(lines.join("\n"));
}
