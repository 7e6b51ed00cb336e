// Graph's ?fields= selection: a node answers only the fields asked for, plus its id; a field the
// node does not have is error 100, as on Graph ("Tried accessing nonexisting field").
// Nested selections (throughput{level}) are read as the field itself: the sandbox's nodes are small.

export type FieldSelection = { ok: true; fields: string[] | null } | { ok: false; details: string };

/** null fields = the node's default set. */
export function parseFields(query: URLSearchParams, known: readonly string[], nodeType: string): FieldSelection {
  const raw = query.get('fields');
  if (raw === null || raw.trim() === '') return { ok: true, fields: null };
  const fields = [
    ...new Set(
      raw
        .replace(/\{[^}]*\}/g, '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = fields.find((f) => !known.includes(f));
  if (unknown !== undefined)
    return { ok: false, details: `Tried accessing nonexisting field (${unknown}) on node type (${nodeType})` };
  return { ok: true, fields };
}

/** The node reduced to `fields` (or `defaults`), id first; fields the node lacks are left out, as Graph does. */
export function pick(
  node: Record<string, unknown>,
  fields: string[] | null,
  defaults: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields ?? defaults) if (node[f] !== undefined) out[f] = node[f];
  out.id = node.id;
  return out;
}
