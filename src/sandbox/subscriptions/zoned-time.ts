/**
 * Converts between instants and wall-clock dates in an IANA zone using only Intl (Node 20
 * ships full ICU), because no date library is installed. Subscriptions run at a local hour
 * (07:00 / 09:00 in `zone_id`), so the engine needs "date in zone" and "local hour → instant".
 */
import { civilDate, type CivilDate } from "./civil-date";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the runtime knows the zone name (e.g. "Asia/Tokyo", "UTC"). */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(instant: Date, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = formatterFor(zone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour"), mi: get("minute"), s: get("second") };
}

/** The calendar date that `instant` falls on in `zone`. */
export function zonedDateOf(instant: Date, zone: string): CivilDate {
  const w = wallClock(instant, zone);
  return civilDate(w.y, w.mo, w.d);
}

/** Offset of `zone` from UTC at `instant`, in ms (Tokyo = +9 h). */
function offsetMs(instant: Date, zone: string): number {
  const w = wallClock(instant, zone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant when the wall clock in `zone` shows `date` at `hour`:00. The offset is
 * looked up twice because the first guess can sit on the other side of a DST change;
 * a local time skipped by DST resolves to the later offset.
 */
export function zonedInstantOf(date: CivilDate, hour: number, zone: string): Date {
  const [y, mo, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const naive = Date.UTC(y, mo - 1, d, hour);
  const first = naive - offsetMs(new Date(naive), zone);
  const second = naive - offsetMs(new Date(first), zone);
  return new Date(second);
}
