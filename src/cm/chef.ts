/** Chef: a node JSON per system (`name`, `chef_environment`, `run_list`, `normal`), as `knife node from file` reads it. */
import { checkMap, checkName, checkNameList, unknownKeys, type CmAdapter } from "./adapter.js";
import type { Plain } from "./types.js";

/** Run-list items: role[name], or recipe[cookbook] / recipe[cookbook::recipe], optionally @version. */
export const CHEF_RUN_LIST_ITEM = /^(role\[[A-Za-z0-9_-]+\]|recipe\[[A-Za-z0-9_-]+(::[A-Za-z0-9_-]+)?(@\d+(\.\d+){0,2})?\])$/;
const RUN_LIST_RULE = "Chef run-list items are role[name] or recipe[cookbook] / recipe[cookbook::recipe] (optionally @version), names of letters, digits, '_' and '-'";
/** Chef environment names. */
const CHEF_ENV = /^[A-Za-z0-9_-]+$/;
const ENV_RULE = "Chef environment names use letters, digits, '_' and '-'";

/** The Chef adapter. */
export const chef: CmAdapter = {
  type: "chef",
  settingKeys: ["environment"],
  bindingKeys: ["runList", "environment", "attributes"],
  checkSettings: (s) => checkName(s.environment, "environment", CHEF_ENV, ENV_RULE, "chef.environment-name", "Chef environment"),
  checkBinding: (b) => [
    ...unknownKeys(b, chef.bindingKeys, "a chef binding"),
    ...(b.runList === undefined ? [] : checkNameList(b.runList, "runList", CHEF_RUN_LIST_ITEM, RUN_LIST_RULE, "chef.run-list-item", "Chef run-list items")),
    ...checkName(b.environment, "environment", CHEF_ENV, ENV_RULE, "chef.environment-name", "Chef environment"),
    ...checkMap(b.attributes, "attributes"),
  ],
  defaults: (cm) => ({ environment: (cm.settings.environment as string | undefined) ?? "_default" }),
  normalize: (b) => b,
  handoff(_cm, node, merged) {
    const cls: Plain = { runList: merged.runList ?? [], environment: merged.environment, attributes: merged.attributes ?? {} };
    const doc = {
      name: node.name, chef_type: "node", json_class: "Chef::Node", chef_environment: cls.environment,
      run_list: cls.runList, normal: cls.attributes, default: {}, override: {}, automatic: {},
    };
    return { class: cls, files: { [`nodes/${node.name}.json`]: JSON.stringify(doc, null, 2) + "\n" } };
  },
  index: () => ({ fields: {}, files: {} }),
};
