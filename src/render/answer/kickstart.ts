/**
 * Built-in kickstart (RHEL 9 syntax, pykickstart RHEL9 handler). Every value goes through `ks`, which
 * quotes it the way pykickstart's shlex splitting reads it back; package lines through `one_line`.
 */

/** The built-in kickstart template (liquid). */
export const KICKSTART_TEMPLATE = `# Kickstart for {{ system.name | one_line }} ({{ distro.name | one_line }}), rendered by bootplan; edits are overwritten.
text
lang {{ profile.locale | ks }}
keyboard --xlayouts=us
timezone {{ profile.timezone | ks }} --utc
{% for nic in system.interfaces -%}
network --device={{ nic.mac | ks }}{% if nic.ip %} --bootproto=static --ip={{ nic.ip | ks }} --netmask={{ nic.netmask | ks }}{% if nic.gateway %} --gateway={{ nic.gateway | ks }}{% endif %}{% else %} --bootproto=dhcp{% endif %}{% if nic.dns.size > 0 %} --nameserver={{ nic.dns | join: "," | ks }}{% endif %}{% if forloop.first %} --hostname={{ system.hostname | ks }} --activate{% endif %}
{% endfor -%}
{% if rootPasswordHash -%}
rootpw --iscrypted {{ rootPasswordHash | ks }}
{% else -%}
rootpw --lock
{% endif -%}
{% if distro.installTree -%}
url --url={{ distro.installTree | ks }}
{% endif -%}
{% for repo in repos -%}
repo --name={{ repo.name | ks }} --baseurl={{ repo.url | ks }}
{% endfor -%}
zerombr
clearpart --all --initlabel
autopart
bootloader
reboot

%packages
{% for p in packages -%}
{{ p | one_line }}
{% endfor -%}
%end
{% if installDone %}
%post --nochroot
curl -fsS -o /dev/null {{ installDone | ks }} || wget -q -O /dev/null {{ installDone | ks }}
%end
{% endif -%}
`;
