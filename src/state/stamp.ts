/** What identifies a state file's bytes as written: the caches kept beside it (ENC index, layout, plan memo) name it. */
import { statSync } from "node:fs";

/** The stamp of the file at `statePath`, or undefined when there is none: a rewrite by anyone moves its ctime and inode. */
export function stateStamp(statePath: string): string | undefined {
  try {
    const st = statSync(statePath, { bigint: true });
    return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  } catch {
    return undefined;
  }
}
