/**
 * serial-console: an extra kernel console for machines whose serial line is wired to another port
 * (a rack's console server). Which machines is the stack's choice: its entry sets appliesTo.
 */
import { definePlugin } from "bootplan/plugin";

interface Options {
  port: string;
  speed: number;
}

export default definePlugin<Options>({
  name: "serial-console",
  version: "1.0.0",
  description: "adds console=PORT,SPEED to the installer's kernel command line",
  appliesTo: { names: ["rack2-*"] },
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      port: { type: "string", pattern: "^tty[A-Za-z]+[0-9]+$", default: "ttyS1" },
      speed: { type: "integer", enum: [9600, 19200, 38400, 57600, 115200], default: 115200 },
    },
  },

  kernelArgs(ctx) {
    return [`console=${ctx.options.port},${ctx.options.speed}`];
  },
});
