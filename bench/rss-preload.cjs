// Loaded with --require by the benchmark: reports the process's peak RSS (bytes) and CPU time (ms) when it exits.
process.on("exit", () => {
  const file = process.env.BOOTPLAN_BENCH_RSS_FILE;
  if (!file) return;
  const u = process.resourceUsage();
  require("node:fs").writeFileSync(file, `${u.maxRSS * 1024} ${(u.userCPUTime + u.systemCPUTime) / 1000}`);
});
