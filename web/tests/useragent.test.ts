import { describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { ko } from "../src/i18n/ko";
import { parseUserAgent } from "../src/useragent";

const UA = {
  chromeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  edgeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
  safariMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
  safariIphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  chromeIphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  firefoxLinux: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  samsungAndroid: "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  chromeAndroid: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  whaleWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Whale/3.28.266.14 Safari/537.36",
  ipad: "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  chromebook: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  headless: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
  curl: "curl/8.5.0",
  python: "python-requests/2.32.3",
};

describe("parseUserAgent", () => {
  it.each([
    [UA.chromeWindows, "Chrome", "Windows"],
    [UA.edgeWindows, "Edge", "Windows"],
    [UA.safariMac, "Safari", "macOS"],
    [UA.safariIphone, "Safari", "iOS"],
    [UA.chromeIphone, "Chrome", "iOS"],
    [UA.firefoxLinux, "Firefox", "Linux"],
    [UA.samsungAndroid, "Samsung Internet", "Android"],
    [UA.chromeAndroid, "Chrome", "Android"],
    [UA.whaleWindows, "Whale", "Windows"],
    [UA.ipad, "Safari", "iPadOS"],
    [UA.chromebook, "Chrome", "ChromeOS"],
    [UA.headless, "Headless Chrome", "Linux"],
    [UA.curl, "curl", null],
    [UA.python, "Python", null],
    ["", null, null],
  ])("%s", (ua, browser, os) => {
    expect(parseUserAgent(ua)).toEqual({ browser, os });
  });

  it("handles a missing header", () => {
    expect(parseUserAgent(null)).toEqual({ browser: null, os: null });
  });

  it("names a device in both languages", () => {
    expect(en.deviceName("Chrome", "Windows")).toBe("Chrome on Windows");
    expect(ko.deviceName("Chrome", "Windows")).toBe("Windows의 Chrome");
    expect(en.deviceName("curl", null)).toBe("curl");
    expect(en.deviceName(null, null)).toBe("Unknown device");
    expect(ko.deviceName(null, null)).toBe("알 수 없는 기기");
  });
});
