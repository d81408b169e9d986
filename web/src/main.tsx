import { render } from "preact";
import { App } from "./app";
import { applyLang, initialLang } from "./i18n";
import { auth } from "./services";
import "./styles.css";

const lang = initialLang();
applyLang(lang);
const root = document.getElementById("app");
if (root) render(<App initialLang={lang} />, root);

// Start-up: one refresh restores the session kept in the HttpOnly cookie.
void auth.start();
window.addEventListener("online", () => {
  if (auth.state.status === "unreachable") void auth.start();
});
