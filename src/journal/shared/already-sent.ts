// The already-sent guard (src/core/rules/message-identity.ts) as a SQL condition on a recipients row
// `r`, for both SQL adapters: the identical message was accepted for that person since `since`, or
// may have been (a request in flight, or an unknown outcome). `since` is the adapter's placeholder.
export function sentSinceSql(r: string, since: string): string {
  return `((${r}.state IN ('sent', 'delivered', 'read') AND ${r}.sent_at >= ${since})
    OR (${r}.state = 'failed' AND ${r}.wamid IS NOT NULL AND ${r}.sent_at >= ${since})
    OR (${r}.state IN ('sending', 'unknown') AND ${r}.updated_at >= ${since}))`;
}
