/** Korean and English. `ko*` browser languages get Korean, everything else English; a choice made
 * in Settings is kept in localStorage (a preference, not a secret). */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en, type Messages } from "./en";
import { ko } from "./ko";

export type Lang = "en" | "ko";
export const LANGS: readonly Lang[] = ["en", "ko"];
export const catalogues: Record<Lang, Messages> = { en, ko };
/** Each language named in itself, for the switch. */
export const LANG_NAMES: Record<Lang, string> = { en: "English", ko: "한국어" };
const STORAGE_KEY = "ledger.lang";

export function browserLang(languages: readonly string[] | undefined): Lang {
  const first = languages?.[0] ?? "";
  return first.toLowerCase().startsWith("ko") ? "ko" : "en";
}

export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "ko") return saved;
  } catch {
    // storage may be disabled; the browser's language decides
  }
  return browserLang(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not kept: it is only a preference
  }
}

export function applyLang(lang: Lang): void {
  document.documentElement.lang = lang;
  document.title = catalogues[lang].appName;
}

export interface I18n {
  lang: Lang;
  t: Messages;
  setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({ lang: "en", t: en, setLang: () => undefined });

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** Dates and times in the person's language. */
export function formatDateTime(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatDate(isoDate: string, lang: Lang): string {
  const [y, m, d] = isoDate.split("-").map(Number);
  if (!y || !m || !d) return isoDate;
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { day: "numeric", month: "short" }).format(new Date(y, m - 1, d));
}

export function formatMonthLabel(year: number, month: number, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { year: "numeric", month: "long" }).format(new Date(year, month - 1, 1));
}
