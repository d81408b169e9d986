import { render } from "preact";
import { App } from "./app";
import { applyLang, initialLang } from "./i18n";
import { startOffline } from "./offline/app";
import { registerServiceWorker } from "./offline/pwa";
import { auth } from "./services";
import "./styles.css";

const lang = initialLang();
applyLang(lang);
const root = document.getElementById("app");
if (root) render(<App initialLang={lang} />, root);

// Start-up: one refresh restores the session kept in the HttpOnly cookie. When the network comes back, the
// session first (that start-up, or a refresh), then the entries written offline (offline/app.ts).
startOffline();
void auth.start();
registerServiceWorker();
