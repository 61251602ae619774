/** How the plan describes a system's replacement: the path a reinstall takes, or who has to act. */

/** The reinstall path of a system with ssh, as the plan shows it. */
export function reinstallPath(inputs: Record<string, unknown>): string | undefined {
  if (!inputs.ssh) return undefined;
  const method = (inputs.reinstall as { method?: string } | undefined)?.method;
  return method === "kexec" ? "reinstall via helper: kexec" : "reinstall via helper: grub one-shot";
}

/** Reason and notes of a system's replace: why (`replaces`), and how the machine gets reinstalled. */
export function systemReplace(replaces: string[], inputs: Record<string, unknown>): { reason: string; notes: string[] } {
  const why = replaces.includes("--replace") ? "requested with --replace" : `${replaces.join(", ")} changed`;
  const path = reinstallPath(inputs);
  if (path) return { reason: path, notes: [`reinstall because ${why}`] };
  return {
    reason: `reinstall: ${why}`,
    notes: ["no ssh: its boot files change, and someone must reboot it into the network to reinstall it"],
  };
}
