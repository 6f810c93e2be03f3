/** fleet's version, shown by `fleetd --version`, `fleetctl version` and in machine records. */
export const FLEET_VERSION = '0.1.0';
