/**
 * Built-in Ubuntu autoinstall (subiquity, 24.04) user-data and NoCloud meta-data. Every value from the
 * stack goes through `yaml_value` (JSON-style quoting), so no value can change the YAML structure.
 */
import { yamlValue } from "../escape.js";

/** The built-in autoinstall user-data template (liquid). */
export const AUTOINSTALL_TEMPLATE = `#cloud-config
# Autoinstall for {{ system.name | one_line }} ({{ distro.name | one_line }}), rendered by bootplan; edits are overwritten.
autoinstall:
  version: 1
  locale: {{ profile.locale | yaml_value }}
  keyboard:
    layout: "us"
  timezone: {{ profile.timezone | yaml_value }}
{% if rootPasswordHash -%}
  identity:
    hostname: {{ system.shortname | yaml_value }}
    username: "ubuntu"
    password: {{ rootPasswordHash | yaml_value }}
{% else -%}
  # No password given: cloud-init user-data instead of identity, which would require one.
  user-data:
    hostname: {{ system.shortname | yaml_value }}
{% if system.domain -%}
    fqdn: {{ system.hostname | yaml_value }}
{% endif -%}
{% endif -%}
  network:
    version: 2
    ethernets:
{% for nic in system.interfaces -%}
{% if nic.name -%}
      {{ nic.name | yaml_value }}:
{% else -%}
      "id{{ forloop.index0 }}":
{% endif -%}
        match:
          macaddress: {{ nic.mac | yaml_value }}
{% if nic.name -%}
        set-name: {{ nic.name | yaml_value }}
{% endif -%}
{% if nic.ip -%}
        addresses: [{{ nic.ip | append: "/" | append: nic.prefix | yaml_value }}]
{% if nic.gateway -%}
        routes: [{to: "default", via: {{ nic.gateway | yaml_value }}}]
{% endif -%}
{% else -%}
        dhcp4: true
{% endif -%}
{% if nic.dns.size > 0 -%}
        nameservers:
          addresses: {{ nic.dns | yaml_value }}
{% endif -%}
{% endfor -%}
  ssh:
    install-server: true
  packages: {{ packages | yaml_value }}
{% if distro.installTree or repos.size > 0 -%}
  apt:
{% if distro.installTree -%}
    primary:
      - arches: ["default"]
        uri: {{ distro.installTree | yaml_value }}
{% endif -%}
{% if repos.size > 0 -%}
    sources:
{% for repo in repos -%}
{% capture line %}deb {{ repo.url }} {% if repo.suite %}{{ repo.suite }} {{ repo.components | join: " " }}{% else %}./{% endif %}{% endcapture -%}
      {{ repo.name | append: ".list" | yaml_value }}:
        source: {{ line | yaml_value }}
{% endfor -%}
{% endif -%}
{% endif -%}
  storage:
    layout:
      name: "lvm"
{% if installDone -%}
{% capture done %}curl -fsS -o /dev/null {{ installDone | ks }}{% endcapture -%}
  late-commands: [{{ done | yaml_value }}]
{% endif -%}
`;

/** NoCloud meta-data: the instance id (the system name) and the short hostname. */
export function renderMetaData(systemName: string, shortname: string): string {
  return `instance-id: ${yamlValue(systemName)}\nlocal-hostname: ${yamlValue(shortname)}\n`;
}
