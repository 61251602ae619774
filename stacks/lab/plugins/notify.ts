/**
 * notify: after a machine's boot config and answer file are written, POST a JSON event to a webhook
 * (chat, ticketing, an inventory). The URL comes from `options.url`, or from the environment variable
 * named by `options.urlEnv`; with neither set the hook does nothing, so the lab applies offline.
 * Each attempt has its own timeout; failures (network, HTTP 5xx) are retried with a growing pause.
 */
import { definePlugin } from "bootplan/plugin";

interface Options {
  url?: string;
  urlEnv: string;
  attempts: number;
  attemptTimeoutMs: number;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

export default definePlugin<Options>({
  name: "notify",
  version: "1.0.0",
  description: "POSTs a JSON event to a webhook after each machine is provisioned",
  appliesTo: {},
  timeouts: { afterProvision: 30_000 },
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      url: { type: "string", pattern: "^https?://" },
      urlEnv: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$", default: "BOOTPLAN_NOTIFY_URL" },
      attempts: { type: "integer", minimum: 1, maximum: 10, default: 3 },
      attemptTimeoutMs: { type: "integer", minimum: 1, default: 5000 },
    },
  },

  async afterProvision(ctx) {
    const url = ctx.options.url ?? ctx.env[ctx.options.urlEnv];
    if (!url) return `skipped: no webhook URL (set ${ctx.options.urlEnv})`;
    const event = {
      event: "provisioned", stack: ctx.stack, address: ctx.address, action: ctx.action,
      system: { name: ctx.system.name, hostname: ctx.system.hostname, profile: ctx.system.profile, distro: ctx.system.distro },
    };
    const target = new URL(url).host;
    let last = "";
    for (let attempt = 1; attempt <= ctx.options.attempts; attempt++) {
      if (attempt > 1) await pause(200 * 2 ** (attempt - 2), ctx.signal);
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(event),
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.options.attemptTimeoutMs)]),
        });
        await res.arrayBuffer();
        if (res.ok) return `posted to ${target} (HTTP ${res.status}, attempt ${attempt})`;
        last = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) break; // the request itself is wrong: retrying will not help
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        last = (err as Error).name === "TimeoutError" ? `no answer within ${ctx.options.attemptTimeoutMs} ms` : String((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      }
    }
    throw new Error(`webhook ${target} failed: ${last}`);
  },
});
