/** CM validation: bindings and CM settings that break their type's rules are positioned stack errors naming the rule. */
import { afterEach, describe, expect, it } from "vitest";
import { loadStack } from "../../../src/stack/load.js";
import { cleanup, editStackFile, tempStack } from "../../helpers/stack.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(cleanup));

function errorsOf(files: Record<string, string>, edit?: (dir: string) => void): string[] {
  const d = tempStack(files);
  dirs.push(d);
  edit?.(d);
  try {
    loadStack(d, { displayBase: d });
  } catch (err) {
    const e = err as { errors?: Error[]; message: string };
    return (e.errors ?? [e]).map((x) => x.message);
  }
  throw new Error("expected the stack to be invalid");
}

const system = (manage: string): Record<string, string> => ({
  "more.yaml": `systems:\n  x01:\n    profile: web\n    hostname: x01.lab.example\n    interfaces: [{mac: "52:54:00:aa:00:01"}]\n    manage:\n${manage}`,
});

describe("CM binding validation", () => {
  it("rejects a binding to a CM system that does not exist, listing the declared ones", () => {
    expect(errorsOf(system("      puppet-stage: {classes: [role::web]}\n"))).toEqual([
      'more.yaml:7:7: systems.x01.manage.puppet-stage: no CM system named "puppet-stage" under cm: (CM systems: puppet-prod, ansible-site)',
    ]);
  });

  it("rejects a Puppet class that breaks Puppet's naming rule, in a list and as a map key", () => {
    const errs = errorsOf(system('      puppet-prod: {classes: [profile::base, "Role::Web"]}\n'));
    expect(errs).toEqual([expect.stringMatching(/^more\.yaml:7:46: systems\.x01\.manage\.puppet-prod\.classes\[1\]: invalid Puppet class "Role::Web": Puppet class names are lowercase .* \(rule puppet\.class-name\)$/)]);
    const errs2 = errorsOf(system('      puppet-prod:\n        classes: {"role::Web": {port: 1}}\n'));
    expect(errs2).toEqual([expect.stringMatching(/^more\.yaml:8:19: systems\.x01\.manage\.puppet-prod\.classes\.role::Web: invalid Puppet class "role::Web".*\(rule puppet\.class-name\)$/)]);
  });

  it("rejects Puppet parameter and environment names that break Puppet's rules", () => {
    const errs = errorsOf(system("      puppet-prod: {parameters: {Site: x, trusted: y}, environment: Prod-1}\n"));
    expect(errs).toEqual([
      expect.stringMatching(/parameters\.Site: invalid Puppet parameter "Site".*\(rule puppet\.parameter-name\)$/),
      expect.stringMatching(/parameters\.trusted: invalid Puppet parameter "trusted".*trusted is reserved.*\(rule puppet\.parameter-name\)$/),
      expect.stringMatching(/environment: invalid Puppet environment "Prod-1".*\(rule puppet\.environment-name\)$/),
    ]);
  });

  it("rejects Ansible group and variable names that break Ansible's rules", () => {
    const errs = errorsOf(system("      ansible-site: {groups: [web-servers, all], vars: {9lives: 1}}\n"));
    expect(errs).toEqual([
      expect.stringMatching(/^more\.yaml:7:31: .*groups\[0\]: invalid Ansible group "web-servers".*\(rule ansible\.group-name\)$/),
      expect.stringMatching(/groups\[1\]: invalid Ansible group "all".*\(rule ansible\.group-name\)$/),
      expect.stringMatching(/vars\.9lives: invalid Ansible variable "9lives".*\(rule ansible\.var-name\)$/),
    ]);
  });

  it("rejects Chef run-list items and Salt SLS names that break their formats", () => {
    const cm = "cm:\n  chef: {type: chef}\n  salt: {type: salt}\n";
    const errs = errorsOf({ "cm2.yaml": cm, ...system('      chef: {runList: ["role(web)", "recipe[nginx::default]", "recipe[a b]"]}\n      salt: {states: [nginx, "base..users"]}\n') });
    expect(errs).toEqual([
      expect.stringMatching(/^more\.yaml:7:\d+: systems\.x01\.manage\.chef\.runList\[0\]: invalid Chef run-list item "role\(web\)": Chef run-list items are role\[name\].*\(rule chef\.run-list-item\)$/),
      expect.stringMatching(/runList\[2\]: invalid Chef run-list item "recipe\[a b\]".*\(rule chef\.run-list-item\)$/),
      expect.stringMatching(/^more\.yaml:8:\d+: systems\.x01\.manage\.salt\.states\[1\]: invalid Salt state "base\.\.users".*\(rule salt\.sls-name\)$/),
    ]);
  });

  it("rejects keys of another CM type's format, and wrong shapes", () => {
    const errs = errorsOf(system("      puppet-prod: {groups: [web]}\n      ansible-site: {groups: web}\n"));
    expect(errs).toEqual([
      expect.stringMatching(/puppet-prod\.groups: unknown key "groups" in a puppet binding \(expected one of: classes, parameters, environment\)$/),
      expect.stringMatching(/ansible-site\.groups: expected a list of Ansible groups, found "web"$/),
    ]);
  });

  it("checks a profile's bindings where the profile declares them", () => {
    const errs = errorsOf({}, (d) => editStackFile(d, "profiles.yaml", "classes: [profile::base, role::db]", "classes: [profile::base, role::DB]"));
    expect(errs).toEqual([expect.stringMatching(/^profiles\.yaml:\d+:\d+: profiles\.db\.manage\.puppet-prod\.classes\[1\]: invalid Puppet class "role::DB"/)]);
  });

  it("rejects an output outside the provisioning root or shared with another CM system, and a setting of another type", () => {
    const errs = errorsOf({ "cm2.yaml": "cm:\n  p2: {type: puppet, output: ../../etc}\n  a2: {type: ansible, environment: production}\n  s2: {type: salt, output: cm/puppet-prod}\n" });
    expect(errs).toEqual([
      expect.stringMatching(/^cm2\.yaml:2:\d+: cm\.p2\.output: "\.\.\/\.\.\/etc" would leave the provisioning root/),
      expect.stringMatching(/^cm2\.yaml:3:\d+: cm\.a2\.environment: "environment" is not a setting of ansible CM systems \(expected one of: type, output, vars, groupVars\)$/),
      expect.stringMatching(/^cm2\.yaml:4:\d+: cm\.s2\.output: cm\/puppet-prod is already the output of CM system puppet-prod/),
    ]);
  });

  it("rejects an unknown CM type, listing the four", () => {
    expect(errorsOf({ "cm2.yaml": "cm:\n  c2: {type: cfengine}\n" })).toEqual(['cm2.yaml:2:14: cm.c2.type: expected one of "puppet", "ansible", "salt", "chef", found "cfengine"']);
  });

  it("rejects a CM system name with a dot (it is part of the handoff addresses)", () => {
    const errs = errorsOf({ "cm2.yaml": "cm:\n  puppet.prod: {type: puppet}\n" });
    expect(errs).toEqual([expect.stringMatching(/^cm2\.yaml:2:3: cm\.puppet\.prod: invalid name "puppet\.prod"/)]);
  });
});
