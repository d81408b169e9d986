/** A readable browser and operating system from a User-Agent header, for the list of devices. */
export interface Device {
  browser: string | null;
  os: string | null;
}

const BROWSERS: Array<[RegExp, string]> = [
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Edg(?:e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Whale\//, "Whale"],
  [/NAVER\(inapp/, "Naver"],
  [/KAKAOTALK/i, "KakaoTalk"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\//, "Chrome"],
  [/Version\/[\d.]+.*Safari\/|AppleWebKit\/.*Mobile\/.*Safari/, "Safari"],
  [/^curl\//, "curl"],
  [/python-requests|python-httpx|aiohttp|Python-urllib/i, "Python"],
  [/okhttp/i, "Android app"],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/iPhone|iPod/, "iOS"],
  [/iPad/, "iPadOS"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows NT|Windows Phone|Win64|Win32/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux|X11/, "Linux"],
];

export function parseUserAgent(userAgent: string | null | undefined): Device {
  const ua = userAgent ?? "";
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const os = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  return { browser, os };
}
