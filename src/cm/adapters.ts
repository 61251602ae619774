/** The adapter for each CM type. */
import type { CmAdapter } from "./adapter.js";
import { ansible } from "./ansible.js";
import { chef } from "./chef.js";
import { puppet } from "./puppet.js";
import { salt } from "./salt.js";
import type { CmType } from "./types.js";

/** Every CM type's adapter, by type. */
export const ADAPTERS: Record<CmType, CmAdapter> = { puppet, ansible, salt, chef };
