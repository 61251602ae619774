/**
 * Salt: a state top file (`<saltenv>:` -> minion id -> states) shared by the CM system, and a pillar
 * file per minion with the pillar top file that assigns it.
 */
import { checkMap, checkName, checkNameList, unknownKeys, type CmAdapter } from "./adapter.js";
import type { Plain } from "./types.js";
import { toYaml } from "./yaml-emit.js";

/** SLS names: dot-separated segments of letters, digits, '_' and '-' (e.g. nginx, base.users). */
export const SALT_SLS = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const SLS_RULE = "Salt SLS names are dot-separated segments of letters, digits, '_' and '-' (e.g. base.users)";
/** Salt environment (saltenv) names. */
const SALT_ENV = /^[A-Za-z0-9_-]+$/;
const ENV_RULE = "Salt environment names use letters, digits, '_' and '-'";

/**
 * The pillar SLS name of a minion's pillar file. Dots in an SLS name are directories, so the minion
 * id's dots become '_' (graph building refuses two minions that would share a name).
 */
export function pillarSls(minion: string): string {
  return `minions.${minion.replace(/\./g, "_")}`;
}

/** The Salt adapter. */
export const salt: CmAdapter = {
  type: "salt",
  settingKeys: ["environment"],
  bindingKeys: ["states", "pillar"],
  checkSettings: (s) => checkName(s.environment, "environment", SALT_ENV, ENV_RULE, "salt.environment-name", "Salt environment"),
  checkBinding: (b) => [
    ...unknownKeys(b, salt.bindingKeys, "a salt binding"),
    ...(b.states === undefined ? [] : checkNameList(b.states, "states", SALT_SLS, SLS_RULE, "salt.sls-name", "Salt states")),
    ...checkMap(b.pillar, "pillar"),
  ],
  defaults: () => ({}),
  normalize: (b) => b,
  handoff(_cm, node, merged) {
    const cls: Plain = { states: merged.states ?? [], pillar: merged.pillar ?? {} };
    const file = `pillar/${pillarSls(node.name).replace(/\./g, "/")}.sls`;
    return { class: cls, files: { [file]: toYaml(cls.pillar as Plain) } };
  },
  index(cm, members) {
    const env = (cm.settings.environment as string | undefined) ?? "base";
    const sorted = [...members].sort((a, b) => a.node.name.localeCompare(b.node.name));
    const states = Object.fromEntries(sorted.filter((m) => (m.class.states as string[]).length).map((m) => [m.node.name, m.class.states]));
    const pillars = Object.fromEntries(sorted.map((m) => [m.node.name, [pillarSls(m.node.name)]]));
    return {
      fields: { environment: env },
      files: { "top.sls": toYaml({ [env]: states }), "pillar/top.sls": toYaml({ [env]: pillars }) },
    };
  },
};
