/** "Split evenly": a total in minor units shared by `count` lines in whole units of the currency (whole 원),
 * by the largest remainder method: every line gets the same number of whole units, the units left over go one
 * each to the first lines (their remainders are equal, so ties go in line order), and minor units that are not
 * a whole unit go to the first line. The shares always add up to the total exactly. */
export function splitEvenly(total: number, count: number, unit = 1): number[] {
  if (!Number.isSafeInteger(total) || total < 0 || !Number.isInteger(count) || count < 1 || !Number.isSafeInteger(unit) || unit < 1) {
    return [];
  }
  const wholeUnits = Math.floor(total / unit);
  const rest = total - wholeUnits * unit;
  const base = Math.floor(wholeUnits / count);
  const leftOver = wholeUnits - base * count;
  const shares = Array.from({ length: count }, (_, i) => (base + (i < leftOver ? 1 : 0)) * unit);
  shares[0] = (shares[0] ?? 0) + rest;
  return shares;
}
