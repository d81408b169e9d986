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
