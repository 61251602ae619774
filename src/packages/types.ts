/** What bootplan reads from a package file's own metadata. */

/** The fields of a .deb or .rpm that bear on where it installs. */
export interface PackageMetadata {
  format: "deb" | "rpm";
  name: string;
  version: string;
  /** The architecture as the package format spells it (amd64, x86_64, all, noarch...). */
  arch: string;
  /** RPM's header OS (always "linux" in practice); .deb files do not carry one. */
  os?: string;
}
