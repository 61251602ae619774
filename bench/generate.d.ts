/** Types of the bench fleet generator, for tests that build a fleet with it. */
export interface GenerateOptions {
  labDir: string;
  compat?: false | "plain" | "declared";
  cm?: boolean;
  lab?: boolean;
}
/** Writes a fleet of `n` systems into `dir`; returns the file holding the first system. */
export function generateStack(dir: string, n: number, opts: GenerateOptions): string;
/** Writes a fleet of `n` systems cloned from the lab's own (packages, external list, CM bindings) into `dir`; returns the file holding the first system. */
export function generateLabFleet(dir: string, n: number, opts: { labDir: string; cm?: boolean }): string;
