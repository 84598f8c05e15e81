import { longestCronGapSeconds, parseCron } from '../../src/core/private/cron';

const H = 3600;

describe('cron schedules', () => {
  test.each<[string, number]>([
    ['0 3 * * *', 24 * H],
    ['@daily', 24 * H],
    ['@hourly', H],
    ['*/15 * * * *', 15 * 60],
    ['0 3,15 * * *', 12 * H],
    ['0 1,2 * * *', 23 * H],
    ['0 3 * * 0', 7 * 24 * H],
    ['@weekly', 7 * 24 * H],
    // Weekdays 09:00-17:45 every 15 minutes: Friday 17:45 to Monday 09:00.
    ['*/15 9-17 * * 1-5', (2 * 24 + 15) * H + 15 * 60],
    ['30 2 * * MON-fri', 72 * H],
    // Both day fields restricted: the 1st of the month OR a Sunday, as in cron.
    ['0 0 1 * 0', 7 * 24 * H],
    ['0 0 1 * *', 31 * 24 * H],
    ['0 0 1 1 *', 366 * 24 * H],
    ['0 0 29 2 *', (366 + 365 + 365 + 365) * 24 * H],
    ['0 4 1/10 * *', 10 * 24 * H], // the 1st, 11th, 21st and 31st: at most 10 days apart (21st of a 30-day month to the 1st)
  ])('%s runs at least every %i seconds', (schedule, seconds) => {
    expect(longestCronGapSeconds(schedule)).toBe(seconds);
  });

  test('a schedule that names no calendar day never runs', () => {
    expect(longestCronGapSeconds('0 0 30 2 *')).toBeUndefined();
    expect(longestCronGapSeconds('0 0 31 4,6,9,11 *')).toBeUndefined();
  });

  test('a day field of * or ? is unrestricted; a step makes it restricted', () => {
    expect(parseCron('0 0 * * 1').sets!.eitherDay).toBe(false);
    expect(parseCron('0 0 ? * 1').sets!.eitherDay).toBe(false);
    expect(parseCron('0 0 */2 * 1').sets!.eitherDay).toBe(true);
    expect([...parseCron('0 0 * * 7').sets!.daysOfWeek]).toEqual([0]);
  });

  test('reports the first bad field, or a wrong number of fields', () => {
    expect(parseCron('0 24 * * *').badField).toEqual({ name: 'hour', min: 0, max: 23 });
    expect(parseCron('? * * * *').badField?.name).toBe('minute');
    expect(parseCron('0 3 * *').wrongFieldCount).toBe(true);
    expect(longestCronGapSeconds('every day')).toBeUndefined();
  });
});
