// Loaded with --require by the benchmark: reports the process's peak RSS when it exits.
process.on("exit", () => {
  const file = process.env.BOOTPLAN_BENCH_RSS_FILE;
  if (file) require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
