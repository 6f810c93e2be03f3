/**
 * Times as systemd shows them, always in UTC so that output does not depend on the host's zone
 * (and a cluster's machines can be compared).
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const pad = (n: number): string => String(n).padStart(2, '0');

function clock(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** `systemctl status`'s "since" time: `Wed 2026-11-25 10:00:00 UTC`. */
export function formatSystemdTime(ms: number): string {
  const d = new Date(ms);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${WEEKDAYS[d.getUTCDay()]} ${day} ${clock(d)} UTC`;
}

/** journalctl's short-format time: `Nov 25 10:00:00`. */
export function formatJournalTime(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${clock(d)}`;
}

/** systemd's relative time, to two units: `5s ago`, `3min 5s ago`, `2h 3min ago`, `1 day 2h ago`. */
export function formatAgo(ms: number, now: number): string {
  let seconds = Math.max(0, Math.floor((now - ms) / 1000));
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days > 0) return `${days} ${days === 1 ? 'day' : 'days'} ${hours}h ago`;
  if (hours > 0) return `${hours}h ${minutes}min ago`;
  if (minutes > 0) return `${minutes}min ${seconds}s ago`;
  return `${seconds}s ago`;
}
