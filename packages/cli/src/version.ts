/**
 * fleetctl's version. It equals FLEET_VERSION in @fleet/core (a test holds them together); it is
 * repeated here so `--help` and `version` need not load core, whose zod schemas cost ~80 ms.
 */
export const FLEETCTL_VERSION = '0.1.0';
