/** The CM handoff domain: CM systems, the machines bound to them, and where each merged value came from. */
import type { SourcePosition } from "../errors.js";

/** The configuration-management types bootplan hands machines to. */
export const CM_TYPES = ["puppet", "ansible", "salt", "chef"] as const;
/** One of CM_TYPES. */
export type CmType = (typeof CM_TYPES)[number];

/** Plain JSON-like data as it appears in a stack. */
export type Plain = Record<string, unknown>;

/** Where one merged value was declared: a profile, a system or the CM system's own settings. */
export interface Origin {
  /** e.g. "profile web", "system web01", "cm puppet-prod". */
  layer: string;
  /** The binding (or settings) map of that layer. */
  position: SourcePosition;
  /** The position of a value inside that map, by its path there; computed only when asked. */
  at?: (path: ReadonlyArray<string | number>) => SourcePosition;
}

/** Provenance of a merged value: JSON-encoded document paths (see pathKey) -> origin; list items end in {item}. */
export type Origins = Record<string, Origin>;

/** The identity a CM system receives for a machine. */
export interface NodeIdentity {
  /** The name the CM system knows the machine by (certname, inventory hostname, minion id, node name). */
  name: string;
  system: string;
  hostname: string;
  /** Static IPv4 addresses, first interface first. */
  ips: string[];
  macs: string[];
}

/**
 * A machine's merged binding to one CM system, in the type's own format. Systems that add nothing of
 * their own to their profile's binding share one object (CmSystem.members says which machine is which).
 */
export interface CmBinding {
  /** The merged management class (type-specific keys, e.g. classes/parameters/environment for puppet). */
  value: Plain;
  origins: Origins;
  /** The layers merged, base first, for explanations. */
  layers: string[];
}

/** A CM system declared under `cm:`, with the machines bound to it. */
export interface CmSystem {
  name: string;
  type: CmType;
  /** Type-specific settings (environment, vars, groupVars...), as declared. */
  settings: Plain;
  /** Artifact directory relative to the provisioning root (default cm/<name>). */
  output: string;
  /** Bound machines by system name. */
  members: Record<string, CmBinding>;
  source: SourcePosition;
}

/** The key under which Origins records a document path. */
export function pathKey(path: ReadonlyArray<string | number | { item: unknown }>): string {
  return JSON.stringify(path);
}
