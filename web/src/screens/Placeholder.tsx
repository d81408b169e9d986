import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";

/** A screen still to come: its heading and a word that it is coming. */
export function Placeholder({ title }: { title: "entries" | "accounts" | "categories" | "budgets" | "reports" }) {
  const { t } = useI18n();
  return (
    <section class="placeholder">
      <PageTitle>{t[title]}</PageTitle>
      <div class="card">
        <p class="placeholder__soon">{t.comingSoon}</p>
        <p class="hint">{t.comingSoonBody}</p>
      </div>
    </section>
  );
}
