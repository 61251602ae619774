/** How values appear in plans: JSON for structure, secrets masked, long text shortened. */
import { maskSecrets } from "../secrets/secrets.js";

/** One value as shown in a field change. */
export function formatValue(v: unknown): string {
  if (v === undefined) return "(none)";
  const s = JSON.stringify(v) ?? String(v);
  const masked = maskSecrets(s);
  return masked;
}
