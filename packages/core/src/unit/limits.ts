/** go-systemd's SYSTEMD_LINE_MAX. */
export const MAX_UNIT_LINE_BYTES = 2048;

/** Our own cap on a whole unit file (fleet had none; etcd values should stay small). */
export const MAX_UNIT_FILE_BYTES = 65536;
