// Pages of immutable content (a program's or a library's file bytes), made once and shared
// by every private mapping of the same bytes, in every process and every run that maps them:
// mapping copies nothing, and the decoded code hanging off a page is decoded once. The cache
// holds a reference of its own, so a write through any mapping copies the page first.

import { Page, PAGE_SIZE } from './memory.ts';

const cache = new WeakMap<Uint8Array, (Page | undefined)[]>();

/** Page `index` of `bytes` (zero past the end). `bytes` must never change afterwards. */
export function contentPage(bytes: Uint8Array, index: number): Page {
  let pages = cache.get(bytes);
  if (pages === undefined) {
    pages = new Array(Math.ceil(bytes.length / PAGE_SIZE));
    cache.set(bytes, pages);
  }
  let page = pages[index];
  if (page === undefined) {
    const start = index * PAGE_SIZE;
    page = new Page();
    page.u8.set(bytes.subarray(start, start + PAGE_SIZE));
    pages[index] = page;
  }
  return page;
}
