/** Amounts are integers of the currency's minor unit (API.md §1); they are shown through exact
 * decimal strings, never through a float. */
import type { Lang } from "./i18n";

/** 123456 with exponent 2 → "1234.56"; -5 with exponent 3 → "-0.005". */
export function minorToDecimal(minor: number | bigint, exponent: number): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? "" : `.${digits.slice(-exponent)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** The digits of a currency's minor unit as Intl knows them (a fallback when /currencies is not loaded). */
export function intlExponent(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

const LOCALES: Record<Lang, string> = { en: "en-US", ko: "ko-KR" };

/** ₩12,000 in English; 12,000원 in Korean (the way Korean households write won). */
export function formatMoney(minor: number, currency: string, lang: Lang, exponent = intlExponent(currency)): string {
  const decimal = minorToDecimal(minor, exponent) as Intl.StringNumericLiteral;
  const digits = { minimumFractionDigits: exponent, maximumFractionDigits: exponent };
  if (lang === "ko" && currency === "KRW") {
    return `${new Intl.NumberFormat(LOCALES.ko, digits).format(decimal)}원`;
  }
  try {
    return new Intl.NumberFormat(LOCALES[lang], { style: "currency", currency, ...digits }).format(decimal);
  } catch {
    return `${new Intl.NumberFormat(LOCALES[lang], digits).format(decimal)} ${currency}`;
  }
}

/** 2^53 − 1: the largest amount the API takes (safe in JavaScript). */
export const MAX_AMOUNT = 9007199254740991n;

export type ParseError = "empty" | "invalid" | "too_precise" | "too_large" | "zero";
export type Parsed = { ok: true; minor: number } | { ok: false; error: ParseError };

const SYMBOLS = ["₩", "￦", "$", "€", "£", "¥", "￥", "원"];

/** The currency's signs as Intl writes them in both languages ("₩", "US$", "BHD", ...) and its code. */
function decorations(currency: string): string[] {
  const found = new Set<string>([...SYMBOLS, currency.toUpperCase()]);
  for (const locale of ["en-US", "ko-KR"]) {
    try {
      for (const part of new Intl.NumberFormat(locale, { style: "currency", currency }).formatToParts(1)) {
        if (part.type === "currency") found.add(part.value);
      }
    } catch {
      // an unknown code: its letters are not a sign
    }
  }
  return [...found].sort((a, b) => b.length - a.length); // "US$" before "$"
}

/** An amount typed as a person writes it ("12,000", "₩12,000", "12,000원", "3.50") → integer minor
 * units, by string arithmetic only. Positive amounts only (the entry's type gives the direction). */
export function parseAmount(text: string, exponent: number, currency = ""): Parsed {
  let rest = text.normalize("NFKC").replace(/[\s\u00a0\u202f]/g, "");
  if (!rest) return { ok: false, error: "empty" };
  if (currency) {
    const upper = rest.toUpperCase();
    for (const sign of decorations(currency)) {
      const s = sign.toUpperCase().replace(/\s/g, "");
      if (upper.startsWith(s)) {
        rest = rest.slice(s.length);
        break;
      }
    }
  } else if (SYMBOLS.includes(rest.charAt(0))) rest = rest.slice(1);
  if (rest.endsWith("원")) rest = rest.slice(0, -1);
  if (currency && rest.toUpperCase().endsWith(currency.toUpperCase())) rest = rest.slice(0, -currency.length);
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(rest);
  if (!match || (!match[1] && !match[2])) return { ok: false, error: "invalid" };
  const whole = (match[1] ?? "0").replace(/,/g, "");
  let fraction = match[2] ?? "";
  if (fraction.length > exponent) {
    if (/[^0]/.test(fraction.slice(exponent))) return { ok: false, error: "too_precise" };
    fraction = fraction.slice(0, exponent);
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, "0"));
  if (minor === 0n) return { ok: false, error: "zero" };
  if (minor > MAX_AMOUNT) return { ok: false, error: "too_large" };
  return { ok: true, minor: Number(minor) };
}

/** Minor units back into what a person would type in the amount field ("12000", "3.50"). */
export function minorToInput(minor: number, exponent: number): string {
  return minorToDecimal(minor, exponent);
}
