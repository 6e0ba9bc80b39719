// A readable difference between a golden file and what the code produces now: the first
// region where they differ (common prefix and suffix trimmed), with a few lines of context,
// in the usual -/+ form. Enough to see what changed; the full files are a `git diff` away.

const CONTEXT = 3;
/** Lines shown of each side of the differing region. */
const SHOWN = 12;

export function lineDiff(expected: string, actual: string, labels = { expected: 'golden', actual: 'now' }): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  if (start === a.length && start === b.length) return '';
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out = [`--- ${labels.expected}`, `+++ ${labels.actual}`, `@@ line ${start + 1}: ${endA - start} line(s) -> ${endB - start} line(s) @@`];
  for (let i = Math.max(0, start - CONTEXT); i < start; i++) out.push(`  ${a[i]}`);
  const side = (lines: string[], from: number, to: number, mark: string): void => {
    for (let i = from; i < Math.min(to, from + SHOWN); i++) out.push(`${mark} ${lines[i]}`);
    if (to - from > SHOWN) out.push(`${mark} ... ${to - from - SHOWN} more`);
  };
  side(a, start, endA, '-');
  side(b, start, endB, '+');
  for (let i = endA; i < Math.min(a.length, endA + CONTEXT); i++) out.push(`  ${a[i]}`);
  return out.join('\n');
}
