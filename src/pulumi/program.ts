/**
 * The stack as a Pulumi program: the same desired resources and providers, run by Pulumi's engine.
 * For users who have the Pulumi CLI (none can be installed from the registries bootplan uses, so
 * bootplan's own engine stays the default). Use it with the Automation API:
 *
 *   const program = bootplanProgram("stacks/lab");
 *   const stack = await LocalWorkspace.createOrSelectStack({ projectName: "lab", stackName: "dev", program });
 *   await stack.up();
 */
import * as pulumi from "@pulumi/pulumi";
import { buildDesiredResources, secretsNeeded } from "../graph/build.js";
import { PROVIDERS } from "../providers/index.js";
import { RUNTIME_INPUT, SECRET_INPUT } from "../providers/types.js";
import { readSecrets, stateDigester } from "../secrets/secrets.js";
import { loadStack } from "../stack/load.js";
import { loadPlugins, type LoadedPlugin } from "../plugins/load.js";

/** A bootplan resource under Pulumi: a dynamic resource typed `bootplan:<kind>:Resource`. */
class BootplanResource extends pulumi.dynamic.Resource {
  constructor(kind: string, address: string, inputs: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions) {
    super(PROVIDERS[kind], address, inputs, opts, "bootplan", kind);
  }
}

/** Orders resources so that each comes after everything it depends on. */
export function dependencyOrder<T extends { address: string; dependsOn: string[] }>(items: T[]): T[] {
  const byAddress = new Map(items.map((r) => [r.address, r]));
  const out: T[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (r: T): void => {
    if (state.get(r.address) === "done") return;
    if (state.get(r.address) === "visiting") throw new Error(`dependency cycle through ${r.address}`);
    state.set(r.address, "visiting");
    for (const d of r.dependsOn) {
      const dep = byAddress.get(d);
      if (dep) visit(dep);
    }
    state.set(r.address, "done");
    out.push(r);
  };
  items.forEach(visit);
  return out;
}

/**
 * Declares one dynamic resource per bootplan resource, with the same dependencies; call inside a Pulumi
 * program. `plugins` (from loadPlugins) shape the output as in a bootplan plan; their apply-time hooks
 * do not run under Pulumi's engine.
 */
export function declareBootplanResources(stackDir: string, env: NodeJS.ProcessEnv = process.env, plugins: LoadedPlugin[] = []): Map<string, pulumi.dynamic.Resource> {
  const stack = loadStack(stackDir);
  const secrets = readSecrets(stack, secretsNeeded(stack), env);
  const desired = buildDesiredResources(stack, { secrets, digest: stateDigester(stack.state.path, env), plugins });
  const created = new Map<string, pulumi.dynamic.Resource>();
  for (const r of dependencyOrder(desired)) {
    const values = Object.fromEntries(r.secretNames.map((n) => [n, secrets[n]]));
    // Plain JSON for Pulumi: the graph builds some maps without prototypes, which Pulumi cannot print.
    const inputs: Record<string, pulumi.Input<unknown>> = JSON.parse(JSON.stringify(r.inputs));
    if (r.secretNames.length) inputs[SECRET_INPUT] = pulumi.secret(values);
    // Recorded paths are relative to the stack; the provider host resolves them against this directory.
    inputs[RUNTIME_INPUT] = { base: stack.dir };
    const dependsOn = r.dependsOn.map((a) => created.get(a)).filter((x): x is pulumi.dynamic.Resource => !!x);
    created.set(r.address, new BootplanResource(r.kind, r.address, inputs, { dependsOn }));
  }
  return created;
}

/** A Pulumi program (for the Automation API) declaring the stack's resources; exports their addresses. */
export function bootplanProgram(stackDir: string, env: NodeJS.ProcessEnv = process.env): () => Promise<Record<string, unknown>> {
  return async () => {
    const plugins = await loadPlugins(loadStack(stackDir));
    return { resources: [...declareBootplanResources(stackDir, env, plugins).keys()] };
  };
}
