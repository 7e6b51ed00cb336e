// The layout rules of DESIGN §9, checked on the imports of src/: core ← adapters (journal, whatsapp,
// webhook, sandbox, csv, threads, config, report, notify, metrics) ← cli ← main. No cycles between folders or files;
// `process` only in src/cli (and bin/).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static and dynamic), as paths under src/; `runtimeOnly` leaves out `import type`. */
function importsOf(file: string, runtimeOnly = false): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(import|export)(\s+type)?\s[^'"`;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)]
    .filter((m) => !(runtimeOnly && m[2]))
    .map((m) => m[3] ?? m[4]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The layer of a file: its top folder under src/ (main.ts is its own). */
const layerOf = (rel: string) => (rel.includes('/') ? rel.split('/')[0]! : rel.replace(/\.ts$/, ''));

const files = sourceFiles(SRC).map((f) => relative(SRC, f));
const graph = new Map(files.map((f) => [f, importsOf(join(SRC, f))]));

const ADAPTERS = ['journal', 'whatsapp', 'webhook', 'sandbox', 'csv', 'threads', 'config', 'report', 'notify', 'metrics', 'net'];
/** Who may import whom (besides itself). Adapters may use each other where DESIGN allows it (the
 * sandbox speaks the wire format of whatsapp and signs like webhook), never upwards. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  journal: ['core'],
  whatsapp: ['core'],
  webhook: ['core', 'whatsapp', 'net'],
  sandbox: ['core', 'whatsapp', 'webhook', 'net'],
  csv: ['core'],
  threads: ['core'],
  // A profile's notify target is checked by the notifier's own parser.
  config: ['core', 'notify'],
  report: ['core'],
  notify: ['core'],
  // prom-client, the textfile and the scrape endpoint: the journal's samples come from core.
  metrics: ['core', 'net'],
  // node:http plumbing the servers share; imports nothing of ours.
  net: [],
  cli: ['core', ...ADAPTERS],
  main: ['cli', 'core'],
};

describe('architecture (DESIGN §9)', () => {
  it('every folder of src/ has a place in the layering', () => {
    expect([...new Set(files.map(layerOf))].filter((l) => !(l in ALLOWED))).toEqual([]);
  });

  it('imports only point down the layers: core ← adapters ← cli ← main', () => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      for (const target of imports) {
        const to = layerOf(target);
        if (to !== from && !ALLOWED[from]!.includes(to)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the folders form no cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const [a, b] = [layerOf(file), layerOf(target)];
        if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
      }
    }
    expect(findCycle(edges)).toBeNull();
  });

  it('the files form no cycle (type-only imports left out: they do not exist at run time)', () => {
    const edges = new Map(files.map((f) => [f, new Set(importsOf(join(SRC, f), true))]));
    expect(findCycle(edges)).toBeNull();
  });

  it('`process` is used only in src/cli (argv, env, signals, exit codes live there and in bin/)', () => {
    const code = (f: string) => readFileSync(join(SRC, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const offenders = files.filter((f) => layerOf(f) !== 'cli' && /\bprocess\./.test(code(f)));
    expect(offenders).toEqual([]);
  });

  it('nothing outside src/journal imports a journal adapter (only the factory)', () => {
    const wrong = [...graph].flatMap(([file, imports]) =>
      layerOf(file) === 'journal'
        ? []
        : imports.filter((t) => t.startsWith('journal/') && t !== 'journal/index.ts').map((t) => `${file} → ${t}`),
    );
    expect(wrong).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    expect(
      findCycle(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['c'])],
          ['c', new Set(['a'])],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
  });
});

function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}
