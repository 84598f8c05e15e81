/**
 * Five-field cron schedules as a Kubernetes CronJob reads them (the robfig/cron standard parser the
 * kube-controller-manager uses): parsing into the sets of minutes, hours, days and months that
 * fire, and the longest time between two runs, which an alert on a missed backup needs.
 */

/** The macros Kubernetes accepts, as five fields. */
const MACROS: { [macro: string]: string } = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A parsed schedule: the values of each field that fire. */
export interface CronSets {
  readonly minutes: number[];
  readonly hours: number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6; a 7 in the schedule is Sunday too. */
  readonly daysOfWeek: ReadonlySet<number>;
  /**
   * Both day fields are restricted (neither is `*` or `?`): a day fires when either matches, as in
   * cron. Otherwise a day must match both.
   */
  readonly eitherDay: boolean;
}

/** The result of {@link parseCron}: the sets, or the reason the text is no schedule. */
export interface CronParse {
  readonly sets?: CronSets;
  /** Not five fields (and no macro). */
  readonly wrongFieldCount?: boolean;
  /** The first field whose value is out of range or unreadable. */
  readonly badField?: { readonly name: string; readonly min: number; readonly max: number };
}

/** One field's values, and whether it is unrestricted (`*` or `?` without a step). */
function parseField(field: string, spec: FieldSpec): { values: Set<number>; star: boolean } | undefined {
  const value = (text: string): number | undefined => {
    if (/^\d{1,2}$/.test(text)) return Number(text);
    const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
    return i >= 0 ? i + (spec.name === 'month' ? 1 : 0) : undefined;
  };
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const m = /^(\*|\?|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return undefined;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (step < 1) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (m[1] === '*' || m[1] === '?') {
      if (m[1] === '?' && !spec.name.startsWith('day')) return undefined;
      [from, to] = [spec.min, spec.max];
      if (step === 1) star = true;
    } else {
      from = value(m[2]);
      // `N/step` runs from N to the field's end, as in robfig/cron.
      to = m[3] === undefined ? (m[4] === undefined ? from : spec.max) : value(m[3]);
      if (from === undefined || to === undefined || from < spec.min || to > spec.max || from > to) return undefined;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return { values, star };
}

/** Parses a five-field schedule or a macro such as `@daily`. */
export function parseCron(schedule: string): CronParse {
  const text = typeof schedule === 'string' ? (MACROS[schedule] ?? schedule) : '';
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return { wrongFieldCount: true };
  const parsed: Array<{ values: Set<number>; star: boolean }> = [];
  for (let i = 0; i < 5; i++) {
    const p = parseField(fields[i], FIELDS[i]);
    if (!p) return { badField: { name: FIELDS[i].name, min: FIELDS[i].min, max: FIELDS[i].max } };
    parsed.push(p);
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return {
    sets: {
      minutes: sorted(parsed[0].values),
      hours: sorted(parsed[1].values),
      daysOfMonth: parsed[2].values,
      months: parsed[3].values,
      daysOfWeek: new Set([...parsed[4].values].map((d) => d % 7)),
      eitherDay: !parsed[2].star && !parsed[4].star,
    },
  };
}

/** Days searched for runs: eight years from a leap year, so every weekday and leap-day case occurs. */
const SEARCH_DAYS = 8 * 366;
const DAY_MINUTES = 24 * 60;

/**
 * The longest time between two consecutive runs of `schedule`, in seconds (time zone changes
 * aside), or undefined when it never runs (e.g. `0 0 30 2 *`) or is no schedule.
 */
export function longestCronGapSeconds(schedule: string): number | undefined {
  const s = parseCron(schedule).sets;
  if (!s) return undefined;
  const times = s.hours.flatMap((h) => s.minutes.map((m) => h * 60 + m));
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  const start = Date.UTC(2024, 0, 1);
  let previousDay: number | undefined;
  for (let d = 0; d < SEARCH_DAYS; d++) {
    const date = new Date(start + d * DAY_MINUTES * 60_000);
    if (!s.months.has(date.getUTCMonth() + 1)) continue;
    const dom = s.daysOfMonth.has(date.getUTCDate());
    const dow = s.daysOfWeek.has(date.getUTCDay());
    if (!(s.eitherDay ? dom || dow : dom && dow)) continue;
    if (previousDay !== undefined) {
      longest = Math.max(longest, (d - previousDay) * DAY_MINUTES + times[0] - times[times.length - 1]);
    }
    previousDay = d;
  }
  if (previousDay === undefined) return undefined;
  return longest * 60;
}
