/**
 * raid-layout: machines with two or more disks install onto software RAID 1 (mirrored) instead of
 * the single-disk default, in their preseed (Debian) or kickstart (Rocky/RHEL), and are handed to
 * Puppet with a class that monitors the array. Selected by the `disks` attribute.
 */
import { definePlugin } from "bootplan/plugin";

interface Options {
  /** Disk device names, in order; the first `disks` of them are mirrored. */
  devices: string[];
  /** The Puppet class added to the machine's handoff (Puppet CM systems only). */
  puppetClass: string;
}

const PRESEED_DEFAULT = "d-i partman-auto/method string regular\nd-i partman-auto/choose_recipe select atomic\n";
const KICKSTART_DEFAULT = "clearpart --all --initlabel\nautopart\n";

function preseedRaid(disks: string[]): string {
  const members = (n: number) => disks.map((d) => `/dev/${d}${n}`).join("#");
  return [
    "# software RAID 1 over " + disks.join(", ") + " (plugin raid-layout)",
    "d-i partman-auto/method string raid",
    `d-i partman-auto/disk string ${disks.map((d) => `/dev/${d}`).join(" ")}`,
    "d-i partman-md/device_remove_md boolean true",
    "d-i partman-lvm/device_remove_lvm boolean true",
    "d-i partman-auto/expert_recipe string raid-root :: 1000 4000 -1 raid $primary{ } method{ raid } . 512 1024 200% raid $primary{ } method{ raid } .",
    `d-i partman-auto-raid/recipe string 1 ${disks.length} 0 ext4 / ${members(1)} . 1 ${disks.length} 0 swap - ${members(2)} .`,
    "d-i partman-md/confirm boolean true",
    "d-i partman-md/confirm_nooverwrite boolean true",
    "",
  ].join("\n");
}

function kickstartRaid(disks: string[], uefi: boolean): string {
  const lines = [`# software RAID 1 over ${disks.join(", ")} (plugin raid-layout)`, `ignoredisk --only-use=${disks.join(",")}`, `clearpart --all --initlabel --drives=${disks.join(",")}`];
  if (uefi) lines.push(`part /boot/efi --fstype=efi --size=600 --ondisk=${disks[0]}`);
  disks.forEach((d, i) => lines.push(`part raid.boot${i} --size=1024 --ondisk=${d}`, `part raid.root${i} --size=1 --grow --ondisk=${d}`));
  lines.push(
    `raid /boot --level=1 --device=md0 --fstype=xfs ${disks.map((_, i) => `raid.boot${i}`).join(" ")}`,
    `raid / --level=1 --device=md1 --fstype=xfs ${disks.map((_, i) => `raid.root${i}`).join(" ")}`,
    "",
  );
  return lines.join("\n");
}

export default definePlugin<Options>({
  name: "raid-layout",
  version: "1.0.0",
  description: "software RAID 1 for machines with two or more disks",
  appliesTo: { attributes: { disks: { min: 2 }, osFamily: ["debian", "rhel"] } },
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      devices: { type: "array", items: { type: "string", pattern: "^[a-z][a-z0-9]*$" }, minItems: 2, default: ["sda", "sdb", "sdc", "sdd"] },
      puppetClass: { type: "string", pattern: "^[a-z][a-z0-9_]*(::[a-z][a-z0-9_]*)*$", default: "profile::mdadm" },
    },
  },

  answerFile(ctx, text) {
    const count = Number(ctx.system.attributes.disks);
    if (count > ctx.options.devices.length) throw new Error(`disks is ${count} but options.devices names only ${ctx.options.devices.length}`);
    const disks = ctx.options.devices.slice(0, count);
    const [from, to] = ctx.profile.answerFormat === "preseed"
      ? [PRESEED_DEFAULT, preseedRaid(disks)]
      : [KICKSTART_DEFAULT, kickstartRaid(disks, ctx.system.attributes.firmware === "uefi")];
    if (!text.includes(from)) throw new Error(`the ${ctx.profile.answerFormat} has no default partitioning to replace (a custom template?)`);
    return text.replace(from, to);
  },

  cm(ctx, binding) {
    if (ctx.cm.type !== "puppet") return binding;
    const classes = (binding.classes ?? {}) as Record<string, unknown>;
    return { ...binding, classes: { ...classes, [ctx.options.puppetClass]: {} } };
  },
});
