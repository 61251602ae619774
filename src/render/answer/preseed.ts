/**
 * Built-in preseed (Debian 12 debian-installer). debconf-set-selections reads `owner question type
 * value` with the value running to the end of the line, so every value goes through `one_line`.
 */

/** The built-in preseed template (liquid). */
export const PRESEED_TEMPLATE = `# Preseed for {{ system.name | one_line }} ({{ distro.name | one_line }}), rendered by bootplan; edits are overwritten.
d-i debian-installer/locale string {{ profile.locale | one_line }}
d-i keyboard-configuration/xkb-keymap select us
d-i netcfg/choose_interface select auto
{% assign statics = system.interfaces | where: "ip" -%}
{% if statics.size > 0 -%}
{% assign nic = statics.first -%}
d-i netcfg/disable_autoconfig boolean true
d-i netcfg/get_ipaddress string {{ nic.ip | one_line }}
d-i netcfg/get_netmask string {{ nic.netmask | one_line }}
d-i netcfg/get_gateway string {{ nic.gateway | one_line }}
d-i netcfg/get_nameservers string {{ nic.dns | join: " " | one_line }}
d-i netcfg/confirm_static boolean true
{% endif -%}
d-i netcfg/get_hostname string {{ system.shortname | one_line }}
d-i netcfg/get_domain string {{ system.domain | one_line }}
d-i netcfg/hostname string {{ system.shortname | one_line }}
{% if distro.mirror -%}
d-i mirror/country string manual
d-i mirror/protocol string {{ distro.mirror.protocol | one_line }}
d-i mirror/{{ distro.mirror.protocol | one_line }}/hostname string {{ distro.mirror.host | one_line }}
d-i mirror/{{ distro.mirror.protocol | one_line }}/directory string {{ distro.mirror.directory | one_line }}
d-i mirror/{{ distro.mirror.protocol | one_line }}/proxy string
{% endif -%}
{% if rootPasswordHash -%}
d-i passwd/root-login boolean true
d-i passwd/root-password-crypted password {{ rootPasswordHash | one_line }}
{% else -%}
d-i passwd/root-login boolean false
{% endif -%}
d-i passwd/make-user boolean false
d-i clock-setup/utc boolean true
d-i time/zone string {{ profile.timezone | one_line }}
d-i partman-auto/method string regular
d-i partman-auto/choose_recipe select atomic
d-i partman-partitioning/confirm_write_new_label boolean true
d-i partman/choose_partition select finish
d-i partman/confirm boolean true
d-i partman/confirm_nooverwrite boolean true
{% for repo in repos -%}
d-i apt-setup/local{{ forloop.index0 }}/repository string deb {{ repo.url | one_line }} {% if repo.suite %}{{ repo.suite | one_line }} {{ repo.components | join: " " | one_line }}{% else %}./{% endif %}
d-i apt-setup/local{{ forloop.index0 }}/comment string {{ repo.name | one_line }}
{% if repo.gpgKey -%}
d-i apt-setup/local{{ forloop.index0 }}/key string {{ repo.gpgKey | one_line }}
{% endif -%}
{% endfor -%}
tasksel tasksel/first multiselect standard
d-i pkgsel/include string {{ packages | join: " " | one_line }}
popularity-contest popularity-contest/participate boolean false
d-i grub-installer/only_debian boolean true
d-i grub-installer/bootdev string default
d-i finish-install/reboot_in_progress note
{% if installDone -%}
d-i preseed/late_command string wget -q -O /dev/null {{ installDone | ks }}
{% endif -%}
`;
