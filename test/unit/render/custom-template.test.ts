import { describe, expect, it } from "vitest";
import { renderAnswerFiles } from "../../../src/render/answer/index.js";
import { input, SECRET_MARKER } from "./factories.js";

const render = (answerTemplate: string) => renderAnswerFiles(input("rhel", { answerTemplate }))[0].content;

describe("custom answer template", () => {
  it("renders with every documented variable", () => {
    const tpl = [
      "{{ system.name }} {{ system.hostname }} {{ system.shortname }} {{ system.domain }}",
      "{% for n in system.interfaces %}{{ n.name }} {{ n.mac }} {{ n.ip }}/{{ n.prefix }} {{ n.netmask }} {{ n.gateway }} {{ n.dns | join: ',' }}{% endfor %}",
      "{{ profile.name }} {{ profile.packages | join: ',' }} {{ profile.kernelArgs | join: ',' }} {{ profile.timezone }} {{ profile.locale }}",
      "{{ distro.name }} {{ distro.family }} {{ distro.release }} {{ distro.arch }} {{ distro.installTree }} {{ distro.mirror.host }}",
      "{{ repos.size }} {{ packages | join: ',' }} {{ rootPasswordHash | ks }} {{ serverUrl }}",
    ].join("\n");
    expect(render(tpl).split("\n")).toEqual([
      "web01 web01.lab.example web01 lab.example",
      "eth0 52:54:00:12:34:01 10.0.2.15/24 255.255.255.0 10.0.2.2 10.0.2.3",
      "base openssh-server console=ttyS0,115200 Etc/UTC en_US.UTF-8",
      "rocky-9-x86_64 rhel 9 x86_64 http://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os dl.rockylinux.org",
      `0 openssh-server,curl ${SECRET_MARKER} http://10.0.2.2:8080`,
    ]);
  });

  it("throws a one-line error naming an undefined variable", () => {
    expect(() => render("line\n{{ system.hostnme }}")).toThrow(/^undefined variable: system\.hostnme, line:2, col:4$/);
    expect(() => render("{% for p in packages %}\n{{ p | one_line }}{{ nope }}\n{% endfor %}")).toThrow(/^[^\n]*undefined variable: nope[^\n]*$/);
  });

  it("throws on an unknown filter and on syntax errors", () => {
    expect(() => render("{{ packages | shout }}")).toThrow(/undefined filter: shout/);
    expect(() => render("{% if x %}")).toThrow(/not closed/);
  });

  it("cannot read files through include or render", () => {
    expect(() => render("{% include '/etc/passwd' %}")).toThrow(/Failed to lookup|cannot read files/);
    expect(() => render("{% render '../../etc/hostname' %}")).toThrow(/Failed to lookup|cannot read files/);
  });
});
